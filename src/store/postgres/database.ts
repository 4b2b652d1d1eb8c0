// The production engine's connection: a `pg` pool, the versioned SQL migrations of
// ./migrations run at start-up by node-pg-migrate (under its advisory lock, so that two
// instances starting together migrate once), and one transaction per use case.
import pg from 'pg';
import { runner } from 'node-pg-migrate';
import { projectPath } from '../../paths.js';

// Found from the project root: the same folder whether the code runs from src/ or from dist/.
export const MIGRATIONS_DIR = projectPath('src', 'store', 'postgres', 'migrations');
const MIGRATIONS_TABLE = 'aiguillage_migrations';
const MIGRATION_LOCK = 4_178_2026;

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface Database {
  readonly url: string;
  readonly pool: pg.Pool;
  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on error). */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  url: string;
  /** Pool size per instance (default 10). */
  max?: number;
  log?: (message: string) => void;
  /** Default true: apply pending migrations before answering. */
  migrate?: boolean;
}

// bigint (COUNT, BIGSERIAL) as JS numbers: our counters stay far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // A request waiting for a connection fails after 5 s (the holder is told to retry) rather than hanging.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'aiguillage',
  });
  // An idle client losing its server (restart, network) must not crash the process.
  pool.on('error', (error) => options.log?.(`PostgreSQL : connexion perdue (${error.message})`));
  guardCheckedOutClients(pool);
  if (options.migrate !== false) await migrate(pool, options.log);
  return {
    url: options.url,
    pool,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/**
 * A connection lost while a client is checked out (a transaction between two queries, a turn
 * holding its lock) is emitted as an 'error' event on that client, which the pool does not
 * listen to then: unhandled, it stopped the whole process when PostgreSQL went down (found by
 * the PostgreSQL-stopped proof). The failing query already rejects; the client is discarded.
 */
export function guardCheckedOutClients(pool: pg.Pool): void {
  pool.on('connect', (client) => client.on('error', () => undefined));
}

/** Applies the pending migrations of MIGRATIONS_DIR; returns their names. */
export async function migrate(pool: pg.Pool, log?: (message: string) => void): Promise<string[]> {
  const client = await pool.connect();
  // node-pg-migrate's own lock is a try-lock that fails the second instance starting at the
  // same moment; this one waits, then the second finds nothing left to apply.
  await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
  try {
    const applied = await runner({
      noLock: true,
      dbClient: client,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      migrationsTable: MIGRATIONS_TABLE,
      checkOrder: true,
      singleTransaction: true,
      log: () => undefined,
      // Our files are numbered (0100_…), not timestamped: node-pg-migrate's warning about it is noise.
      logger: { debug: () => undefined, info: () => undefined, warn: (m: string) => log?.(`migrations : ${m}`), error: (m: string) => void (/determine timestamp/i.test(m) || log?.(`migrations : ${m}`)) },
    });
    if (applied.length) log?.(`PostgreSQL : ${applied.length} migration(s) appliquée(s) (${applied.map((m) => m.name).join(', ')})`);
    return applied.map((m) => m.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}

/**
 * The database is unreachable or restarting (connection refused or reset, server shutting down,
 * pool timeout): the caller answers « réessayez » instead of a 500, and nothing was confirmed.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006'].includes(e.code ?? '')) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connection (?:is )?closed|Client has encountered a connection error/i.test(e.message ?? '');
}
