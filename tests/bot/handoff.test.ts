// The whole path a holder walks: conversation → consent → contact → durable referral → the
// actor's e-mail on a real SMTP server (loopback) with working links. Also: refusal stores
// nothing, bad contact data is asked again, and a restart mid-conversation resumes it.
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fr } from '../../src/bot/messages.fr.js';
import { actorNames } from '../../src/domain/actor.js';
import { handOffService } from '../../src/bot/index.js';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, type Router } from '../../src/routing/index.js';
import { loadTerritory } from '../../src/territory/index.js';
import { linkAfter, startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { acceptButton, allText, consentStep, Holder, lastQuestion, untilConsent, type Reply } from './holder.js';

let router: Router | undefined;
async function sharedRouter(): Promise<Router> {
  router ??= await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory: loadTerritory() });
  return router;
}

interface World {
  dataDir: string;
  referrals: Referrals;
  smtp: TestSmtp | null;
}

async function open(t: { after(fn: () => unknown): void }, dataDir?: string, withSmtp = true): Promise<World> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'aig-handoff-'));
  const smtp = withSmtp ? await startSmtp() : null;
  const referrals = await openReferrals({
    dataDir: dir,
    publicUrl: 'http://127.0.0.1:9',
    actors: await sharedRouter(),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-handoff-0123456789',
    smtpUrl: smtp ? `smtp://127.0.0.1:${smtp.port}` : undefined,
  });
  t.after(async () => {
    await referrals.close().catch(() => undefined);
    await smtp?.stop();
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
  });
  return { dataDir: dir, referrals, smtp };
}

function holderIn(world: World): Holder {
  return new Holder({
    router,
    storage: world.referrals.conversationStorage,
    handOff: handOffService(world.referrals.service),
  });
}

/** Answers « non » to yes/no questions and the first button otherwise, until the consent. */
async function untilOrientation(holder: Holder, description: string): Promise<Reply[]> {
  return untilConsent(holder, await holder.say(description), (q) => (q.buttons.includes(fr.buttons.no) ? fr.buttons.no : q.buttons[0] ?? 'je ne sais pas'));
}

function referenceIn(replies: Reply[]): string | undefined {
  return /Votre numéro de dossier : (AIG-[A-Z0-9]{4}-[A-Z0-9]{2})/.exec(allText(replies))?.[1];
}

const WORDS = 'Nous sommes trois à Clisson et voulons créer une épicerie solidaire en SCIC, il nous faut un statut';

test('a consented conversation ends with a referral in the store and the actor’s e-mail with the holder’s words and working links', async () => {
  await sharedRouter();
  const world = await open(t);
  const holder = holderIn(world);
  let r = await untilOrientation(holder, WORDS);
  const consent = consentStep(r);
  assert.match(consent.text, /Clisson Sèvre et Maine/);
  assert.match(consent.text, /24 mois/);
  assert.match(consent.text, /votre description du projet/);
  r = await holder.click(acceptButton(consent), r);
  assert.equal(lastQuestion(r).text, fr.contact.askContact);
  r = await holder.say('camille.martin@exemple');
  assert.equal(lastQuestion(r).text, fr.contact.askContact, 'a wrong address is asked again');
  assert.match(allText(r), new RegExp(fr.contact.badAny));
  r = await holder.say('camille.martin@exemple.fr');
  assert.equal(lastQuestion(r).text, fr.contact.askName, 'only the missing name is asked');
  // No channel question (an e-mail only means by e-mail), no moment (an e-mail needs no time slot).
  r = await holder.say('Camille Martin');
  const confirmation = allText(r);
  const reference = referenceIn(r);
  assert.ok(reference, confirmation);
  assert.match(confirmation, /sous \d+ jours/);
  assert.match(confirmation, /transmise à Clisson Sèvre et Maine Agglo/);

  // Confirmed means written: the store has it, with consent, contact and the holder's words.
  const records = await world.referrals.service.byReference(reference);
  assert.ok(records.length >= 1);
  const local = records.find((rec) => rec.actorId === 'clisson-sevre-maine-eco');
  assert.ok(local, records.map((rec) => rec.actorId).join(', '));
  assert.equal(local.contact?.email, 'camille.martin@exemple.fr');
  assert.equal(local.contact?.channel, 'email');
  assert.equal(local.consent?.textVersion, fr.contact.consentVersion);
  assert.equal(local.profile.commune?.nom, 'Clisson');
  // The last message gives the holder's own status page (signed link, no account).
  assert.ok(confirmation.includes(`Pour suivre votre demande (sans compte) : ${world.referrals.service.statusUrl(local)}`), confirmation);
  assert.equal(local.description, WORDS);

  // The actor's e-mail arrives on the SMTP server, with the holder's words, and its link opens the confirmation page.
  await world.referrals.mailer.flush();
  const actorMail = world.smtp!.received.find((m) => m.to.includes('clisson-sevre-maine-eco@example.org'));
  assert.ok(actorMail, world.smtp!.received.map((m) => m.to.join(',')).join(' | '));
  assert.match(actorMail.text, /Camille Martin/);
  assert.match(actorMail.text, /Le projet, dans les mots du porteur/);
  assert.ok(actorMail.text.replace(/\s+/g, ' ').includes(`« ${WORDS} »`), actorMail.text);
  assert.match(actorMail.text, /accompagné par Clisson Sèvre et Maine Agglo\./);
  const link = linkAfter(actorMail.text, 'Je prends en charge cette demande');
  const token = new URL(link).pathname.split('/').pop()!;
  const page = await world.referrals.links.get(token);
  assert.equal(page.status, 200, page.html);
  const holderMail = world.smtp!.received.find((m) => m.to.includes('camille.martin@exemple.fr'));
  assert.ok(holderMail);
  assert.match(holderMail.text, new RegExp(reference));

  // The contact details do not stay in the conversation state.
  const state = JSON.stringify(await world.referrals.conversationStorage.read([`test/conversations/Convo1/`]));
  assert.doesNotMatch(state, /camille\.martin/);

  // The words are personal data: exported with the request, then erased with the contact.
  const exported = await world.referrals.service.exportHolder(reference, 'camille.martin@exemple.fr');
  assert.ok(exported.referrals.every((rec) => rec.description === WORDS));
  await world.referrals.service.eraseHolder(reference, 'camille.martin@exemple.fr');
  const erased = await world.referrals.service.byReference(reference);
  assert.ok(erased.length > 0 && erased.every((rec) => rec.description === null && rec.contact === null));
});

test('keeping only some structures: the consent named them all, only the kept ones receive the request', async () => {
  await sharedRouter();
  const world = await open(t);
  const holder = holderIn(world);
  let r = await untilOrientation(holder, 'Nous sommes trois à Vallet et voulons créer une épicerie solidaire en coopérative, on cherche un financement');
  const consent = consentStep(r);
  const offered = consent.buttons.filter((b) => !([fr.contact.acceptAll, fr.contact.acceptOne, fr.buttons.correct, fr.contact.refuse] as string[]).includes(b));
  assert.ok(offered.length >= 2, holder.transcript.join('\n'));
  const decision = (await world.referrals.conversationStorage.read(['test/conversations/Convo1/']))['test/conversations/Convo1/'] as { aiguillage: { decision: { referrals: { actorId: string; actorName: string; tier: string }[] } } };
  const referrals = decision.aiguillage.decision.referrals;
  assert.equal(offered.length, new Set(referrals.map((x) => x.actorId)).size, 'one button per structure proposed');
  // The consent sentence names every one of them, with its article (« à la… », « aux… »).
  const router = await sharedRouter();
  for (const x of referrals) {
    const to = actorNames(router.actorById(x.actorId)!).to;
    assert.ok(consent.text.includes(to), `« ${to} » absent du consentement :\n${consent.text}`);
  }
  // Keep every structure but the first one (the widget's « Valider » sends the titles joined by ", ").
  const kept = offered.slice(1);
  r = await holder.say(kept.join(', '));
  assert.match(allText(r), /C’est noté : je transmettrai votre demande/);
  r = await holder.say('Dominique Durand, 06 12 34 56 78');
  assert.equal(lastQuestion(r).text, fr.contact.askTime, 'a phone and no moment said: the moment is asked');
  assert.ok(lastQuestion(r).buttons.includes('Peu importe'));
  r = await holder.click('Peu importe', r);
  const reference = referenceIn(r);
  assert.ok(reference, holder.transcript.join('\n'));

  const records = await world.referrals.service.byReference(reference);
  const keptIds = referrals.filter((x) => x.actorId !== referrals[0]!.actorId).map((x) => x.actorId);
  assert.ok(records.length > 0);
  for (const rec of records) assert.ok(keptIds.includes(rec.actorId), `${rec.actorId} n’a pas été gardée`);
  assert.ok(records.every((rec) => rec.decision.referrals.every((d) => keptIds.includes(d.actorId))), 'escalation stays within the kept structures');
  assert.equal(records[0]!.contact?.channel, 'phone', 'a phone only: by phone, without asking');
  assert.equal(records[0]!.contact?.preferredTime, null);
  await world.referrals.mailer.flush();
  const firstId = referrals[0]!.actorId;
  assert.ok(!world.smtp!.received.some((m) => m.to.includes(`${firstId}@example.org`)), `${firstId} ne devait rien recevoir`);
  for (const rec of records) assert.ok(world.smtp!.received.some((m) => m.to.includes(`${rec.actorId}@example.org`)), `e-mail pour ${rec.actorId}`);
});

test('refusing consent stores no personal data and gives the public contacts', async () => {
  await sharedRouter();
  const world = await open(t, undefined, false);
  const holder = holderIn(world);
  let r = await untilOrientation(holder, 'projet de recyclerie à Vallet, on démarre, en association');
  r = await holder.click(fr.contact.refuse, r);
  assert.match(allText(r), /je n’enregistre aucune donnée personnelle/);
  assert.match(allText(r), /https:\/\//);
  assert.equal((await world.referrals.store.referrals.byConversation('Convo1')).length, 0);
  const state = JSON.stringify(await world.referrals.conversationStorage.read([`test/conversations/Convo1/`]));
  assert.doesNotMatch(state, /recyclerie/, 'the holder’s words are not kept after a refusal');
});

test('a wrong phone number is asked again with an example; name and phone in one message are enough', async () => {
  await sharedRouter();
  const world = await open(t, undefined, false);
  const holder = holderIn(world);
  let r = await untilOrientation(holder, 'un garage solidaire à Gétigné, on se lance à plusieurs');
  r = await holder.click(acceptButton(lastQuestion(r)), r);
  r = await holder.say('<b>Dominique</b>');
  assert.equal(lastQuestion(r).text, fr.contact.askReach);
  r = await holder.say('12 34');
  assert.equal(lastQuestion(r).text, fr.contact.badAny);
  r = await holder.say('06 12 34 56 78, plutôt le matin');
  const reference = referenceIn(r);
  assert.ok(reference, holder.transcript.join('\n'));
  const [record] = await world.referrals.service.byReference(reference);
  assert.equal(record?.contact?.phone, '06 12 34 56 78');
  assert.equal(record?.contact?.preferredTime, 'plutôt le matin', 'the moment said with the number: not asked again');
  assert.equal(record?.contact?.name, 'Dominique');
});

test('a restart of the server in the middle of a conversation resumes where the holder was', async () => {
  await sharedRouter();
  const first = await open(t, undefined, false);
  const before = holderIn(first);
  const r = await before.say('Je voudrais ouvrir un tiers-lieu culturel à Mouzillon');
  const pending = lastQuestion(r).text;
  assert.notEqual(pending, fr.inviteDescription);
  await first.referrals.close();

  const second = await open(t, first.dataDir, false);
  const after = holderIn(second);
  const resumed = await after.say('aide');
  assert.equal(resumed[0]?.text, fr.help);
  assert.equal(lastQuestion(resumed).text, pending, 'the same question, not a new greeting');
});

test('after a hand-off, « recommencer » and another project give a second request, from the same partner site', async () => {
  await sharedRouter();
  const world = await open(t, undefined, false);
  const holder = holderIn(world);
  const consentAndContact = async (r: Reply[], name: string) => {
    r = await holder.click(acceptButton(lastQuestion(r)), r);
    r = await holder.say(`${name}, ${name.toLowerCase().replace(' ', '.')}@exemple.fr`);
    const reference = referenceIn(r);
    assert.ok(reference, holder.transcript.join('\n'));
    return reference;
  };

  await holder.say({ type: 'message', text: 'bonjour', channelData: { partner: 'demo' } });
  let r = await untilOrientation(holder, 'Nous sommes trois à Clisson et voulons créer une épicerie solidaire en SCIC');
  const first = await consentAndContact(r, 'Camille Martin');

  // A message after the end gives the number again (its confirmation may never have been read).
  r = await holder.say('merci, et maintenant ?');
  assert.match(allText(r), new RegExp(`enregistrée sous le numéro ${first}\\. Pour savoir où elle en est, écrivez « où en est ma demande ${first} »`));

  r = await holder.say('recommencer');
  assert.match(allText(r), new RegExp(fr.restarted));
  r = await untilOrientation(holder, 'Je veux développer ma ressourcerie à Vallet, elle a déjà deux salariés');
  const second = await consentAndContact(r, 'Camille Martin');

  assert.notEqual(second, first, holder.transcript.join('\n'));
  const [firstRecord] = await world.referrals.service.byReference(first);
  const [secondRecord] = await world.referrals.service.byReference(second);
  assert.equal(secondRecord?.profile.commune?.nom, 'Vallet');
  assert.equal(firstRecord?.partnerId, 'demo');
  assert.equal(secondRecord?.partnerId, 'demo', 'the partner site is kept across « recommencer »');
});
