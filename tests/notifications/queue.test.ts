// The mail queue: SMTP down then up delivers every message exactly once (counted by queue id at
// a real SMTP server), with backoff; the queue survives a restart; the outbox never duplicates.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { Mailer } from '../../src/notifications/mailer.js';
import { outboxTransport, smtpTransport } from '../../src/notifications/transport.js';
import { openStore, type QueuedMail } from '../../src/store/index.js';
import { Clock, tempDir } from '../referrals/helpers.js';
import { startSmtp } from './smtp.js';

const FROM = 'Aiguillage <aiguillage@example.org>';

function mail(id: string, at: Date): QueuedMail {
  return {
    id,
    reference: 'AIG-2345-67',
    kind: 'test',
    to: ['porteur@exemple.fr'],
    subject: `Votre demande ${id}`,
    text: 'Bonjour, votre demande est transmise à une structure d’accompagnement.',
    html: '<p>Bonjour, votre demande est transmise à une structure d’accompagnement.</p>',
    createdAt: at.toISOString(),
    attempts: 0,
    nextAttemptAt: at.toISOString(),
    lastError: null,
  };
}

test('SMTP down, then up: each message is delivered exactly once, after a backoff, across a restart', async () => {
  const dataDir = tempDir(t, 'aig-queue');
  const smtp = await startSmtp();
  t.after(() => smtp.stop().catch(() => undefined));
  await smtp.stop(); // the server is down
  const clock = new Clock(Date.parse('2025-03-10T09:00:00Z'));
  const logs: string[] = [];
  let store = await openStore({ dataDir });
  let mailer = new Mailer({ store, transport: smtpTransport(`smtp://127.0.0.1:${smtp.port}`, FROM), outboxDir: join(dataDir, 'outbox'), now: clock.now, log: (m) => logs.push(m) });
  const ids = ['AIG-2345-67.a', 'AIG-2345-67.b', 'AIG-2345-67.c'];
  await store.commit({ enqueue: ids.map((id) => mail(id, clock.now())) });

  assert.deepEqual(await mailer.flush(), { sent: 0, failed: 3, notes: 0 });
  assert.deepEqual((await store.mails.queued()).map((m) => [m.attempts, m.nextAttemptAt - clock.now().getTime()]), [[1, 30_000], [1, 30_000], [1, 30_000]]);
  assert.match(logs[0]!, /courriel AIG-2345-67\.a : échec de l’envoi \(ECONNREFUSED|ESOCKET|ECONNECTION/);
  assert.ok(logs.every((l) => !l.includes('exemple.fr')), 'no address in the logs');
  assert.deepEqual(await mailer.flush(), { sent: 0, failed: 0, notes: 0 }, 'nothing before the backoff');
  clock.advanceMs(30_000);
  await mailer.flush();
  assert.deepEqual((await store.mails.queued()).map((m) => [m.attempts, m.nextAttemptAt - clock.now().getTime()]), [[2, 60_000], [2, 60_000], [2, 60_000]], 'the delay doubles');

  // Restart while the server is still down: the queue is on disk.
  mailer.close();
  await store.close();
  store = await openStore({ dataDir });
  mailer = new Mailer({ store, transport: smtpTransport(`smtp://127.0.0.1:${smtp.port}`, FROM), outboxDir: join(dataDir, 'outbox'), now: clock.now });
  assert.equal((await store.mails.queued()).length, 3);

  await smtp.start(); // back up
  clock.advanceMs(60_000);
  const [a, b] = await Promise.all([mailer.flush(), mailer.flush()]); // concurrent flushes share one run
  assert.deepEqual(a, { sent: 3, failed: 0, notes: 0 });
  assert.equal(a, b);
  clock.advanceMs(3_600_000);
  assert.deepEqual(await mailer.flush(), { sent: 0, failed: 0, notes: 0 });
  await store.commit({ enqueue: ids.map((id) => mail(id, clock.now())) }); // re-enqueued by mistake
  assert.deepEqual(await mailer.flush(), { sent: 0, failed: 0, notes: 0 });

  const perId = new Map<string, number>();
  for (const m of smtp.received) perId.set(m.queueId, (perId.get(m.queueId) ?? 0) + 1);
  assert.deepEqual([...perId.entries()].sort(), ids.map((id) => [id, 1]));
  assert.deepEqual(smtp.received.map((m) => m.messageId).sort(), ids.map((id) => `<${id}@example.org>`));
  assert.equal(smtp.received[0]!.text.trim(), 'Bonjour, votre demande est transmise à une structure d’accompagnement.');
  mailer.close();
  await store.close();
});

test('without SMTP: one .eml per message in the outbox, coordinator notes without recipient', async () => {
  const dataDir = tempDir(t, 'aig-outbox');
  const clock = new Clock(Date.parse('2025-03-10T09:00:00Z'));
  const store = await openStore({ dataDir });
  t.after(() => store.close());
  const outboxDir = join(dataDir, 'outbox');
  const mailer = new Mailer({ store, transport: outboxTransport(outboxDir, FROM), outboxDir, now: clock.now });
  await store.commit({ enqueue: [mail('AIG-2345-67.x', clock.now()), { ...mail('AIG-2345-67-1.coord-expired', clock.now()), to: [] }] });
  assert.deepEqual(await mailer.flush(), { sent: 1, failed: 0, notes: 1 });
  assert.deepEqual(await mailer.flush(), { sent: 0, failed: 0, notes: 0 });
  assert.deepEqual([...readdirSync(outboxDir)].sort(), ['AIG-2345-67.x.eml', 'coordination']);
  assert.deepEqual([...readdirSync(join(outboxDir, 'coordination'))], ['AIG-2345-67-1.coord-expired.txt']);
});

test('database down right after the server accepted a message: the receipt is written when it answers, the message is not sent again', async () => {
  const dataDir = tempDir(t, 'aig-queue-receipt');
  const smtp = await startSmtp();
  t.after(() => smtp.stop().catch(() => undefined));
  const clock = new Clock(Date.parse('2025-03-10T09:00:00Z'));
  const store = await openStore({ dataDir });
  t.after(() => store.close());
  // The store refuses the first two receipt writes, as a database that stopped would.
  let refusals = 2;
  const flaky = {
    mails: store.mails,
    commit: async (tx: Parameters<typeof store.commit>[0]) => {
      if (tx.delivered && refusals > 0) {
        refusals -= 1;
        throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
      }
      return store.commit(tx);
    },
  };
  const logs: string[] = [];
  const mailer = new Mailer({ store: flaky, transport: smtpTransport(`smtp://127.0.0.1:${smtp.port}`, FROM), outboxDir: join(dataDir, 'outbox'), now: clock.now, leaseMs: 1_000, log: (m) => logs.push(m) });
  await store.commit({ enqueue: [mail('AIG-2345-67.r', clock.now())] });

  assert.deepEqual(await mailer.flush(), { sent: 1, failed: 0, notes: 0 });
  assert.match(logs.join('\n'), /courriel AIG-2345-67\.r envoyé ; accusé d’envoi pas encore écrit \(ECONNRESET\)/);
  clock.advanceMs(5_000); // the lease is over: only the kept receipt stops a second sending
  await mailer.flush().catch(() => undefined); // the second refusal: this pass stops there
  assert.equal(smtp.received.length, 1);
  await mailer.flush(); // the database answers: the receipt goes first
  assert.equal((await store.mails.queued()).length, 0);
  assert.equal(smtp.received.length, 1, 'sent once');
  mailer.close(); // before the server stops: its pooled connection would hold the stop
});
