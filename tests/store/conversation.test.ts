// Conversation state on the store: botbuilder's ConversationState resumes after a restart;
// eTags as MemoryStorage; idle conversations expire. One contract, run against both adapters:
// the embedded files (openStore) and PostgreSQL (openPostgresConversationStore).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { t } from '../support/context.js';
import { ActivityHandler, ConversationState, TestAdapter } from 'botbuilder';
import { EtagConflictError, openStore, type ConversationStore } from '../../src/store/index.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { openPostgresConversationStore } from '../../src/store/postgres/conversationStore.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { Clock, tempDir } from '../referrals/helpers.js';

/** One "process" of an adapter: a store object, closed like a process stops. */
interface Opened {
  conversations: ConversationStore;
  close(): Promise<void>;
}
interface Adapter {
  name: string;
  /** A place (data directory or database) shared by the stores opened on it. */
  place(): Promise<string>;
  open(place: string, options?: { now?: () => Date }): Promise<Opened>;
}

const embedded: Adapter = {
  name: 'embedded',
  place: async () => tempDir(t, 'aig-conv'),
  async open(dataDir, options = {}) {
    const store = await openStore({ dataDir, ...options });
    return { conversations: store.conversations, close: () => store.close() };
  },
};

let testDb: TestDatabase | undefined;
const databases: Database[] = [];
const postgres: Adapter = {
  name: 'postgres',
  async place() {
    testDb ??= await createTestDatabase('conv');
    const db = await openDatabase({ url: testDb.url, max: 4 });
    await db.pool.query('TRUNCATE conversation_state'); // each test starts empty
    await db.close();
    return testDb.url;
  },
  async open(url, options = {}) {
    const db = await openDatabase({ url, max: 4 });
    databases.push(db);
    return { conversations: openPostgresConversationStore(db, options), close: () => db.close() };
  },
};
afterAll(async () => {
  await Promise.all(databases.map((db) => db.close().catch(() => undefined)));
  await testDb?.drop();
});

/** A bot that counts the holder's messages in conversation state and says the count. */
function countingBot(conversations: ConversationStore) {
  const state = new ConversationState(conversations);
  const turns = state.createProperty<number>('turns');
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    const n = (await turns.get(context, 0)) + 1;
    await turns.set(context, n);
    await context.sendActivity(`tour ${n} : ${context.activity.text}`);
    await next();
  });
  return { run: async (context: Parameters<ActivityHandler['run']>[0]) => {
    await bot.run(context);
    await state.saveChanges(context);
  } };
}

describe.each([embedded, postgres])('conversation state ($name)', (adapter) => {
  test('a restart in the middle of a conversation resumes where the holder was', async () => {
    const place = await adapter.place();
    let store = await adapter.open(place);
    const conversation = TestAdapter.createConversation('conv-redemarrage');
    let bot = new TestAdapter((c) => countingBot(store.conversations).run(c), conversation);
    await bot.send('bonjour').assertReply('tour 1 : bonjour').send('un projet à Clisson').assertReply('tour 2 : un projet à Clisson');
    await store.close();

    store = await adapter.open(place); // new process, same data directory or database
    bot = new TestAdapter((c) => countingBot(store.conversations).run(c), conversation);
    await bot.send('en création').assertReply('tour 3 : en création');
    if (adapter === embedded) {
      const files = readdirSync(join(place, 'conversations'));
      assert.equal(files.length, 1, 'one small document per conversation');
      assert.equal(statSync(join(place, 'conversations', files[0]!)).mode & 0o777, 0o600);
      assert.doesNotMatch(readdirSync(join(place, 'referrals')).map((f) => readFileSync(join(place, 'referrals', f), 'utf8')).join(''), /turns/, 'not in the referral journal');
    } else {
      assert.equal(Object.keys(await store.conversations.findByConversationId('conv-redemarrage')).length, 1, 'one row per conversation');
    }
    await store.close();
  });

  test('eTags: `*` or none is last write wins, a stale specific eTag is refused', async () => {
    const store = await adapter.open(await adapter.place());
    t.after(() => store.close());
    const conversations = store.conversations;
    const key = 'directline/conversations/abc';
    await conversations.write({ [key]: { step: 1 } });
    const first = (await conversations.read([key]))[key];
    assert.equal(first.step, 1);
    assert.equal(typeof first.eTag, 'string');

    await conversations.write({ [key]: { ...first, step: 2 } }); // matching eTag: accepted
    const second = (await conversations.read([key]))[key];
    assert.notEqual(second.eTag, first.eTag);
    await assert.rejects(conversations.write({ [key]: { ...first, step: 'onglet périmé' } }), EtagConflictError);
    await conversations.write({ [key]: { step: 3, eTag: '*' } });
    await conversations.write({ [key]: { step: 4 } });
    assert.equal((await conversations.read([key]))[key].step, 4);

    // Two tabs read the same version and write concurrently with it: exactly one wins.
    const seen = (await conversations.read([key]))[key];
    const results = await Promise.allSettled([
      conversations.write({ [key]: { ...seen, step: 'onglet A' } }),
      conversations.write({ [key]: { ...seen, step: 'onglet B' } }),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);

    await conversations.delete([key]);
    assert.deepEqual(await conversations.read([key]), {});
    await conversations.delete([key]); // deleting twice is fine
  });

  test('idle conversations expire after 30 days', async () => {
    const clock = new Clock(Date.parse('2025-03-10T09:00:00Z'));
    const store = await adapter.open(await adapter.place(), { now: clock.now });
    t.after(() => store.close());
    const conversations = store.conversations;
    await conversations.write({ 'webchat/conversations/old': { name: 'Camille' } });
    clock.advanceDays(20);
    await conversations.write({ 'webchat/conversations/recent': { name: 'Dominique' } });
    clock.advanceDays(10.5);
    assert.deepEqual(await conversations.read(['webchat/conversations/old']), {}, 'expired state is never served');
    assert.equal(await conversations.purgeIdle(), 1);
    assert.equal((await conversations.read(['webchat/conversations/recent']))['webchat/conversations/recent'].name, 'Dominique');
    assert.deepEqual(Object.keys(await conversations.findByConversationId('recent')), ['webchat/conversations/recent']);
  });
});

describe('conversation state (postgres, several instances)', () => {
  let url: string;
  beforeAll(async () => {
    url = await postgres.place();
  });

  test('two instances on one database racing with the same eTag: exactly one wins, many times over', async () => {
    const a = await postgres.open(url);
    const b = await postgres.open(url);
    t.after(() => Promise.all([a.close(), b.close()]));
    const key = 'directline/conversations/course/';
    await a.conversations.write({ [key]: { round: 0 } });
    for (let round = 1; round <= 20; round += 1) {
      const seen = (await b.conversations.read([key]))[key];
      const results = await Promise.allSettled([
        a.conversations.write({ [key]: { ...seen, round, by: 'A' } }),
        b.conversations.write({ [key]: { ...seen, round, by: 'B' } }),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected'], `round ${round}`);
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.ok(loser.reason instanceof EtagConflictError);
      const winner = results[0]!.status === 'fulfilled' ? 'A' : 'B';
      assert.equal((await a.conversations.read([key]))[key].by, winner, 'the stored state is the winner’s');
    }
  });

  test('export and erasure by conversation id, across channels; ids are matched literally', async () => {
    const a = await postgres.open(url);
    t.after(() => a.close());
    await a.conversations.write({
      'directline/conversations/abc_1/': { step: 1 },
      'webchat/conversations/abc_1/user': { name: 'Camille' },
      'directline/conversations/abcX1/': { step: 'autre' }, // `_` is not a wildcard
      'directline/conversations/abc_10/': { step: 'autre' },
    });
    assert.deepEqual(Object.keys(await a.conversations.findByConversationId('abc_1')).sort(), ['directline/conversations/abc_1/', 'webchat/conversations/abc_1/user']);
    assert.equal(await a.conversations.deleteByConversationId('abc_1'), 2);
    assert.deepEqual(Object.keys(await a.conversations.findByConversationId('abc_1')), []);
    assert.equal(Object.keys(await a.conversations.read(['directline/conversations/abcX1/', 'directline/conversations/abc_10/'])).length, 2);
  });
});
