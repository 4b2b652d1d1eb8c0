// Production mode of the follow-up scheduler: two instances (two pg-boss instances, two
// schedulers) on one real PostgreSQL database; every job they both send runs once.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import pg from 'pg';
import { JOBS_SCHEMA, openJobQueue, type JobQueue } from '../../src/jobs/queue.js';
import { createScheduler, JOB_NAMES, type Scheduler, type SchedulerOptions } from '../../src/referrals/scheduler.js';
import { DEFAULT_POLICY } from '../../src/referrals/policy.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

interface Counters {
  followUp: number;
  chores: number;
  flush: number;
  monthly: string[];
  /** Follow-up passes running at the same moment, at most. */
  overlap: number;
}

function fakeArea(counters: Counters, overrides: Partial<SchedulerOptions> = {}): SchedulerOptions {
  let active = 0;
  return {
    service: {
      policy: DEFAULT_POLICY,
      async followUp() {
        counters.followUp += 1;
        active += 1;
        counters.overlap = Math.max(counters.overlap, active);
        await sleep(50);
        active -= 1;
        return { reminded: 0, expired: 0, checkedIn: 0, errors: 0 };
      },
      async anonymiseDue() {
        counters.chores += 1;
        return 0;
      },
    },
    mailer: {
      async flush() {
        counters.flush += 1;
        return { sent: 0, failed: 0, notes: 0 };
      },
    },
    store: { needsCompaction: async () => false, compact: async () => assert.fail('nothing to compact') },
    ...overrides,
  };
}

const fresh = (): Counters => ({ followUp: 0, chores: 0, flush: 0, monthly: [], overlap: 0 });

async function withJobsClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function jobRows(url: string, name: string): Promise<{ state: string; retry_count: number; singleton_on: Date | null }[]> {
  const { rows } = await withJobsClient(url, (client) =>
    client.query(`SELECT state, retry_count, singleton_on FROM ${JOBS_SCHEMA}.job WHERE name = $1 UNION ALL SELECT state, retry_count, singleton_on FROM ${JOBS_SCHEMA}.archive WHERE name = $1`, [name]),
  );
  return rows;
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return;
    await sleep(100);
  }
}

describe('scheduler on pg-boss: two instances, one database', () => {
  let test: TestDatabase;
  const opened: { scheduler: Scheduler; queue: JobQueue }[] = [];

  async function instance(options: SchedulerOptions): Promise<{ scheduler: Scheduler; sends: { tried: number; created: number } }> {
    const queue = await openJobQueue({ url: test.url, pollingIntervalSeconds: 0.5 });
    const sends = { tried: 0, created: 0 };
    const counting: JobQueue = {
      boss: queue.boss,
      work: (name, handler) => queue.work(name, handler),
      stop: (o) => queue.stop(o),
      async send(name, data, o) {
        const id = await queue.send(name, data, o);
        if (name === JOB_NAMES.followUp) {
          sends.tried += 1;
          if (id) sends.created += 1;
        }
        return id;
      },
    };
    const scheduler = createScheduler({ ...options, jobs: counting });
    opened.push({ scheduler, queue });
    return { scheduler, sends };
  }

  beforeAll(async () => {
    test = await createTestDatabase('jobs');
  });
  afterAll(async () => {
    await Promise.allSettled(opened.map((o) => o.scheduler.stop()));
    await test?.drop();
  });

  it('both schedulers tick every second for 6 s: each follow-up slot runs once, never two at a time', async () => {
    const counters = fresh();
    const options = fakeArea(counters, { intervalMs: 1000, choresEveryMs: 3000 });
    const [a, b] = await Promise.all([instance(options), instance(options)]);
    const started = Date.now();
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    await sleep(6000);
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    const seconds = (Date.now() - started) / 1000;

    const rows = await jobRows(test.url, JOB_NAMES.followUp);
    const slots = new Set(rows.map((r) => r.singleton_on?.getTime()));
    // Both instances sent at every interval; the slots kept one job of each pair.
    assert.ok(a.sends.tried + b.sends.tried >= 10, `sends: ${a.sends.tried} + ${b.sends.tried}`);
    assert.equal(a.sends.created + b.sends.created, rows.length);
    assert.equal(slots.size, rows.length, 'one job per one-second slot');
    assert.ok(rows.length <= Math.ceil(seconds) + 1, `${rows.length} jobs in ${seconds} s`);
    assert.ok(rows.length >= 4, `${rows.length} jobs`);
    // Every job ran exactly once (completed, no retry) and nothing else ran the follow-up.
    assert.deepEqual(rows.map((r) => r.state), rows.map(() => 'completed'));
    assert.equal(counters.followUp, rows.length);
    assert.equal(counters.overlap, 1);
    // E-mail sending: one flush per slot as well.
    const mails = await jobRows(test.url, JOB_NAMES.mail);
    assert.equal(new Set(mails.map((r) => r.singleton_on?.getTime())).size, mails.length);
    assert.equal(counters.flush, mails.length);
    // Chores every 3 s: far fewer than ticks, once per slot.
    const chores = await jobRows(test.url, JOB_NAMES.chores);
    assert.equal(counters.chores, chores.length);
    assert.ok(chores.length >= 2 && chores.length <= Math.ceil(seconds / 3) + 1, `${chores.length} chores`);
  }, 60_000);

  it('the monthly report of a month is queued once by two instances, however often they tick', async () => {
    const counters = fresh();
    const monthly = {
      tick: async () => assert.fail('production mode sends a job instead'),
      dueMonth: () => '2026-11',
      async queue(month: string) {
        counters.monthly.push(month);
        await sleep(200);
        return { queued: 3 };
      },
    };
    const options = fakeArea(counters, { intervalMs: 500, monthly });
    const [a, b] = await Promise.all([instance(options), instance(options)]);
    await Promise.all([a.scheduler.start(), b.scheduler.start()]);
    await until(() => counters.monthly.length > 0, 10_000);
    await sleep(3000); // six more intervals on each instance
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
    assert.deepEqual(counters.monthly, ['2026-11']);
    const rows = await jobRows(test.url, JOB_NAMES.monthlyReport);
    assert.deepEqual(rows.map((r) => r.state), ['completed']);
    // The e-mails it queued went out right after.
    assert.ok(counters.flush >= 1);
  }, 60_000);

  it('a job whose worker throws is retried, then completes', async () => {
    const counters = fresh();
    let failures = 0;
    const options = fakeArea(counters, {
      intervalMs: 60_000, // only the send at start: one mail job
      retryDelaySeconds: 1,
      mailer: {
        async flush() {
          counters.flush += 1;
          if (failures === 0) {
            failures += 1;
            throw new Error('base momentanément indisponible');
          }
          return { sent: 1, failed: 0, notes: 0 };
        },
      },
    });
    // Mail jobs the earlier tests published and never ran (their schedulers stopped) would be
    // taken by this worker too and counted as a second attempt: this test starts from none.
    await withJobsClient(test.url, (c) => c.query(`DELETE FROM ${JOBS_SCHEMA}.job WHERE name = $1`, [JOB_NAMES.mail]));
    const { scheduler } = await instance(options);
    await scheduler.start();
    await until(() => counters.flush >= 2, 15_000);
    await sleep(500);
    await scheduler.stop();
    assert.equal(counters.flush, 2);
    const rows = (await jobRows(test.url, JOB_NAMES.mail)).filter((r) => r.retry_count > 0 || r.state !== 'completed');
    assert.deepEqual(rows.map((r) => [r.state, r.retry_count]), [['completed', 1]]);
  }, 60_000);
});
