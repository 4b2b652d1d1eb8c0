import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { isDatabaseUnavailable, migrate, openDatabase, type Database } from '../../../src/store/postgres/database.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';

describe('PostgreSQL connection and migrations', () => {
  let test: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    test = await createTestDatabase('database');
    db = await openDatabase({ url: test.url });
  });
  afterAll(async () => {
    await db?.close();
    await test?.drop();
  });

  it('applies the migrations once: a second run (another instance starting) applies nothing', async () => {
    const { rows } = await db.pool.query<{ name: string }>('SELECT name FROM aiguillage_migrations ORDER BY id');
    assert.ok(rows.some((r) => r.name === '0001_base'), JSON.stringify(rows));
    assert.deepEqual(await migrate(db.pool), []);
  });

  it('two instances migrating together: both succeed, each migration recorded once', async () => {
    const other = await createTestDatabase('database_race');
    try {
      const [a, b] = await Promise.all([openDatabase({ url: other.url }), openDatabase({ url: other.url })]);
      const { rows } = await a.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM aiguillage_migrations WHERE name = $1', ['0001_base']);
      assert.equal(rows[0]!.n, 1);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await other.drop();
    }
  });

  it('a transaction that throws leaves nothing behind', async () => {
    await assert.rejects(
      db.transaction(async (c) => {
        await c.query("INSERT INTO aiguillage_instance (key, value) VALUES ('k', 'v')");
        throw new Error('boom');
      }),
      /boom/,
    );
    const { rows } = await db.pool.query("SELECT * FROM aiguillage_instance WHERE key = 'k'");
    assert.equal(rows.length, 0);
  });

  it('a connection lost while checked out (a transaction between two queries) fails its query, not the process', async () => {
    const client = await db.pool.connect();
    const errors: unknown[] = [];
    const onUncaught = (e: unknown) => errors.push(e);
    process.on('uncaughtException', onUncaught);
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // What a server stopping does to every session: this one is cut while idle in its transaction.
      await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await assert.rejects(client.query('SELECT 1'));
      assert.equal(client.listenerCount('error') > 0, true, 'the pool gives every client an error listener');
      assert.deepEqual(errors, []);
    } finally {
      process.off('uncaughtException', onUncaught);
      client.release(true);
    }
    assert.equal((await db.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one, 1);
  });

  it('an unreachable server is recognised as « réessayez », a SQL error is not', async () => {
    const down = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', migrate: false });
    const error = await down.pool.query('SELECT 1').catch((e: unknown) => e);
    assert.ok(isDatabaseUnavailable(error), String(error));
    await down.close();
    const sqlError = await db.pool.query('SELECT * FROM no_such_table').catch((e: unknown) => e);
    assert.ok(!isDatabaseUnavailable(sqlError));
  });
});
