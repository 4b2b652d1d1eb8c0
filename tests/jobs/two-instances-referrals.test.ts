// Two instances of the real referral service on one PostgreSQL database, each with its
// follow-up scheduler on pg-boss and its own outbox: every e-mail owed (confirmations, then the
// reminders both schedulers find due) is written once in all, by one instance or the other.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { openJobQueue } from '../../src/jobs/queue.js';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { Clock, holderInput, testActors } from '../referrals/helpers.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const outboxFiles = (dir: string): string[] => {
  try {
    return readdirSync(join(dir, 'outbox')).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
};

async function until(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await condition()) return true;
    await sleep(200);
  }
  return condition();
}

describe('two instances of the referral service, schedulers on pg-boss', () => {
  let test: TestDatabase;
  const databases: Database[] = [];
  const dirs: string[] = [];
  const instances: Referrals[] = [];
  const clock = new Clock(Date.parse('2025-03-07T09:00:00Z')); // a Friday in Paris

  beforeAll(async () => {
    test = await createTestDatabase('jobs_referrals');
    for (let i = 0; i < 2; i += 1) {
      const database = await openDatabase({ url: test.url });
      databases.push(database);
      const dataDir = mkdtempSync(join(tmpdir(), `aig-jobs-${i}-`));
      dirs.push(dataDir);
      instances.push(
        await openReferrals({
          dataDir,
          database,
          publicUrl: 'https://aiguillage.example.org',
          actors: await testActors(),
          mailFrom: 'Aiguillage <aiguillage@example.org>',
          secret: 'secret-de-test-0123456789',
          adminEmail: 'coordination@example.org',
          now: clock.now,
          intervalMs: 1000,
        }),
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(instances.map((r) => r.close()));
    await Promise.allSettled(databases.map((d) => d.close()));
    await test?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('every e-mail once across both outboxes, and each reminder once', async () => {
    const [a, b] = instances as [Referrals, Referrals];
    const references: string[] = [];
    for (let i = 0; i < 6; i += 1) references.push((await (i % 2 ? b : a).service.createReferral(holderInput())).reference);
    const owed = (await a.store.mails.queued()).length;
    assert.ok(owed >= 12, `${owed} e-mails queued`);

    await Promise.all([
      a.scheduler.start({ jobs: await openJobQueue({ database: databases[0]!, pollingIntervalSeconds: 0.5 }) }),
      b.scheduler.start({ jobs: await openJobQueue({ url: test.url, pollingIntervalSeconds: 0.5 }) }),
    ]);
    assert.ok(await until(async () => (await a.store.mails.queued()).length === 0, 30_000), 'the queue empties');

    clock.set('2025-03-12T10:00:00Z'); // Wednesday: three working days, the first reminders are due
    const reminded = async () => (await Promise.all(references.map((ref) => a.store.mails.summary(`${ref}-1.remind-1`)))).every((m) => m?.state === 'sent');
    assert.ok(await until(reminded, 30_000), 'every first reminder sent');
    await sleep(2500); // a few more ticks on both instances: nothing more is owed
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);

    const written = [...outboxFiles(dirs[0]!), ...outboxFiles(dirs[1]!)];
    assert.equal(new Set(written).size, written.length, 'no e-mail written by both instances');
    assert.equal(written.length, owed + references.length);
    for (const ref of references) {
      assert.equal((await a.service.get(`${ref}-1`))!.followUp.reminders, 1);
      assert.ok(written.includes(`${ref}-1.remind-1.eml`));
    }
    assert.equal(await a.store.mails.known(`${references[0]}-1.remind-2`), false);
  }, 90_000);
});
