// A child process creating referrals 200 at a time is killed with SIGKILL: every reference it
// confirmed is in the store afterwards, with its e-mails, and the store opens cleanly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../referrals/helpers.js';

const CHILD = fileURLToPath(new URL('./sigkill-child.ts', import.meta.url));
const KILL_AFTER = 600;

test('SIGKILL during 200 concurrent creations loses no confirmed referral', async () => {
  const dataDir = tempDir(t, 'aig-kill');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const confirmed: string[] = [];
  let stderr = '';
  let partial = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop()!;
    confirmed.push(...lines);
    if (confirmed.length >= KILL_AFTER) child.kill('SIGKILL'); // mid-flight: 200 creations under way
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const how = await exited;
  clearTimeout(timer);
  assert.equal(how, 'SIGKILL', `the child should be killed, not exit: ${stderr}`);
  assert.ok(confirmed.length >= KILL_AFTER, `only ${confirmed.length} confirmations before the kill: ${stderr}`);

  const messages: string[] = [];
  const store = await openStore({ dataDir, log: (m) => messages.push(m) }); // the dead child's lock is taken over
  for (const reference of confirmed) {
    const records = await store.referrals.byReference(reference);
    assert.equal(records.length, 1, `confirmed ${reference} is missing`);
    assert.ok(await store.mails.known(`${reference}-1.actor-new`), `the actor's e-mail of ${reference} is queued`);
    assert.ok(await store.mails.known(`${reference}.holder-confirm`), `the confirmation of ${reference} is queued`);
  }
  assert.ok((await store.referrals.count()) >= confirmed.length);
  assert.equal(new Set(confirmed).size, confirmed.length, 'no reference given twice');
  // Still writable, and clean at the next open.
  const before = await store.referrals.count();
  await store.commit({ referrals: [] });
  await store.close();
  const again = await openStore({ dataDir });
  assert.equal(await again.referrals.count(), before);
  assert.equal((await again.stats()).droppedBytes, 0, 'a torn tail, if any, was cut at the previous open');
  await again.close();
  t.diagnostic(`${confirmed.length} confirmées avant SIGKILL, ${before} dans le magasin ; ${messages.join(' ; ') || 'aucune ligne tronquée'}`);
});
