// The fuzzer in the test suite, smaller than `npm run fault -- fuzz` (10,000 requests): 1,500
// seeded malformed requests against the real server process and its back office. The seed is
// printed; FUZZ_SEED replays it.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { check, makeGenerator, openConversations, prng, runFuzz, summarize, type FuzzRequest } from './fuzz.js';
import { Http, startServerProcess, tempDir, walkToReferral } from './harness.js';

test('the generator is reproducible from its seed', () => {
  const context = { base: 'http://127.0.0.1:1', conversations: [{ id: 'c'.repeat(22), token: 'a.b.c' }], backoffice: 'http://127.0.0.1:2' };
  const one = makeGenerator(prng(1234), context);
  const two = makeGenerator(prng(1234), context);
  const a = Array.from({ length: 300 }, () => one());
  const b = Array.from({ length: 300 }, () => two());
  assert.deepEqual(a, b);
  assert.ok(new Set(a.map((r) => r.kind)).size >= 12, 'every kind of target is drawn');
});

test('the checks catch a 5xx, a stack, reflected markup in HTML, and a protected back-office page', () => {
  const request: FuzzRequest = { kind: 'x', method: 'GET', path: '/demo', headers: {} };
  assert.deepEqual(check(request, { status: 200, headers: { 'content-type': 'text/html' }, text: '<p>&lt;script&gt;</p>' }), []);
  assert.equal(check(request, { status: 502, headers: {}, text: '' }).length, 1);
  assert.equal(check(request, { status: 400, headers: {}, text: 'at run (/app/src/x.ts:12:3)' }).length, 1);
  assert.equal(check(request, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, text: '<b><img src=x onerror=alert(7)></b>' }).length, 1);
  const backoffice: FuzzRequest = { kind: 'backoffice', method: 'GET', path: '/statistiques', headers: {}, backoffice: true };
  assert.equal(check(backoffice, { status: 200, headers: {}, text: '' }).length, 1);
  assert.deepEqual(check(backoffice, { status: 303, headers: { location: '/connexion?suite=%2Fstatistiques' }, text: '' }), []);
});

test('1,500 malformed requests: no 5xx, no crash, a real conversation afterwards', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? randomInt(2 ** 31));
  t.diagnostic(`graine ${seed} (rejouer : FUZZ_SEED=${seed} npm test -- proof/fuzz)`);
  const dataDir = tempDir('fuzz-test');
  const server = await startServerProcess({ dataDir });
  t.after(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const conversations = await openConversations(server.base, 40);
  const report = await runFuzz({ base: server.base, conversations, backoffice: server.backoffice }, { seed, count: 1500, alive: server.alive });
  t.diagnostic(summarize(report));
  assert.deepEqual(report.findings.map((f) => `#${f.index} [${f.kind}] ${f.problem} — ${f.request}`), [], `graine ${seed}`);
  assert.equal(report.sent, 1500);
  assert.ok(server.alive(), 'the server is alive');
  const http = new Http(server.base, '127.0.0.203');
  const run = await walkToReferral(http, 1);
  http.close();
  assert.match(run.reference, /^AIG-/);
});
