// The whole hand-off at the use-case level, over real transports: a referral is created, the
// actor's e-mail reaches an SMTP server on loopback, its links work through the restify route
// (GET shows a form and changes nothing, POST acts), the holder is told. Bad links are refused.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import restify from 'restify';
import { mountReferralLinks, openReferrals, ReferralError, type Referrals } from '../../src/referrals/index.js';
import { linkAfter, startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { Clock, decision, holderInput, tempDir, testActors } from './helpers.js';

interface Setup {
  referrals: Referrals;
  smtp: TestSmtp;
  clock: Clock;
  baseUrl: string;
}

async function setup(t: Parameters<typeof tempDir>[0] & { after(fn: () => unknown): void }): Promise<Setup> {
  const dataDir = tempDir(t, 'aig-flow');
  const smtp = await startSmtp();
  // The bot server's own settings: url-encoded forms must reach the POST handler.
  const server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 64 * 1024, mapParams: false, rejectUnknown: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clock = new Clock(Date.parse('2025-03-10T09:00:00Z'));
  const referrals = await openReferrals({
    dataDir,
    publicUrl: baseUrl,
    actors: await testActors(),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-0123456789',
    smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    now: clock.now,
  });
  mountReferralLinks(server, referrals.links);
  t.after(async () => {
    await referrals.close();
    await smtp.stop();
    server.close();
  });
  return { referrals, smtp, clock, baseUrl };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

test('create → actor e-mail over SMTP → take care through the link → holder told', async () => {
  const { referrals, smtp } = await setup(t);
  const input = holderInput();
  const created = await referrals.service.createReferral(input);
  assert.equal(created.created, true);
  assert.match(created.reference, /^AIG-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$/);
  assert.deepEqual(created.referrals.map((r) => [r.actorId, r.tier, r.status]), [['clisson-sevre-maine-eco', 'local', 'pending']]);
  assert.equal(created.promisedDays, 7);

  const flushed = await referrals.mailer.flush();
  assert.deepEqual(flushed, { sent: 2, failed: 0, notes: 0 });
  const actorMail = smtp.received.find((m) => m.queueId === `${created.reference}-1.actor-new`);
  const holderMail = smtp.received.find((m) => m.queueId === `${created.reference}.holder-confirm`);
  assert.ok(actorMail && holderMail);
  assert.deepEqual(actorMail.to, ['clisson-sevre-maine-eco@example.org']);
  assert.equal(actorMail.messageId, `<${created.reference}-1.actor-new@example.org>`);
  assert.match(actorMail.subject, /^Nouvelle orientation AIG-.*-1 : projet alimentation, circuits courts, agriculture à Clisson$/);
  assert.match(actorMail.text, /Camille Porteuse/);
  assert.match(actorMail.text, /Besoins : Financement, Statut juridique/);
  assert.match(actorMail.text, /Règle local-clisson-sevre-maine-eco, version des règles test-v1/);
  assert.doesNotMatch(actorMail.html, /<img|<script|https?:\/\/(?!127\.0\.0\.1)[^"]*\?/, 'no tracking, no remote content');
  assert.deepEqual(holderMail.to, [input.contact.email]);
  assert.match(holderMail.text, new RegExp(`Votre référence : ${created.reference}`));
  assert.match(holderMail.text, /vous recontactera d’ici le \d+ \S+ 2025 \(sous 7 jours\)/);

  const takeCare = linkAfter(actorMail.text, 'Je prends en charge cette demande');
  // GET only shows the confirmation form: a mail scanner prefetching it changes nothing.
  const shown = await fetch(takeCare);
  assert.equal(shown.status, 200);
  const html = await shown.text();
  assert.match(html, /<form method="post">/);
  assert.match(html, /Je prends en charge/);
  assert.doesNotMatch(html, /Camille|exemple\.fr/, 'the page shows no contact data');
  assert.equal((await referrals.service.get(`${created.reference}-1`))!.status, 'pending');

  const done = await fetch(takeCare, form({ confirm: '1' }));
  assert.equal(done.status, 200);
  assert.match(await done.text(), /la prise en charge est enregistrée/);
  const record = (await referrals.service.get(`${created.reference}-1`))!;
  assert.equal(record.status, 'taking_care');
  assert.deepEqual(record.history.map((h) => [h.action, h.by, h.to]), [
    ['create', 'holder', 'pending'],
    ['take_care', 'actor:clisson-sevre-maine-eco', 'taking_care'],
  ]);

  await referrals.mailer.flush();
  const taken = smtp.received.find((m) => m.queueId === `${created.reference}-1.holder-taken`);
  assert.ok(taken, 'the holder is told when an actor takes care');
  assert.match(taken.subject, /a pris en charge votre demande/);
  assert.match(taken.text, /va vous contacter par téléphone, le matin/);

  // The same link again: already done, said in French, nothing changes.
  const again = await fetch(takeCare, form({ confirm: '1' }));
  assert.equal(again.status, 409);
  assert.match(await again.text(), /déjà « prise en charge »/);

  // Close it with the "done" link of the first e-mail.
  const doneLink = linkAfter(actorMail.text, 'L’accompagnement est engagé');
  assert.equal((await fetch(doneLink, form({ confirm: '1' }))).status, 200);
  const closed = (await referrals.service.get(`${created.reference}-1`))!;
  assert.equal(closed.status, 'done');
  assert.ok(closed.closedAt);
  assert.equal(smtp.received.length, 3);
});

test('decline through the link form, with a reason and the right actor', async () => {
  const { referrals, smtp } = await setup(t);
  const created = await referrals.service.createReferral(holderInput());
  await referrals.mailer.flush();
  const actorMail = smtp.received.find((m) => m.queueId === `${created.reference}-1.actor-new`)!;
  const declineLink = linkAfter(actorMail.text, 'Ce n’est pas pour nous');
  const page = await (await fetch(declineLink)).text();
  assert.match(page, /name="reason" value="hors_offre"/);
  assert.match(page, /<option value="ecossolies">/);

  const missing = await fetch(declineLink, form({ confirm: '1' }));
  assert.equal(missing.status, 400);
  assert.match(await missing.text(), /Choisissez un motif dans la liste/);

  const ok = await fetch(declineLink, form({ confirm: '1', reason: 'hors_offre', shouldGoTo: 'ecossolies', comment: '' }));
  assert.equal(ok.status, 200);
  const dossier = await referrals.service.byReference(created.reference);
  assert.deepEqual(dossier.map((r) => [r.actorId, r.status]), [['clisson-sevre-maine-eco', 'declined'], ['ecossolies', 'pending']]);
  assert.deepEqual(dossier[0]!.decline, { reason: 'hors_offre', shouldGoTo: 'ecossolies', comment: null });
  assert.equal(dossier[1]!.escalatedFrom, dossier[0]!.id);
});

test('forged, altered, malformed and expired links are refused with a French page and change nothing', async () => {
  const { referrals, smtp, clock, baseUrl } = await setup(t);
  const created = await referrals.service.createReferral(holderInput());
  await referrals.mailer.flush();
  const actorMail = smtp.received.find((m) => m.queueId === `${created.reference}-1.actor-new`)!;
  const takeCare = linkAfter(actorMail.text, 'Je prends en charge cette demande');
  const token = takeCare.split('/r/')[1]!;
  const [id, , expiry, signature] = token.split('.');

  const forged = `${id}.t.${expiry}.${'A'.repeat(22)}`;
  const otherAction = `${id}.d.${expiry}.${signature}`; // "done" with the take-care signature
  const otherRecord = `${created.reference}-2.t.${expiry}.${signature}`;
  const longer = `${id}.t.${(Number.parseInt(expiry!, 36) + 86_400 * 30).toString(36)}.${signature}`;
  for (const bad of [forged, otherAction, otherRecord, longer]) {
    for (const init of [undefined, form({ confirm: '1' })]) {
      const response = await fetch(`${baseUrl}/r/${bad}`, init);
      assert.equal(response.status, 403, bad);
      assert.match(await response.text(), /Ce lien n’est pas valide/);
    }
  }
  const malformed = await fetch(`${baseUrl}/r/n-importe-quoi`);
  assert.equal(malformed.status, 403);

  // Links outlive the reassignment (expireDays) by the margin: still valid just before, dead after.
  const { expireDays, linkMarginDays } = referrals.service.policy;
  clock.advanceDays(expireDays + linkMarginDays - 0.01);
  assert.equal((await fetch(takeCare)).status, 200);
  clock.advanceDays(0.02);
  for (const init of [undefined, form({ confirm: '1' })]) {
    const expired = await fetch(takeCare, init);
    assert.equal(expired.status, 410);
    assert.match(await expired.text(), /Ce lien a expiré le .* et n’a rien modifié/);
  }
  assert.equal((await referrals.service.get(`${created.reference}-1`))!.status, 'pending');
});

test('double submit creates one referral; concurrent submits too', async () => {
  const { referrals } = await setup(t);
  const input = holderInput({ decision: (await import('./helpers.js')).decision(['clisson-sevre-maine-eco', 'mission-locale-vignoble']) });
  const [a, b] = await Promise.all([referrals.service.createReferral(input), referrals.service.createReferral(input)]);
  const c = await referrals.service.createReferral(input);
  assert.equal(a.reference, b.reference);
  assert.equal(a.reference, c.reference);
  assert.deepEqual([a.created, b.created, c.created].filter(Boolean).length, 1);
  assert.deepEqual(a.referrals.map((r) => r.actorId), ['clisson-sevre-maine-eco', 'mission-locale-vignoble']);
  assert.equal((await referrals.store.referrals.byConversation(input.conversationId)).length, 2);
  assert.equal(await referrals.store.referrals.count(), 2);
  assert.equal((await referrals.store.mails.queued()).length, 3, 'two actor e-mails and one confirmation, once');
  assert.equal(referrals.service.actorLoad('mission-locale-vignoble'), 1, 'the router’s monthly load counts it once');
  assert.equal(referrals.service.actorLoad('ecossolies'), 0);
});

test('another project in the same conversation is a new request; the same one again is not', async () => {
  const { referrals } = await setup(t);
  const first = holderInput();
  const a = await referrals.service.createReferral(first);
  const sameAgain = await referrals.service.createReferral({ ...first, contact: { ...first.contact, name: 'Camille P.' } });
  assert.equal(sameAgain.reference, a.reference);
  assert.equal(sameAgain.created, false);
  // After « recommencer »: same conversation, another project (another stage).
  const other = await referrals.service.createReferral({ ...first, profile: { ...first.profile, stage: 'developpement' } });
  assert.equal(other.created, true);
  assert.notEqual(other.reference, a.reference);
  assert.equal((await referrals.store.referrals.byConversation(first.conversationId)).length, a.referrals.length + other.referrals.length);
});

test('invalid transitions are refused with a French message', async () => {
  const { referrals } = await setup(t);
  const created = await referrals.service.createReferral(holderInput());
  const id = `${created.reference}-1`;
  await assert.rejects(referrals.service.transition(id, 'decline', 'actor:x', 'pas une raison'), (e: unknown) => {
    assert.ok(e instanceof ReferralError);
    assert.equal(e.code, 'invalid_input');
    assert.match(e.message, /Motif de refus inconnu/);
    return true;
  });
  await referrals.service.transition(id, 'done', 'actor:clisson-sevre-maine-eco');
  const record = (await referrals.service.get(id))!;
  assert.deepEqual(record.history.map((h) => `${h.from ?? '∅'}→${h.to}`), ['∅→pending', 'pending→taking_care', 'taking_care→done']);
  await assert.rejects(referrals.service.transition(id, 'take_care', 'actor:x'), (e: unknown) => {
    assert.ok(e instanceof ReferralError);
    assert.equal(e.code, 'invalid_transition');
    assert.equal(
      e.message,
      `Action impossible : l’orientation ${id} est « accompagnement engagé » ; « prendre en charge » n’est possible que si elle est « en attente ».`,
    );
    return true;
  });
  await assert.rejects(referrals.service.transition(id, 'expire', 'system'), /Action impossible .* « expirer » n’est possible que si elle est « en attente »/);
  await assert.rejects(referrals.service.transition(`${created.reference}-9`, 'done', 'system'), /Orientation AIG-.*-9 introuvable/);
  await assert.rejects(
    referrals.service.createReferral({ ...holderInput(), contact: { name: 'Sans moyen de contact' } as never }),
    /une adresse e-mail ou un numéro de téléphone est nécessaire/,
  );
});

test('the structures proposed for a need receive the request together with the local one; a welcome waits', async () => {
  const { referrals, smtp, clock } = await setup(t);
  const together = await referrals.service.createReferral(holderInput({ decision: decision(['clisson-sevre-maine-eco'], ['urscop-ouest', 'france-active-pdl'], { welcome: false }) }));
  assert.deepEqual(
    together.referrals.map((r) => [r.actorId, r.tier, r.status]),
    [
      ['clisson-sevre-maine-eco', 'local', 'pending'],
      ['urscop-ouest', 'expert', 'pending'],
      ['france-active-pdl', 'expert', 'pending'],
    ],
  );
  await referrals.mailer.flush();
  const to = smtp.received.filter((m) => m.queueId.startsWith(together.reference) && m.queueId.endsWith('.actor-new')).map((m) => m.to[0]);
  assert.deepEqual(to.sort(), ['clisson-sevre-maine-eco@example.org', 'france-active-pdl@example.org', 'urscop-ouest@example.org']);
  // Each one is told who else received the same request, so that they can agree on who calls.
  const urscop = smtp.received.find((m) => m.queueId === `${together.reference}-2.actor-new`)!;
  assert.match(urscop.text, /EN MÊME TEMPS QUE VOUS\r?\n- Clisson Sèvre et Maine Agglo/);

  // A welcome (the territory's ESS welcome) comes only if the local structure does not follow.
  const welcome = await referrals.service.createReferral(holderInput({ decision: decision(['clisson-sevre-maine-eco'], ['cress-pdl']) }));
  assert.deepEqual(welcome.referrals.map((r) => r.actorId), ['clisson-sevre-maine-eco']);
  clock.advanceMs(1000);
  await referrals.service.decline(`${welcome.reference}-1`, { reason: 'hors_offre' }, 'actor:clisson-sevre-maine-eco');
  const dossier = await referrals.service.byReference(welcome.reference);
  assert.deepEqual(dossier.map((r) => [r.actorId, r.status]), [
    ['clisson-sevre-maine-eco', 'declined'],
    ['cress-pdl', 'pending'],
  ]);
});
