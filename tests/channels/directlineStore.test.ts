// The Direct Line conversations port: one contract, the in-memory adapter (embedded mode) and the
// PostgreSQL one (production), same assertions.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, it } from '@jest/globals';
import { MemoryDirectLineStore, type ConversationLimits, type DirectLineStore } from '../../src/channels/directline/conversations.js';
import { openPostgresDirectLineStore } from '../../src/channels/directline/postgresStore.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const LIMITS: ConversationLimits = { maxConversations: 100, maxActivities: 3, maxLogBytes: 10_000, idleMs: 1000, maxQueuedTurns: 5 };

let testDb: TestDatabase | undefined;
const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((db) => db.close()));
  await testDb?.drop();
});

interface Adapter {
  name: string;
  open(now: () => number): Promise<DirectLineStore>;
}
const adapters: Adapter[] = [
  { name: 'memory', open: async (now) => new MemoryDirectLineStore(LIMITS, now) },
  {
    name: 'postgres',
    async open(now) {
      testDb ??= await createTestDatabase('dlstore');
      const db = await openDatabase({ url: testDb.url, max: 4 });
      opened.push(db);
      return openPostgresDirectLineStore(db, { limits: LIMITS, now, lockConnections: 2 });
    },
  },
];

describe.each(adapters)('DirectLineStore ($name)', (adapter) => {
  it('sequence numbers are the watermark; the log keeps the newest within the count and byte budgets', async () => {
    const store = await adapter.open(Date.now);
    try {
      const c = await store.create('dl_user', 'demo');
      const got = await store.get(c.id);
      assert.deepEqual({ id: got?.id, userId: got?.userId, partnerId: got?.partnerId }, { id: c.id, userId: 'dl_user', partnerId: 'demo' });
      const ids: string[] = [];
      for (let i = 0; i < 5; i += 1) ids.push(await store.append(c.id, { type: 'message', text: String(i) }));
      assert.deepEqual(ids, [0, 1, 2, 3, 4].map((n) => `${c.id}|${String(n).padStart(7, '0')}`));
      const page = await store.since(c.id, 0);
      assert.deepEqual(page.activities.map((a) => [a.id, a.text]), [2, 3, 4].map((n) => [ids[n], String(n)]));
      assert.equal(page.watermark, '5');
      assert.deepEqual((await store.since(c.id, 4)).activities.map((a) => a.text), ['4']);
      assert.deepEqual(await store.since(c.id, 9), { activities: [], watermark: '5' });
      const big = await store.create('dl_user', undefined);
      for (let i = 0; i < 3; i += 1) await store.append(big.id, { type: 'message', text: 'x'.repeat(4000) });
      assert.equal((await store.since(big.id, 0)).activities.length, 2, 'the byte budget trims the log too');
      assert.equal((await store.get(big.id))?.partnerId, undefined);
    } finally {
      await store.close();
    }
  });

  it('a post with a known clientActivityID is not appended again', async () => {
    const store = await adapter.open(Date.now);
    try {
      const c = await store.create('dl_user', undefined);
      const first = await store.post(c.id, { type: 'message', text: 'bonjour' }, 'client-1');
      const again = await store.post(c.id, { type: 'message', text: 'bonjour' }, 'client-1');
      assert.deepEqual([again.id, again.known], [first.id, true]);
      await store.markAnswered(c.id, 'client-1');
      assert.equal(await store.isAnswered(c.id, 'client-1'), true);
      assert.equal((await store.post(c.id, { type: 'message', text: 'bonjour' }, 'client-1')).answered, true);
      assert.equal(await store.isAnswered(c.id, 'client-2'), false);
      assert.equal(await store.knownPost(c.id, 'client-1'), first.id);
      assert.equal(await store.knownPost(c.id, 'client-2'), undefined);
      const other = await store.post(c.id, { type: 'message', text: 'sans identifiant' });
      assert.equal(other.known, false);
      assert.deepEqual((await store.since(c.id, 0)).activities.map((a) => a.text), ['bonjour', 'sans identifiant']);
    } finally {
      await store.close();
    }
  });

  it('turns of one conversation run one at a time, in order; another conversation is not held up', async () => {
    const store = await adapter.open(Date.now);
    try {
      const c = await store.create('dl_user', undefined);
      const d = await store.create('dl_user', undefined);
      const log: string[] = [];
      const turn = (name: string, ms: number) => async () => {
        log.push(`début ${name}`);
        await sleep(ms);
        log.push(`fin ${name}`);
        return name;
      };
      const first = store.runTurn(c.id, turn('c1', 60));
      const second = store.runTurn(c.id, turn('c2', 5));
      assert.equal(store.queued(c.id), 2);
      await sleep(15);
      const other = await store.runTurn(d.id, turn('d1', 1));
      assert.equal(other, 'd1');
      assert.deepEqual(await Promise.all([first, second]), ['c1', 'c2']);
      assert.deepEqual(log, ['début c1', 'début d1', 'fin d1', 'fin c1', 'début c2', 'fin c2']);
      assert.equal(store.queued(c.id), 0);
      await assert.rejects(store.runTurn(c.id, async () => Promise.reject(new Error('tour en échec'))), /tour en échec/);
      assert.equal(await store.runTurn(c.id, async () => 'après un échec'), 'après un échec', 'a failed turn does not block the next');
    } finally {
      await store.close();
    }
  });

  it('an idle conversation is not served, and the sweep forgets it', async () => {
    let clock = Date.now();
    const store = await adapter.open(() => clock);
    try {
      const old = await store.create('dl_user', undefined);
      clock += 600;
      const recent = await store.create('dl_user', undefined);
      clock += 600;
      assert.ok(await store.get(recent.id));
      assert.equal(await store.get(old.id), undefined);
      await store.sweep();
      assert.deepEqual(await store.since(old.id, 0), { activities: [], watermark: '0' });
      assert.ok(await store.get(recent.id), 'used 0.6 s ago: kept');
    } finally {
      await store.close();
    }
  });
});
