// The journal under the referral store: torn tails and half batches dropped at open, corruption
// refused, compaction while writes go on, optimistic versions, idempotent mail queue, one writer.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { Journal, encodeLine, JournalError } from '../../src/store/journal.js';
import { ConflictError, openStore, StoreLockedError, type QueuedMail } from '../../src/store/index.js';
import { tempDir } from '../referrals/helpers.js';

const put = (k: string, body: unknown = { k }) => ({ meta: { k }, body });

test('a torn last line is dropped at open and the journal goes on after it', async () => {
  const dir = tempDir(t, 'aig-journal');
  const journal = await Journal.open(dir);
  await journal.commit([put('a'), put('b')]);
  await journal.commit([put('c', { text: 'Sèvre et Loire' })]);
  await journal.close();

  const file = join(dir, 'journal-000001.jsonl');
  const goodSize = statSync(file).size;
  const torn = encodeLine({ k: 'd' }, { never: 'confirmed' });
  appendFileSync(file, torn.subarray(0, torn.length - 7)); // crash in the middle of a write
  const messages: string[] = [];
  const reopened = await Journal.open(dir, { log: (m) => messages.push(m) });
  assert.deepEqual([...reopened.metas()].map((m) => m.k), ['a', 'b', 'c']);
  assert.deepEqual(reopened.body('c'), { text: 'Sèvre et Loire' });
  assert.equal(reopened.stats().droppedBytes, torn.length - 7);
  assert.match(messages[0]!, /octets d’une écriture interrompue ignorés/);
  assert.equal(statSync(file).size, goodSize, 'the torn tail is cut off');
  await reopened.commit([put('e')]);
  await reopened.close();
  assert.deepEqual([...(await Journal.open(dir)).metas()].map((m) => m.k), ['a', 'b', 'c', 'e']);
});

test('a batch cut short by a crash is dropped whole: all or nothing', async () => {
  const dir = tempDir(t, 'aig-journal');
  const journal = await Journal.open(dir);
  await journal.commit([put('before')]);
  await journal.close();
  // The first two lines of a three-line batch reached the disk, not the third.
  const lines = [encodeLine({ k: 'x1', b: 2 }, 1), encodeLine({ k: 'x2', b: 1 }, 2)];
  appendFileSync(join(dir, 'journal-000001.jsonl'), Buffer.concat(lines));
  const reopened = await Journal.open(dir);
  assert.deepEqual([...reopened.metas()].map((m) => m.k), ['before']);
  await reopened.close();
});

test('a damaged line followed by good ones is corruption, not a torn write: opening refuses', async () => {
  const dir = tempDir(t, 'aig-journal');
  const journal = await Journal.open(dir);
  await journal.commit([put('a')]);
  await journal.commit([put('b')]);
  await journal.commit([put('c')]);
  await journal.close();
  const file = join(dir, 'journal-000001.jsonl');
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace('{"k":"b"}', '{"k":"B"}')); // checksum no longer matches
  await assert.rejects(Journal.open(dir), (e: unknown) => e instanceof JournalError && /corrompu à l’octet \d+ \(des lignes valides suivent\)/.test(e.message));
});

test('compaction keeps the latest version of every key while writes go on, and survives a reopen', async () => {
  const dir = tempDir(t, 'aig-journal');
  const journal = await Journal.open(dir);
  for (let round = 0; round < 5; round++) await Promise.all(Array.from({ length: 200 }, (_, i) => journal.commit([put(`k${i}`, { round })])));
  await journal.commit([{ meta: { k: 'k7', d: 1 }, body: null }]);
  assert.equal(journal.stats().deadLines, 802);

  const compaction = journal.compact();
  const during = Promise.all(Array.from({ length: 50 }, (_, i) => journal.commit([put(`k${i + 10}`, { round: 'pendant' })])));
  await Promise.all([compaction, during]);
  assert.equal(journal.size, 199);
  assert.deepEqual(journal.body('k30'), { round: 'pendant' });
  assert.deepEqual(journal.body('k150'), { round: 4 });
  assert.equal(journal.has('k7'), false);
  const files = [...readdirSync(dir)].sort();
  assert.deepEqual(files, ['journal-000002.jsonl', 'manifest.json', 'snapshot-000002.jsonl']);
  await journal.close();

  const reopened = await Journal.open(dir);
  assert.equal(reopened.size, 199);
  assert.deepEqual(reopened.body('k30'), { round: 'pendant' });
  assert.deepEqual(reopened.body('k3'), { round: 4 });
  assert.deepEqual(reopened.body('k150'), { round: 4 });
  assert.equal(reopened.has('k7'), false);
  await reopened.close();
});

test('the store refuses stale versions, enqueues a mail id once, and allows one writer per directory', async () => {
  const dataDir = tempDir(t, 'aig-store');
  const store = await openStore({ dataDir });
  await assert.rejects(openStore({ dataDir }), StoreLockedError);
  const reader = await openStore({ dataDir, readOnly: true });
  await reader.close();

  const mail = (id: string): QueuedMail => ({
    id,
    reference: 'AIG-2345-67',
    kind: 'test',
    to: ['a@example.org'],
    subject: 'Objet',
    text: 'Texte',
    html: '<p>Texte</p>',
    createdAt: new Date().toISOString(),
    attempts: 0,
    nextAttemptAt: new Date(0).toISOString(),
    lastError: null,
  });
  await Promise.all([store.commit({ enqueue: [mail('m1')] }), store.commit({ enqueue: [mail('m1'), mail('m2')] })]);
  assert.deepEqual((await store.mails.queued()).map((m) => m.id).sort(), ['m1', 'm2']);
  await store.commit({ delivered: [{ id: 'm1', at: new Date() }] });
  await store.commit({ enqueue: [mail('m1')] });
  assert.equal((await store.mails.summary('m1'))?.state, 'sent', 'a delivered id is never queued again');
  assert.equal(await store.mails.get('m1'), undefined, 'the body of a sent e-mail is dropped');

  const { referrals } = await import('./fixtures.js');
  const record = referrals(1)[0]!;
  await store.commit({ referrals: [record] });
  await assert.rejects(store.commit({ referrals: [record] }), ConflictError);
  const racing = await Promise.allSettled([store.commit({ referrals: [{ ...record, version: 2 }] }), store.commit({ referrals: [{ ...record, version: 2 }] })]);
  assert.deepEqual(racing.map((r) => r.status), ['fulfilled', 'rejected'], 'two saves from the same version: the second one loses');
  assert.ok((racing[1] as PromiseRejectedResult).reason instanceof ConflictError);
  assert.equal((await store.referrals.summary(record.id))?.version, 2);
  await store.close();
  const again = await openStore({ dataDir });
  assert.equal(await again.referrals.count(), 1);
  assert.equal((await again.mails.summary('m1'))?.state, 'sent');
  await again.close();
});
