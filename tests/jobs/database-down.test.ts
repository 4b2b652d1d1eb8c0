// PostgreSQL stopped under the schedulers on pg-boss: nothing crashes, the log says so a few
// times (not once per poll), and the follow-up resumes by itself once the database is back.
// A throwaway cluster of this file's own, stopped and started again here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
// @ts-expect-error -- plain JavaScript script, no declarations
import { startCluster, stopCluster } from '../../scripts/postgres.mjs';
import { openJobQueue } from '../../src/jobs/queue.js';
import { createScheduler, type Scheduler } from '../../src/referrals/scheduler.js';
import { DEFAULT_POLICY } from '../../src/referrals/policy.js';

const dir = join(tmpdir(), `aig-jobs-down-${randomBytes(4).toString('hex')}`);
const port = 58000 + Math.floor(Math.random() * 1500);
const start = () => (startCluster as (dir: string, port: number, options: { durable: boolean }) => string)(dir, port, { durable: true });
const stop = () => (stopCluster as (dir: string, options?: { remove: boolean }) => void)(dir);

describe('database down under the schedulers', () => {
  let url: string;
  const schedulers: Scheduler[] = [];
  beforeAll(() => {
    url = start();
  }, 120_000);
  afterAll(async () => {
    start(); // stopping pg-boss gracefully needs its database
    await Promise.allSettled(schedulers.map((s) => s.stop()));
    (stopCluster as (dir: string, options: { remove: boolean }) => void)(dir, { remove: true });
  });

  it('two instances keep running through a 6 s outage and tick again by themselves', async () => {
    let followUps = 0;
    const logs: string[] = [];
    for (let i = 0; i < 2; i += 1) {
      const scheduler = createScheduler({
        service: {
          policy: DEFAULT_POLICY,
          followUp: async () => {
            followUps += 1;
            return { reminded: 0, expired: 0, checkedIn: 0, errors: 0 };
          },
          anonymiseDue: async () => 0,
        },
        mailer: { flush: async () => ({ sent: 0, failed: 0, notes: 0 }) },
        store: { needsCompaction: async () => false, compact: async () => assert.fail('nothing to compact') },
        intervalMs: 1000,
        log: (m) => logs.push(m),
      });
      schedulers.push(scheduler);
      await scheduler.start({ jobs: await openJobQueue({ url, pollingIntervalSeconds: 0.5, log: (m) => logs.push(m) }) });
    }
    await sleep(3000);
    assert.ok(followUps >= 2, `${followUps} passes before the outage`);

    stop();
    await sleep(1500);
    const during = followUps;
    await sleep(4500);
    assert.equal(followUps, during, 'no pass while the database is down');
    start();

    const resumed = Date.now();
    while (followUps === during && Date.now() - resumed < 30_000) await sleep(200);
    assert.ok(followUps > during, 'the follow-up resumed by itself');
    // Two instances × four queues polling every 0.5 s for 6 s would be ~100 lines: throttled.
    const queueErrors = logs.filter((m) => m.startsWith('file de tâches'));
    assert.ok(queueErrors.length >= 1 && queueErrors.length <= 30, `${queueErrors.length} lines:\n${queueErrors.slice(0, 5).join('\n')}`);
  }, 120_000);
});
