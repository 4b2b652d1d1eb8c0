// The production job queue: pg-boss 10 on the shared PostgreSQL database, so that with N
// instances each job runs once (SKIP LOCKED fetch; singleton slots and fixed ids dedupe the sends
// that every instance makes). pg-boss installs and migrates its own schema (`pgboss`).
import { createHash } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Database } from '../store/postgres/database.js';

export const JOBS_SCHEMA = 'pgboss';
// Two pg-boss create_queue calls at once deadlock (each inserts its queue row, then both want
// the queue table's lock for their partition's foreign key): instances create queues in turn.
const CREATE_QUEUE_LOCK = 4_178_0400;

export interface JobOptions {
  /** At most one job per key and time slot of `singletonSeconds` (every instance may send it). */
  singletonKey?: string;
  singletonSeconds?: number;
  /** A fixed id (see `jobId`): a second send of the same id is ignored while the job is kept. */
  id?: string;
  /** Retries after the handler threw (default 3), `retryDelaySeconds` apart, doubling. */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** The handler is failed (then retried) after this long (default 15 min). */
  expireInSeconds?: number;
}

export interface JobQueue {
  /** Creates the queue if needed and handles its jobs on this instance, one at a time. */
  work<T>(name: string, handler: (data: T, job: { id: string; retryCount: number }) => Promise<unknown>): Promise<void>;
  /** The job's id, or null when a singleton slot or fixed id already holds one. */
  send(name: string, data: object, options?: JobOptions): Promise<string | null>;
  /** Stops fetching, waits up to `timeoutMs` for running handlers (then fails them: retried elsewhere). */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  readonly boss: PgBoss;
}

export interface OpenJobQueueOptions {
  /** The instance's database (its URL is used: pg-boss keeps a small pool of its own)… */
  database?: Pick<Database, 'url'>;
  /** …or DATABASE_URL itself. */
  url?: string;
  /** How often an idle worker looks for jobs (default 2 s, at least 0.5). */
  pollingIntervalSeconds?: number;
  /** Connections of pg-boss's own pool (default 3). */
  max?: number;
  log?: (message: string) => void;
}

/** A stable uuid for a job that must exist once (the monthly report of a month). */
export function jobId(key: string): string {
  const h = createHash('sha256').update(`aiguillage:${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function openJobQueue(options: OpenJobQueueOptions): Promise<JobQueue> {
  const url = options.url ?? options.database?.url;
  if (!url) throw new Error('openJobQueue : ni database ni url');
  const boss = new PgBoss({
    connectionString: url,
    schema: JOBS_SCHEMA,
    application_name: 'aiguillage-jobs',
    max: options.max ?? 3,
    // Our clocks are our own timers; pg-boss's cron monitor is not used.
    schedule: false,
    // Completed jobs stay in the job table (where fixed ids dedupe) for two days, then archived.
    archiveCompletedAfterSeconds: 2 * 86_400,
    deleteAfterDays: 7,
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
  });
  // Unhandled, an 'error' event would throw. While the database is down every worker's poll
  // fails: the same message is logged once per 30 s, not once per poll.
  const lastLogged = new Map<string, number>();
  boss.on('error', (error) => {
    const at = Date.now();
    if (at - (lastLogged.get(error.message) ?? -Infinity) < 30_000) return;
    lastLogged.set(error.message, at);
    if (lastLogged.size > 100) lastLogged.clear();
    options.log?.(`file de tâches : ${error.message}`);
  });
  await boss.start();
  const created = new Set<string>();
  const ensureQueue = async (name: string) => {
    if (created.has(name)) return;
    if (!(await boss.getQueue(name))) {
      const client = new pg.Client({ connectionString: url, application_name: 'aiguillage-jobs' });
      client.on('error', () => undefined); // a lost connection fails the query below; not the process
      await client.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [CREATE_QUEUE_LOCK]);
        await boss.createQueue(name); // ON CONFLICT DO NOTHING: the second instance finds it made
      } finally {
        await client.end(); // ends the session, and its lock with it
      }
    }
    created.add(name);
  };
  return {
    boss,
    async work(name, handler) {
      await ensureQueue(name);
      await boss.work<never>(name, { batchSize: 1, includeMetadata: true }, async ([job]) => {
        if (job) return handler(job.data, { id: job.id, retryCount: job.retryCount });
      });
    },
    async send(name, data, o = {}) {
      await ensureQueue(name);
      return boss.send(name, data, {
        id: o.id,
        singletonKey: o.singletonKey,
        singletonSeconds: o.singletonSeconds,
        retryLimit: o.retryLimit ?? 3,
        retryDelay: o.retryDelaySeconds ?? 30,
        retryBackoff: true,
        expireInSeconds: o.expireInSeconds ?? 900,
      });
    },
    stop: (o = {}) => boss.stop({ graceful: true, wait: true, timeout: o.timeoutMs ?? 10_000 }),
  };
}
