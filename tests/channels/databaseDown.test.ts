// PostgreSQL stopped under the Direct Line channel: short French 503s with Retry-After (never a
// 500, never a crash), the holder told to retry, and the service back by itself once the
// database is. A throwaway cluster of this file's own, started and stopped here.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
// @ts-expect-error -- plain JavaScript script, no declarations
import { startCluster, stopCluster } from '../../scripts/postgres.mjs';
import { call, page, say, start, startInstance, type Instance } from './instances.js';

const UNAVAILABLE = 'Le service est momentanément indisponible, réessayez dans quelques secondes.';
const dir = join(tmpdir(), `aig-down-${randomBytes(4).toString('hex')}`);
const port = 56000 + Math.floor(Math.random() * 2000);
let url: string;
// Durable (fsync, synchronous commit): an immediate stop must not lose what was confirmed.
const restart = () => (startCluster as (dir: string, port: number, options: { durable: boolean }) => string)(dir, port, { durable: true });

beforeAll(() => {
  url = restart();
});
afterAll(() => {
  (stopCluster as (dir: string, options: { remove: boolean }) => void)(dir, { remove: true });
});

/** Every answer while the database is down: 503, Retry-After, the French sentence, no internals. */
function assertUnavailable(r: { status: number; headers: Headers; json: Record<string, unknown> }, what: string): void {
  assert.equal(r.status, 503, `${what}: ${r.status} ${JSON.stringify(r.json)}`);
  assert.equal(r.headers.get('retry-after'), '5', what);
  assert.deepEqual(r.json, { code: 'ServiceUnavailable', message: UNAVAILABLE }, what);
}

async function waitFor<T>(attempt: () => Promise<T | undefined>, ms = 15_000, seen: string[] = []): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const value = await attempt().catch((error: unknown) => {
      last = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`still failing: ${String(last)} ${seen.slice(-3).join(' | ')}`);
    await sleep(200);
  }
}

describe('database down under the Direct Line channel', () => {
  let a: Instance;
  beforeAll(async () => {
    a = await startInstance('A', url);
  });
  afterAll(async () => {
    await a?.close();
  });

  it('answers « réessayez » (503, Retry-After) on every endpoint, then recovers by itself', async () => {
    const c = await start(a);
    assert.equal((await say(a, c, 'avant la panne')).status, 200);

    (stopCluster as (dir: string) => void)(dir);
    const answers = [
      ['poll', await call(a, 'GET', `/conversations/${c.conversationId}/activities?watermark=0`, { token: c.token })],
      ['post', await say(a, c, 'pendant la panne', 'panne-1')],
      ['start', await call(a, 'POST', '/conversations', { body: { partner: 'demo' } })],
      ['resume', await call(a, 'GET', `/conversations/${c.conversationId}`, { token: c.token })],
      ['refresh', await call(a, 'POST', '/tokens/refresh', { token: c.token })],
    ] as const;
    for (const [what, r] of answers) assertUnavailable(r, what);
    // A storm of polls: all 503, the process stays up, nothing logged as an unexpected error.
    const storm = await Promise.all(Array.from({ length: 30 }, () => call(a, 'GET', `/conversations/${c.conversationId}/activities?watermark=0`, { token: c.token })));
    assert.deepEqual([...new Set(storm.map((r) => r.status))], [503]);
    assert.deepEqual(a.errors.filter((e) => /inattendue/.test(e)), []);

    restart();
    // The widget retries the same post (same clientActivityID): it goes through once.
    const statuses: string[] = [];
    const retried = await waitFor(async () => {
      const r = await say(a, c, 'pendant la panne', 'panne-1');
      statuses.push(`${r.status} ${String(r.json.message)}`);
      return r.status === 200 ? r : undefined;
    }, 15_000, statuses);
    assert.equal(retried.status, 200, statuses.join('\n'));
    const texts = (await page(a, c)).activities.map((x) => x.text);
    assert.deepEqual(texts, ['Bonjour !', 'avant la panne', 'tour 1 : avant la panne', 'pendant la panne', 'tour 2 : pendant la panne'], 'nothing lost, nothing doubled');
  });
});

describe('database down under the bot turn only (Direct Line in memory)', () => {
  it('the turn that cannot read the conversation state ends with the French message in the conversation', async () => {
    const a = await startInstance('A', url, { sharedChannel: false });
    try {
      await waitFor(async () => ((await a.db.pool.query('SELECT 1')).rowCount ? true : undefined));
      const c = await start(a);
      (stopCluster as (dir: string) => void)(dir);
      assertUnavailable(await say(a, c, 'état illisible'), 'post');
      const p = await page(a, c);
      assert.deepEqual(p.activities.map((x) => [x.from.role, x.text]).slice(-2), [['user', 'état illisible'], ['bot', UNAVAILABLE]]);
      assert.equal(p.activities.at(-1)!.replyToId, p.activities.at(-2)!.id);
    } finally {
      restart();
      await a.close();
    }
  });
});
