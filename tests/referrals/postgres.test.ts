// The referral use cases on PostgreSQL with two instances on one database: a referral created
// on one is read, counted (monthly capacity) and moved on the other; both mailers run at once
// and a real SMTP server receives every e-mail exactly once; a message claimed by an instance
// that died mid-send goes out from the other once the lease has run out; erasure on PostgreSQL.
import assert from 'node:assert/strict';
import { afterAll, test } from '@jest/globals';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { Mailer } from '../../src/notifications/mailer.js';
import { smtpTransport } from '../../src/notifications/transport.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { ReferralIndex } from '../../src/stats/referralIndex.js';
import { all } from '../support/collect.js';
import { t } from '../support/context.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { startSmtp } from '../notifications/smtp.js';
import { Clock, holderInput, tempDir, testActors } from './helpers.js';

let testDb: TestDatabase | undefined;
const databases: Database[] = [];
afterAll(async () => {
  await Promise.all(databases.map((db) => db.close().catch(() => undefined)));
  await testDb?.drop();
});

/** Two instances: each its own pool, data directory (outbox) and service, one database. */
async function twoInstances(clock: Clock, smtpUrl?: string): Promise<[Referrals, Referrals]> {
  testDb ??= await createTestDatabase('referrals_pg');
  const actors = await testActors();
  const open = async (name: string) => {
    const database = await openDatabase({ url: testDb!.url, max: 4 });
    databases.push(database);
    await database.pool.query('TRUNCATE referrals, mail_queue');
    const referrals = await openReferrals({
      dataDir: tempDir(t, `aig-pg-${name}`),
      database,
      publicUrl: 'https://aiguillage.example.org',
      actors,
      mailFrom: 'Aiguillage <aiguillage@example.org>',
      secret: 'secret-de-test-0123456789',
      adminEmail: 'coordination@exemple.fr',
      smtpUrl,
      now: clock.now,
    });
    t.after(() => referrals.close());
    return referrals;
  };
  return [await open('a'), await open('b')];
}

test('a referral created on one instance is read, counted and moved on the other', async () => {
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const [a, b] = await twoInstances(clock);
  const created = await a.service.createReferral(holderInput());
  assert.equal(created.created, true);
  assert.equal(created.holderEmailQueued, true);
  const id = created.referrals[0]!.id;
  assert.equal((await b.service.byReference(created.reference)).length, created.referrals.length);
  const actor = created.referrals[0]!.actorId;
  assert.equal(a.service.actorLoad(actor), 1, 'counted at once where it was created');
  await b.service.refreshLoads();
  assert.equal(b.service.actorLoad(actor), 1, 'and on the other instance after its refresh');

  // The same conversation submitted again on the other instance: nothing new.
  const again = await b.service.createReferral({ ...holderInput(), conversationId: (await a.service.get(id))!.conversationId });
  assert.equal(again.created, false);
  assert.equal(again.reference, created.reference);

  await b.service.transition(id, 'take_care', `actor:${actor}`);
  assert.equal((await a.service.get(id))!.status, 'taking_care');
  assert.ok(await a.store.mails.known(`${id}.holder-taken`), 'the e-mail it owes was committed with it');

  // The statistics index of instance A sees B's write.
  const index = new ReferralIndex();
  await index.sync(a.store);
  assert.equal(index.statusOf(index.slotOf(id)!), 'taking_care');
  await b.service.transition(id, 'done', `actor:${actor}`);
  await index.sync(a.store);
  assert.equal(index.statusOf(index.slotOf(id)!), 'done');
});

test('one submit reaching both instances at once (no sticky session) makes one referral', async () => {
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const [a, b] = await twoInstances(clock);
  for (let round = 0; round < 5; round++) {
    const input = holderInput();
    const results = await Promise.all([a.service.createReferral(input), b.service.createReferral(input)]);
    assert.equal(results[0].reference, results[1].reference, 'the same reference told to both tabs');
    assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
    const records = await a.service.byReference(results[0].reference);
    assert.equal(records.length, results[0].referrals.length);
    assert.equal((await a.store.mails.queuedFor(results[0].reference)).filter((m) => m.id.endsWith('.holder-confirm')).length, 1);
  }
  assert.equal(await a.store.referrals.count(), 5 * (await a.service.byReference((await all(a.store.referrals.summaries()))[0]!.reference)).length);
});

test('one action sent to both instances at once: one applies it, the other says it is already done', async () => {
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const [a, b] = await twoInstances(clock);
  const created = await a.service.createReferral(holderInput());
  const { id, actorId } = created.referrals[0]!;
  const results = await Promise.allSettled([a.service.transition(id, 'take_care', `actor:${actorId}`), b.service.transition(id, 'take_care', `actor:${actorId}`)]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const refused = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as { code?: string };
  assert.equal(refused.code, 'already_done', 'planned again from the saved record, not a conflict');
  const record = (await a.service.get(id))!;
  assert.equal(record.version, 2);
  assert.equal(record.history.filter((h) => h.action === 'take_care').length, 1);
});

test('both instances send at once: every e-mail reaches the SMTP server exactly once', async () => {
  const smtp = await startSmtp();
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const [a, b] = await twoInstances(clock, `smtp://127.0.0.1:${smtp.port}`);
  t.after(() => smtp.stop()); // after the mailers' pooled connections are closed
  const references: string[] = [];
  for (let i = 0; i < 6; i++) references.push((await (i % 2 ? b : a).service.createReferral(holderInput())).reference);
  const owed = (await a.store.mails.queued()).map((m) => m.id).sort();
  assert.ok(owed.length >= 12);
  const reports = await Promise.all([a.mailer.flush(), b.mailer.flush(), a.mailer.flush(), b.mailer.flush()]);
  assert.equal(reports[0]!.sent + reports[1]!.sent, owed.length);
  const received = smtp.received.map((m) => m.queueId).sort();
  assert.deepEqual(received, owed, 'each once');
  assert.deepEqual(await a.store.mails.queued(), []);
  for (const id of owed) assert.equal((await b.store.mails.summary(id))?.state, 'sent');
});

test('an e-mail claimed by an instance that died mid-send goes out from the other once the lease has run out', async () => {
  const smtp = await startSmtp();
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const [a, b] = await twoInstances(clock);
  const created = await a.service.createReferral(holderInput());
  // Instance A claims everything, then "dies": no receipt, no requeue.
  const claimed = await a.store.mails.claim(clock.now(), { leaseMs: 60_000 });
  assert.ok(claimed.length >= 2);
  const mailer = new Mailer({ store: b.store, transport: smtpTransport(`smtp://127.0.0.1:${smtp.port}`, 'Aiguillage <aiguillage@example.org>'), outboxDir: tempDir(t, 'aig-pg-outbox'), now: clock.now, leaseMs: 60_000 });
  t.after(() => mailer.close());
  t.after(() => smtp.stop());
  assert.equal((await mailer.flush()).sent, 0, 'leased by the dead instance');
  clock.advanceMs(60_000);
  assert.equal((await mailer.flush()).sent, claimed.length);
  assert.deepEqual(smtp.received.map((m) => m.queueId).sort(), claimed.map((m) => m.id).sort());
  assert.ok(smtp.received.some((m) => m.queueId === `${created.reference}.holder-confirm`));
});

test('erasure on PostgreSQL: records scrubbed, unsent e-mails dropped, found by reference only', async () => {
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const [a, b] = await twoInstances(clock);
  const input = holderInput();
  const created = await a.service.createReferral(input);
  const report = await b.service.eraseHolder(created.reference, input.contact.email!);
  assert.equal(report.referrals, created.referrals.length);
  assert.ok(report.discardedEmails >= 2);
  for (const r of await a.service.byReference(created.reference)) {
    assert.equal(r.contact, null);
    assert.ok(r.erasedAt);
  }
  assert.deepEqual(await a.store.mails.queuedFor(created.reference), []);
  const left = await databases[0]!.pool.query("SELECT count(*) AS n FROM referrals WHERE record::text LIKE '%' || $1 || '%'", [input.contact.email]);
  assert.equal(left.rows[0].n, 0);
});
