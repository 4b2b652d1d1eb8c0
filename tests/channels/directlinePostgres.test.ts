// Direct Line in production mode: two instances on one PostgreSQL database, a holder's requests
// alternating between them (no sticky session); turn order, idempotence, limits and rate limits
// shared by the instances.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { openDatabase } from '../../src/store/postgres/database.js';
import { RateLimiter } from '../../src/channels/directline/rateLimit.js';
import { LoginLimiter } from '../../src/backoffice/rateLimit.js';
import { call, countingBot, page, say, start, startInstance, type Instance } from './instances.js';

let testDb: TestDatabase;
beforeAll(async () => {
  testDb = await createTestDatabase('dl');
});
afterAll(async () => {
  await testDb?.drop();
});

describe('Direct Line on PostgreSQL, two instances (counting bot)', () => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    a = await startInstance('A', testDb.url);
    b = await startInstance('B', testDb.url);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('starts on A, posts on B, polls on A: one conversation, consistent watermarks, the state follows', async () => {
    const c = await start(a);
    const greeting = await page(b, c);
    assert.deepEqual(greeting.activities.map((x) => x.text), ['Bonjour !']);
    assert.equal(greeting.watermark, '1');

    const r1 = await say(b, c, 'un projet à Clisson');
    assert.equal(r1.status, 200, JSON.stringify(r1.json));
    const afterFirst = await page(a, c, 1);
    assert.deepEqual(afterFirst.activities.map((x) => [x.from.role, x.text]), [['user', 'un projet à Clisson'], ['bot', 'tour 1 : un projet à Clisson']]);
    assert.equal(afterFirst.activities[0]!.id, r1.json.id);
    assert.equal(afterFirst.activities[1]!.replyToId, r1.json.id);
    assert.equal(afterFirst.watermark, '3');

    // Alternate: each post on the other instance, each poll from the last watermark.
    let watermark = 3;
    for (const [i, on] of [a, b, a, b].entries()) {
      assert.equal((await say(on, c, `message ${i + 2}`)).status, 200);
      const next = await page(on === a ? b : a, c, watermark);
      assert.deepEqual(next.activities.map((x) => x.text), [`message ${i + 2}`, `tour ${i + 2} : message ${i + 2}`]);
      assert.equal(Number(next.watermark), watermark + 2);
      watermark = Number(next.watermark);
    }
    assert.deepEqual((await page(b, c, watermark)).activities, [], 'nothing new: nothing served twice');
    const all = await page(a, c);
    assert.deepEqual(all.activities.map((x) => Number(x.id.split('|')[1])), [...Array(11).keys()], 'sequence numbers without gap or repeat');
  });

  it('a retry of the same post on the other instance is not a second message (clientActivityID)', async () => {
    const c = await start(b);
    const first = await say(a, c, 'une seule fois', 'retry-x');
    const again = await say(b, c, 'une seule fois', 'retry-x');
    assert.equal(again.status, 200);
    assert.equal(again.json.id, first.json.id);
    // Two instances receiving the same retry at the same moment: still one message.
    const [p, q] = await Promise.all([say(a, c, 'course', 'retry-y'), say(b, c, 'course', 'retry-y')]);
    assert.equal(p.json.id, q.json.id);
    const texts = (await page(a, c)).activities.map((x) => x.text);
    assert.equal(texts.filter((x) => x === 'une seule fois').length, 1);
    assert.equal(texts.filter((x) => x === 'course').length, 1);
    assert.deepEqual(texts.filter((x) => x?.startsWith('tour')), ['tour 1 : une seule fois', 'tour 2 : course'], 'one turn per message');
  });

  it('a post whose instance died before its turn completed: the retry on the other instance runs the turn, once', async () => {
    const c = await start(a);
    // What A had done when it was killed: the echo and its clientActivityID stored, no reply.
    const echo = { type: 'message', text: 'orphelin', from: { id: 'dl_x', role: 'user' }, channelData: { clientActivityID: 'mort-1' } };
    const orphan = await a.channel.store.post(c.conversationId, echo, 'mort-1');
    const [p, q] = await Promise.all([say(b, c, 'orphelin', 'mort-1'), say(a, c, 'orphelin', 'mort-1')]);
    assert.deepEqual([p.status, q.status], [200, 200]);
    assert.deepEqual([p.json.id, q.json.id], [orphan.id, orphan.id]);
    const texts = (await page(a, c)).activities.map((x) => x.text);
    assert.deepEqual(texts, ['Bonjour !', 'orphelin', 'tour 1 : orphelin'], 'the turn ran once, for the first post, without a second echo');
    assert.equal((await say(b, c, 'orphelin', 'mort-1')).status, 200);
    assert.equal((await page(b, c)).activities.length, 3, 'answered: a later retry is only acknowledged');
  });

  it('tokens and conversation checks hold on the other instance', async () => {
    const one = await start(a);
    const other = await start(a);
    const cross = await call(b, 'GET', `/conversations/${one.conversationId}/activities`, { token: other.token });
    assert.equal(cross.status, 403);
    assert.equal(cross.json.message, 'Ce jeton ne donne pas accès à cette conversation.');
    assert.equal((await call(b, 'GET', `/conversations/${one.conversationId}/activities`)).status, 401);
    const refreshed = await call(b, 'POST', '/tokens/refresh', { token: one.token });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.json.conversationId, one.conversationId);
    const resumed = await call(a, 'POST', '/conversations', { token: refreshed.json.token as string });
    assert.equal(resumed.status, 200, 'a token given by B resumes on A');
    await a.db.pool.query('DELETE FROM directline_conversation WHERE id = $1', [one.conversationId]);
    const gone = await call(b, 'GET', `/conversations/${one.conversationId}/activities`, { token: one.token });
    assert.equal(gone.status, 404);
    assert.equal(gone.json.message, 'Conversation introuvable ou expirée.');
  });
});

describe('Direct Line on PostgreSQL: turn order across instances', () => {
  it('the turns of one conversation never overlap, whichever instance receives them, and the state counts every one', async () => {
    let running = 0;
    let maxRunning = 0;
    const slow = countingBot(async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await sleep(20);
      running -= 1;
    });
    const a = await startInstance('A', testDb.url, { bot: slow });
    const b = await startInstance('B', testDb.url, { bot: slow });
    try {
      const c = await start(a);
      const texts = ['un', 'deux', 'trois', 'quatre', 'cinq', 'six'];
      const results = await Promise.all(texts.map((t, i) => say(i % 2 ? b : a, c, t)));
      assert.deepEqual(results.map((r) => r.status), texts.map(() => 200), JSON.stringify(results.map((r) => r.json)));
      assert.equal(maxRunning, 1, 'one turn at a time across both instances');
      const replies = (await page(b, c)).activities.filter((x) => x.from.role === 'bot' && x.text?.startsWith('tour'));
      assert.deepEqual(replies.map((x) => Number(x.text!.split(' ')[1])), [1, 2, 3, 4, 5, 6], 'no lost update of the conversation state');
      assert.deepEqual([...a.errors, ...b.errors], []);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('Direct Line on PostgreSQL: limits', () => {
  it('the activity log is bounded (count and bytes) and idle conversations are swept', async () => {
    let clock = Date.now();
    const a = await startInstance('A', testDb.url, { limits: { maxActivities: 4, maxLogBytes: 2000, idleMs: 60_000 }, now: () => clock });
    try {
      const c = await start(a);
      for (let i = 0; i < 3; i += 1) assert.equal((await say(a, c, `m${i}`)).status, 200);
      const p = await page(a, c);
      assert.equal(p.watermark, '7');
      assert.deepEqual(p.activities.map((x) => x.text), ['m1', 'tour 2 : m1', 'm2', 'tour 3 : m2'], 'the oldest go first');
      assert.deepEqual((await page(a, c, 6)).activities.map((x) => x.text), ['tour 3 : m2']);
      await say(a, c, 'x'.repeat(1500));
      const trimmed = await page(a, c);
      assert.ok(trimmed.activities.length < 4, 'the byte budget trims the log too');
      assert.equal(trimmed.activities.at(-1)!.text, `tour 4 : ${'x'.repeat(1500)}`);

      clock += 61_000;
      assert.equal((await call(a, 'GET', `/conversations/${c.conversationId}/activities`, { token: c.token })).status, 404, 'idle: never served');
      await a.channel.store.sweep();
      const left = await a.db.pool.query('SELECT count(*)::int AS n FROM directline_activity WHERE conversation_id = $1', [c.conversationId]);
      assert.equal(left.rows[0].n, 0, 'the sweep deleted its activities');
    } finally {
      await a.close();
    }
  });

  it('rate limits: two instances share one budget (429 in French, Retry-After)', async () => {
    const limits = { perConversationMessages: { capacity: 3, refillPerSecond: 0.01 }, perAddressNewConversations: { capacity: 2, refillPerSecond: 0.01 } };
    const a = await startInstance('A', testDb.url, { limits });
    const b = await startInstance('B', testDb.url, { limits });
    try {
      await a.db.pool.query('TRUNCATE aiguillage_rate_limit');
      const c = await start(a);
      await start(b);
      const third = await call(a, 'POST', '/conversations', { body: {} });
      assert.equal(third.status, 429, 'the address used its two starts, one on each instance');
      assert.ok(Number(third.headers.get('retry-after')) >= 1);
      const statuses = [];
      for (const on of [a, b, a, b]) statuses.push((await say(on, c, 'vite')).status);
      assert.deepEqual(statuses, [200, 200, 200, 429]);
      const r = await say(a, c, 'encore');
      assert.equal(r.status, 429);
      assert.equal(r.json.message, 'Vous envoyez des messages très vite : merci de patienter quelques secondes.');
      assert.ok(Number(r.headers.get('retry-after')) >= 1);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the same limiter on two pools is one budget, kept in the library’s table', async () => {
    const one = await openDatabase({ url: testDb.url, max: 2 });
    const two = await openDatabase({ url: testDb.url, max: 2 });
    try {
      const x = new RateLimiter({ capacity: 2, refillPerSecond: 0.1 }, 'partage', one);
      const y = new RateLimiter({ capacity: 2, refillPerSecond: 0.1 }, 'partage', two);
      assert.equal(await x.take('10.0.0.1'), 0);
      assert.equal(await y.take('10.0.0.1'), 0);
      const wait = await x.take('10.0.0.1');
      assert.ok(wait >= 1 && wait <= 20, `wait ${wait}`);
      assert.equal(await y.take('10.0.0.2'), 0);
      const rows = await one.pool.query("SELECT key, points FROM aiguillage_rate_limit WHERE key LIKE 'dl-partage:%' ORDER BY key");
      assert.deepEqual(rows.rows, [{ key: 'dl-partage:10.0.0.1', points: 3 }, { key: 'dl-partage:10.0.0.2', points: 1 }]);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('back-office login limits: failures on one instance count on the other; a success on either clears the account', async () => {
    const one = await openDatabase({ url: testDb.url, max: 2 });
    const two = await openDatabase({ url: testDb.url, max: 2 });
    try {
      const limits = { perAddress: { max: 4, windowMs: 60_000 }, perAccount: { max: 2, windowMs: 60_000 } };
      const x = new LoginLimiter(limits, one);
      const y = new LoginLimiter(limits, two);
      await x.failure('10.1.0.1', 'camille@exemple.fr');
      assert.equal(await y.check('10.1.0.2', 'camille@exemple.fr'), 0);
      await y.failure('10.1.0.2', 'Camille@exemple.fr');
      const wait = await x.check('10.1.0.3', 'camille@exemple.fr');
      assert.ok(wait > 50_000 && wait <= 60_000, `the account is blocked on both instances (${wait} ms)`);
      await y.success('camille@exemple.fr');
      assert.equal(await x.check('10.1.0.3', 'camille@exemple.fr'), 0);
      for (const email of ['a@x.fr', 'b@x.fr']) await x.failure('10.1.0.9', email);
      for (const email of ['c@x.fr', 'd@x.fr']) await y.failure('10.1.0.9', email);
      assert.ok((await x.check('10.1.0.9', 'e@x.fr')) > 0, 'the address used its four failures across the two instances');
      // A very long typed address still counts in the shared table (hashed to fit its key column).
      const long = `${'x'.repeat(600)}@exemple.fr`;
      await x.failure('10.1.0.7', long);
      await y.failure('10.1.0.8', long.toUpperCase());
      assert.ok((await y.check('10.1.0.6', long)) > 50_000, 'shared, not the per-instance insurance');
    } finally {
      await one.close();
      await two.close();
    }
  });
});
