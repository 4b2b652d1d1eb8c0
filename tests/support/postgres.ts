// A fresh, empty PostgreSQL database per test file, on the throwaway cluster that
// scripts/run-tests.mjs starts (scripts/postgres.mjs) and names in AIGUILLAGE_TEST_DATABASE_URL.
// Without it the tests fail with the reason: they never skip silently.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function testClusterUrl(): string {
  const url = process.env.AIGUILLAGE_TEST_DATABASE_URL;
  if (!url) throw new Error('AIGUILLAGE_TEST_DATABASE_URL absent : lancez les tests par `npm test`, qui démarre PostgreSQL (scripts/postgres.mjs).');
  return url;
}

export interface TestDatabase {
  url: string;
  name: string;
  /** Drops the database (closing whatever connections remain). */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testClusterUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(prefix = 't'): Promise<TestDatabase> {
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(testClusterUrl(), name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
