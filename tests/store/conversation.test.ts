// Conversation state on the store: botbuilder's ConversationState resumes after a restart;
// eTags as MemoryStorage; idle conversations expire.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { ActivityHandler, ConversationState, TestAdapter } from 'botbuilder';
import { EtagConflictError, openStore, type Store } from '../../src/store/index.js';
import { Clock, tempDir } from '../referrals/helpers.js';

/** A bot that counts the holder's messages in conversation state and says the count. */
function countingBot(store: Store) {
  const state = new ConversationState(store.conversations);
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

test('a restart in the middle of a conversation resumes where the holder was', async () => {
  const dataDir = tempDir(t, 'aig-conv');
  let store = await openStore({ dataDir });
  const conversation = TestAdapter.createConversation('conv-redemarrage');
  let adapter = new TestAdapter((c) => countingBot(store).run(c), conversation);
  await adapter.send('bonjour').assertReply('tour 1 : bonjour').send('un projet à Clisson').assertReply('tour 2 : un projet à Clisson');
  await store.close();

  store = await openStore({ dataDir }); // new process, same data directory
  adapter = new TestAdapter((c) => countingBot(store).run(c), conversation);
  await adapter.send('en création').assertReply('tour 3 : en création');
  const files = readdirSync(join(dataDir, 'conversations'));
  assert.equal(files.length, 1, 'one small document per conversation');
  assert.equal(statSync(join(dataDir, 'conversations', files[0]!)).mode & 0o777, 0o600);
  assert.doesNotMatch(readdirSync(join(dataDir, 'referrals')).map((f) => readFileSync(join(dataDir, 'referrals', f), 'utf8')).join(''), /turns/, 'not in the referral journal');
  await store.close();
});

test('eTags: `*` or none is last write wins, a stale specific eTag is refused', async () => {
  const store = await openStore({ dataDir: tempDir(t, 'aig-conv') });
  t.after(() => store.close());
  const key = 'directline/conversations/abc';
  await store.conversations.write({ [key]: { step: 1 } });
  const first = (await store.conversations.read([key]))[key];
  assert.equal(first.step, 1);
  assert.equal(typeof first.eTag, 'string');

  await store.conversations.write({ [key]: { ...first, step: 2 } }); // matching eTag: accepted
  const second = (await store.conversations.read([key]))[key];
  assert.notEqual(second.eTag, first.eTag);
  await assert.rejects(store.conversations.write({ [key]: { ...first, step: 'onglet périmé' } }), EtagConflictError);
  await store.conversations.write({ [key]: { step: 3, eTag: '*' } });
  await store.conversations.write({ [key]: { step: 4 } });
  assert.equal((await store.conversations.read([key]))[key].step, 4);

  // Two tabs read the same version and write concurrently with it: exactly one wins.
  const seen = (await store.conversations.read([key]))[key];
  const results = await Promise.allSettled([
    store.conversations.write({ [key]: { ...seen, step: 'onglet A' } }),
    store.conversations.write({ [key]: { ...seen, step: 'onglet B' } }),
  ]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);

  await store.conversations.delete([key]);
  assert.deepEqual(await store.conversations.read([key]), {});
  await store.conversations.delete([key]); // deleting twice is fine
});

test('idle conversations expire after 30 days', async () => {
  const clock = new Clock(Date.parse('2025-03-10T09:00:00Z'));
  const store = await openStore({ dataDir: tempDir(t, 'aig-conv'), now: clock.now });
  t.after(() => store.close());
  await store.conversations.write({ 'webchat/conversations/old': { name: 'Camille' } });
  clock.advanceDays(20);
  await store.conversations.write({ 'webchat/conversations/recent': { name: 'Dominique' } });
  clock.advanceDays(10.5);
  assert.deepEqual(await store.conversations.read(['webchat/conversations/old']), {}, 'expired state is never served');
  assert.equal(await store.conversations.purgeIdle(), 1);
  assert.equal((await store.conversations.read(['webchat/conversations/recent']))['webchat/conversations/recent'].name, 'Dominique');
  assert.deepEqual(Object.keys(await store.conversations.findByConversationId('recent')), ['webchat/conversations/recent']);
});
