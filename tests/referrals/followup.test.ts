// Follow-up with a controlled clock: reminders after working days (weekends skipped), expiry at
// 14 days, escalation local → experts → network head → coordinators, declines with a suggested
// actor, check-ins, anonymisation after 24 months, idle conversations purged.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { Clock, decision, holderInput, tempDir, testActors } from './helpers.js';

async function setup(t: Parameters<typeof tempDir>[0] & { after(fn: () => unknown): void }, start: string, adminEmail?: string) {
  const dataDir = tempDir(t, 'aig-followup');
  const clock = new Clock(Date.parse(start));
  const referrals = await openReferrals({
    dataDir,
    publicUrl: 'https://aiguillage.example.org',
    actors: await testActors(),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-0123456789',
    adminEmail,
    now: clock.now,
  });
  t.after(() => referrals.close());
  return { referrals, clock, dataDir, outbox: join(dataDir, 'outbox') };
}

const sent = async (r: Referrals, id: string) => (await r.store.mails.summary(id))?.state === 'sent';
const statuses = async (r: Referrals, reference: string) => (await r.service.byReference(reference)).map((x) => `${x.actorId}:${x.tier}:${x.status}`);

test('reminders after 3 and 7 working days, expiry at 14 days, escalation up to the network head', async () => {
  // Friday 7 March 2025, 10:00 in Paris.
  const { referrals: r, clock, outbox } = await setup(t, '2025-03-07T09:00:00Z');
  const { reference } = await r.service.createReferral(holderInput());
  const id = `${reference}-1`;
  await r.scheduler.tick();
  assert.ok((await sent(r, `${id}.actor-new`)) && (await sent(r, `${reference}.holder-confirm`)));
  assert.ok(existsSync(join(outbox, `${id}.actor-new.eml`)), 'without SMTP_URL, e-mails land in the outbox');

  clock.set('2025-03-10T09:00:00Z'); // Monday: 3 calendar days, 1 working day
  await r.scheduler.tick();
  assert.equal(await r.store.mails.known(`${id}.remind-1`), false, 'weekends do not count');
  clock.set('2025-03-12T08:59:00Z');
  await r.scheduler.tick();
  assert.equal(await r.store.mails.known(`${id}.remind-1`), false);
  clock.set('2025-03-12T09:00:00Z'); // Wednesday: 3 working days
  assert.equal((await r.scheduler.tick()).followUp.reminded, 1);
  assert.ok(await sent(r, `${id}.remind-1`));
  assert.equal((await r.scheduler.tick()).followUp.reminded, 0, 'one reminder per threshold');
  const reminder = readFileSync(join(outbox, `${id}.remind-1.eml`), 'utf8');
  assert.match(reminder, /Subject: =\?UTF-8\?Q\?Relance/);
  assert.match(reminder.replace(/=\r?\n/g, ''), /https:\/\/aiguillage\.example\.org\/r\/AIG-/, 'fresh links in the reminder');

  clock.set('2025-03-17T09:00:00Z'); // Monday: 6 working days
  await r.scheduler.tick();
  assert.equal(await r.store.mails.known(`${id}.remind-2`), false);
  clock.set('2025-03-18T09:00:00Z'); // Tuesday: 7 working days
  await r.scheduler.tick();
  assert.ok(await sent(r, `${id}.remind-2`));
  assert.equal((await r.service.get(id))!.followUp.reminders, 2);

  clock.set('2025-03-21T08:59:00Z');
  await r.scheduler.tick();
  assert.equal((await r.service.get(id))!.status, 'pending');
  clock.set('2025-03-21T09:00:00Z'); // 14 days
  const expiry = await r.scheduler.tick();
  assert.equal(expiry.followUp.expired, 1);
  assert.deepEqual(await statuses(r, reference), [
    'clisson-sevre-maine-eco:local:expired',
    'ecossolies:expert:pending',
    'france-active-pdl:expert:pending',
  ]);
  const expired = (await r.service.get(id))!;
  assert.deepEqual(expired.history.slice(-2).map((h) => [h.action, h.by]), [['expire', 'system'], ['escalate', 'system']]);
  const experts = (await r.service.byReference(reference)).slice(1);
  assert.ok(experts.every((e) => e.escalatedFrom === id && e.contact?.name === 'Camille Porteuse'));
  assert.ok(await sent(r, `${reference}-2.holder-escalated`), 'the holder is told');
  assert.ok((await sent(r, `${reference}-2.actor-new`)) && (await sent(r, `${reference}-3.actor-new`)));
  const expertMail = readFileSync(join(outbox, `${reference}-2.actor-new.eml`), 'utf8').replace(/=\r?\n/g, '');
  assert.match(expertMail, /D=C3=A9j=C3=A0 tent=C3=A9/, 'the history is handed over');
  const note = readFileSync(join(outbox, 'coordination', `${id}.coord-expired-escalated.txt`), 'utf8');
  assert.match(note, /expirée sans réponse, confiée au niveau suivant/);
  assert.doesNotMatch(note, /Camille|exemple\.fr|06 12/, 'coordinator alerts carry no personal data');

  clock.set('2025-04-04T09:00:00Z'); // both experts expire the same day
  await r.scheduler.tick();
  assert.deepEqual((await statuses(r, reference)).slice(1), [
    'ecossolies:expert:expired',
    'france-active-pdl:expert:expired',
    'cress-pdl:reseau:pending',
  ]);
  clock.set('2025-04-18T09:00:00Z');
  await r.scheduler.tick();
  const last = (await r.service.byReference(reference)).at(-1)!;
  assert.equal(last.status, 'expired');
  assert.deepEqual(last.review?.kind, 'no_target', 'nothing left: a coordinator must take it');
  assert.ok(existsSync(join(outbox, 'coordination', `${last.id}.coord-expired-no_target.txt`)));
  assert.equal((await r.service.byReference(reference)).length, 4);
});

test('a decline waits for the other actor of the tier; "should go to X" re-routes only within the next tier', async () => {
  const { referrals: r } = await setup(t, '2025-03-10T09:00:00Z', 'coordination@example.org');
  const two = await r.service.createReferral(holderInput({ decision: decision(['clisson-sevre-maine-eco', 'mission-locale-vignoble'], ['ecossolies']) }));
  await r.service.decline(`${two.reference}-1`, { reason: 'capacite' }, 'actor:clisson-sevre-maine-eco');
  assert.deepEqual(await statuses(r, two.reference), ['clisson-sevre-maine-eco:local:declined', 'mission-locale-vignoble:local:pending']);
  await r.service.decline(`${two.reference}-2`, { reason: 'hors_offre' }, 'actor:mission-locale-vignoble');
  assert.deepEqual((await statuses(r, two.reference)).at(-1), 'ecossolies:expert:pending');

  // Suggested actor in the next tier: re-routed at once, not to the whole tier.
  const next = await r.service.createReferral(holderInput());
  await r.service.decline(`${next.reference}-1`, { reason: 'hors_offre', shouldGoTo: 'france-active-pdl' }, 'actor:clisson-sevre-maine-eco');
  assert.deepEqual(await statuses(r, next.reference), ['clisson-sevre-maine-eco:local:declined', 'france-active-pdl:expert:pending']);
  assert.equal((await r.service.get(`${next.reference}-2`))!.history[0]!.reason, 'réorientation');

  // Suggested actor outside the next tier: flagged for a coordinator, nothing sent yet.
  const outside = await r.service.createReferral(holderInput());
  const declined = await r.service.decline(
    `${outside.reference}-1`,
    { reason: 'hors_territoire', shouldGoTo: 'sevre-loire-eco', comment: 'Le projet est à Vallet.' },
    'actor:clisson-sevre-maine-eco',
  );
  assert.deepEqual(declined.review, { kind: 'suggested_actor', actorId: 'sevre-loire-eco', at: '2025-03-10T09:00:00.000Z' });
  assert.equal((await r.service.byReference(outside.reference)).length, 1);
  const alert = await r.store.mails.get(`${outside.reference}-1.coord-suggested_actor`);
  assert.deepEqual(alert?.to, ['coordination@example.org']);
  assert.match(alert!.text, /Structure suggérée par clisson-sevre-maine-eco : sevre-loire-eco/);
  await assert.rejects(r.service.decline(`${outside.reference}-1`, { reason: 'autre' }, 'actor:x'), /déjà « déclinée »/);

  // The coordinator checks and re-routes.
  await r.service.reroute(`${outside.reference}-1`, 'sevre-loire-eco', 'coordinator:admin');
  assert.deepEqual(await statuses(r, outside.reference), ['clisson-sevre-maine-eco:local:declined', 'sevre-loire-eco:local:pending']);
  assert.equal((await r.service.get(`${outside.reference}-1`))!.review, null);
  await assert.rejects(r.service.decline(`${outside.reference}-2`, { reason: 'autre', shouldGoTo: 'inconnue' }, 'actor:x'), /Structure suggérée inconnue/);
});

test('check-ins after 30 and 60 days of taking care, with links to close', async () => {
  const { referrals: r, clock } = await setup(t, '2025-03-10T09:00:00Z');
  const { reference } = await r.service.createReferral(holderInput());
  const id = `${reference}-1`;
  await r.service.transition(id, 'take_care', 'actor:clisson-sevre-maine-eco');
  clock.advanceDays(29);
  assert.equal((await r.scheduler.tick()).followUp.checkedIn, 0);
  clock.advanceDays(1);
  assert.equal((await r.scheduler.tick()).followUp.checkedIn, 1);
  const mail = await r.store.mails.summary(`${id}.check-in-1`);
  assert.equal(mail?.state, 'sent');
  clock.advanceDays(30);
  await r.scheduler.tick();
  assert.ok(await r.store.mails.known(`${id}.check-in-2`));
  assert.equal((await r.service.get(id))!.followUp.checkIns, 2);
  clock.advanceDays(30);
  assert.equal((await r.scheduler.tick()).followUp.checkedIn, 0, 'two check-ins, then the coordinators follow up');
});

test('personal data is anonymised 24 months after closure, and leaves the disk', async () => {
  const { referrals: r, clock, dataDir, outbox } = await setup(t, '2025-03-10T09:00:00Z');
  const input = holderInput();
  const { reference } = await r.service.createReferral(input);
  const open = await r.service.createReferral(holderInput());
  await r.scheduler.tick();
  await r.service.transition(`${reference}-1`, 'done', 'actor:clisson-sevre-maine-eco', 'Rendez-vous pris avec Camille Porteuse');
  await r.service.transition(`${open.reference}-1`, 'take_care', 'actor:clisson-sevre-maine-eco');
  await r.store.conversations.write({ [`webchat/conversations/${input.conversationId}`]: { step: 'contact', name: 'Camille' } });

  clock.advanceDays(31);
  const purge = await r.scheduler.tick();
  assert.equal(purge.conversationsPurged, 1, 'idle conversation state is deleted after 30 days');

  clock.set('2027-03-09T09:00:00Z');
  await r.scheduler.tick();
  assert.equal((await r.service.get(`${reference}-1`))!.anonymisedAt, null, 'not yet 24 months');
  clock.set('2027-03-10T10:00:00Z');
  // Keep the other request active, so only the closed one is anonymised.
  await r.service.transition(`${open.reference}-1`, 'done', 'actor:clisson-sevre-maine-eco');
  const tick = await r.scheduler.tick();
  assert.equal(tick.anonymised, 1);
  assert.equal(tick.compacted, true);
  const anonymised = (await r.service.get(`${reference}-1`))!;
  assert.equal(anonymised.contact, null);
  assert.match(anonymised.conversationId, /^anonyme-[0-9a-f]{16}$/);
  assert.equal(anonymised.history.find((h) => h.action === 'done')!.reason, null, 'free text typed by people is removed');
  assert.deepEqual(anonymised.profile, input.profile, 'statistics keep the project');
  assert.notEqual((await r.service.get(`${open.reference}-1`))!.contact, null);

  const onDisk = readdirSync(join(dataDir, 'referrals')).map((f) => readFileSync(join(dataDir, 'referrals', f), 'utf8')).join('\n');
  assert.ok(!onDisk.includes(input.contact.email!), 'no copy of the e-mail address left in the journal');
  assert.ok(!onDisk.includes('Rendez-vous pris avec'), 'nor the free text');
  assert.ok(!readdirSync(outbox).some((f) => f.startsWith(reference)), 'outbox copies deleted');
});
