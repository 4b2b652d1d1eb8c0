// json-rules-engine keeps its run status on the Engine: a shared engine loses events when runs
// overlap (DESIGN.md §6). The router builds one engine per decision; 100 overlapping routes
// must equal the sequential results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from 'json-rules-engine';
import { createRouter } from '../../src/routing/index.js';
import { ACTORS_FILE, RULES_DIR, sampleProfiles, testTerritory } from './helpers.js';

/** Start the i-th call a few microtasks after the previous ones, so that runs interleave. */
async function staggered<T>(count: number, call: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      for (let k = 0; k < (i % 10) * 8; k += 1) await Promise.resolve();
      return call(i);
    }),
  );
}

test('100 overlapping route() calls equal the sequential results', async () => {
  const router = await createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory: await testTerritory() });
  const profiles = await sampleProfiles(100);
  const sequential = [];
  for (const p of profiles) sequential.push(await router.route(p));
  const concurrent = await staggered(profiles.length, (i) => router.route(profiles[i]!));
  assert.deepEqual(concurrent, sequential);
  // The sample is varied enough to mean something.
  assert.ok(new Set(sequential.map((d) => d.referrals.map((r) => r.ruleId).join())).size > 25);
});

test('control: the same interleaving makes a shared Engine lose events (the hazard is real)', async () => {
  const rules = [1, 2, 3, 4, 5].map((p) => ({
    name: `r${p}`,
    priority: p,
    conditions: { all: [{ fact: 'x', operator: 'equal', value: 1 }] },
    event: { type: `e${p}` },
  }));
  const shared = new Engine(rules);
  const counts = await staggered(20, () => shared.run({ x: 1 }).then((r) => r.events.length));
  assert.ok(counts.some((n) => n < rules.length), `aucun événement perdu : ${counts.join(',')}`);
});
