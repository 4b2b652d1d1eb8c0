// The router at run time: availability, concurrency, hot reload.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, test } from '@jest/globals';
import { Engine } from 'json-rules-engine';
import { absenceOn, actorServes, parisDay } from '../../src/domain/actor.js';
import { createRouter, describeReload, type ReloadResult, type Router } from '../../src/routing/index.js';
import { ACTORS_FILE, RULES_DIR, profileAt, sampleProfiles, tempRuleSet, testTerritory } from './helpers.js';

// ——— availability ———
// Inactive, absent, over-capacity and out-of-territory actors are skipped and reported; the next
// candidate of the same slot takes over; the decision is never empty.
async function routerWith(patch: Record<string, Record<string, unknown>>, options: Partial<Parameters<typeof createRouter>[0]> = {}): Promise<Router> {
  const copy = tempRuleSet();
  const doc = JSON.parse(readFileSync(copy.actorsFile, 'utf8'));
  for (const [id, fields] of Object.entries(patch)) Object.assign(doc.actors.find((a: { id: string }) => a.id === id), fields);
  writeFileSync(copy.actorsFile, JSON.stringify(doc));
  return createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory: await testTerritory(), ...options });
}

test('over capacity: the next candidate of the slot is used, with an async load callback', async () => {
  const router = await routerWith({ 'ouvre-boites': { monthlyCapacity: 5 } });
  const profile = await profileAt('44043', { stage: 'creation', projectType: 'individuel', needs: ['juridique'] });
  const full = await router.route(profile, { loadOf: async (id) => (id === 'ouvre-boites' ? 5 : 0) });
  assert.deepEqual(full.referrals.map((r) => r.actorId), ['clisson-sevre-maine-eco', 'cooperer-pdl']);
  assert.deepEqual(full.skipped, [{ actorId: 'ouvre-boites', ruleId: 'ess-cae-ouvre-boites', why: 'over_capacity' }]);
  const room = await router.route(profile, { loadOf: () => 4 });
  assert.deepEqual(room.referrals.map((r) => r.actorId), ['clisson-sevre-maine-eco', 'ouvre-boites']);
  assert.deepEqual(room.skipped, []);
});

test('absence: the router-level clock decides, in French time', async () => {
  const absences = [{ from: '2025-08-01', to: '2025-08-15' }];
  let now = new Date('2025-08-15T21:30:00Z'); // 23:30 in Paris, still the 15th
  const router = await routerWith({ ecossolies: { absences } }, { now: () => now });
  const idea = await profileAt('44212', { stage: 'idee' });
  let decision = await router.route(idea);
  assert.deepEqual(decision.referrals.map((r) => r.actorId), ['sevre-loire-eco', 'cress-pdl']);
  assert.deepEqual(decision.skipped, [{ actorId: 'ecossolies', ruleId: 'ess-emergence-ecossolies', why: 'absent' }]);
  now = new Date('2025-08-15T22:30:00Z'); // 00:30 on the 16th in Paris
  decision = await router.route(idea);
  assert.deepEqual(decision.referrals.map((r) => r.actorId), ['sevre-loire-eco', 'ecossolies']);
});

test('out of area: the CRESS, flagged fallback; every candidate unavailable: built-in last resort', async () => {
  const router = await routerWith({ 'cress-pdl': { active: false } });
  const paris = await profileAt('75056', { stage: 'creation' });
  const decision = await router.route(paris);
  assert.equal(decision.fallback, true);
  assert.deepEqual(decision.referrals.map((r) => [r.actorId, r.ruleId]), [['cress-pdl', 'dernier-recours']]);
  assert.match(decision.referrals[0]!.reason, /^Aucun accompagnateur .* à Paris/);
  assert.deepEqual(decision.skipped.map((s) => [s.ruleId, s.why]), [['recours-hors-territoire', 'inactive'], ['recours-lieu-inconnu', 'inactive']]);
});

test('tier caps: at most 2 local and 3 expert referrals, local first', async () => {
  const router = await routerWith({ 'initiative-vignoble': { active: true } }, { maxPerTier: { local: 1, expert: 1 } });
  const decision = await router.route(await profileAt('44043', { stage: 'creation', sector: 'alimentation', needs: ['financement', 'modele_economique'] }));
  assert.deepEqual(decision.referrals.map((r) => [r.tier, r.actorId]), [['local', 'clisson-sevre-maine-eco'], ['expert', 'france-active-pdl']]);
});

test('zones: communes, EPCI, departments, regions and exclusions; absences inclusive', () => {
  const place = { commune: '44109', epci: '244400404', departement: '44', region: '52' };
  assert.equal(actorServes({ zones: ['region:52'] }, place), true);
  assert.equal(actorServes({ zones: ['region:52'], excludedZones: ['244400404'] }, place), false);
  assert.equal(actorServes({ zones: ['44109'] }, place), true);
  assert.equal(actorServes({ zones: ['85', '200067866'] }, place), false);
  assert.equal(actorServes({ zones: ['44'] }, { commune: null, epci: null, departement: null, region: null }), false);
  const actor = { absences: [{ from: '2025-03-01', to: '2025-03-03' }] };
  assert.ok(absenceOn(actor, '2025-03-01') && absenceOn(actor, '2025-03-03'));
  assert.equal(absenceOn(actor, '2025-03-04'), undefined);
  assert.equal(parisDay(new Date('2025-03-03T23:30:00Z')), '2025-03-04');
});

// ——— concurrency ———
// json-rules-engine keeps its run status on the Engine: a shared engine loses events when runs
// overlap (DESIGN.md §6). The router builds one engine per decision; 100 overlapping routes
// must equal the sequential results.
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

// ——— reload ———
// Hot reload: a valid change is swapped in; an invalid one is refused with its message and the
// last good set keeps routing.
const routers: Router[] = [];
afterAll(async () => {
  await routers.forEach((r) => r.close());
});

function nextReload(router: Router, timeoutMs = 4000): Promise<ReloadResult> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('aucun rechargement'));
    }, timeoutMs);
    const off = router.onReload((result) => {
      clearTimeout(timer);
      off();
      resolve(result);
    });
  });
}

function edit(path: string, change: (doc: any) => void): void {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  change(doc);
  writeFileSync(path, JSON.stringify(doc, null, 2));
}

const SL = 'vignoble-proximite-sevre-loire';

test('watched files: a valid change is swapped in, an invalid one refused, the last good set stays', async () => {
  const copy = tempRuleSet();
  const router = await createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory: await testTerritory(), watch: true, debounceMs: 30 });
  routers.push(router);
  const vallet = await profileAt('44212', { stage: 'creation' });
  const v1 = router.rulesVersion;

  // 1. A new reason in vignoble.json.
  let reloaded = nextReload(router);
  edit(join(copy.rulesDir, 'vignoble.json'), (d) => (d.rules.find((r: any) => r.name === SL).event.params.reason = 'Parce que votre projet est {lieu}, Sèvre et Loire vous reçoit.'));
  let result = await reloaded;
  assert.equal(result.ok, true);
  assert.ok(result.ok && result.changed);
  const v2 = router.rulesVersion;
  assert.notEqual(v2, v1);
  let decision = await router.route(vallet);
  assert.equal(decision.referrals[0]!.reason, 'Parce que votre projet est à Vallet, Sèvre et Loire vous reçoit.');
  assert.equal(decision.rulesVersion, v2);

  // 2. Broken JSON: refused, named, and the previous set keeps routing.
  reloaded = nextReload(router);
  writeFileSync(join(copy.rulesDir, 'vignoble.json'), readFileSync(join(copy.rulesDir, 'vignoble.json'), 'utf8').replace(/\}\s*$/, ''));
  result = await reloaded;
  assert.equal(result.ok, false);
  assert.ok(!result.ok && /vignoble\.json.*JSON illisible/.test(result.message), !result.ok ? result.message : '');
  assert.match(describeReload(result), new RegExp(`Le jeu de règles ${v2} reste actif\\.$`));
  assert.equal(router.rulesVersion, v2);
  decision = await router.route(vallet);
  assert.equal(decision.referrals[0]!.actorId, 'sevre-loire-eco');
  assert.equal(decision.rulesVersion, v2);

  // 3. An unknown actor in a valid JSON: refused too.
  reloaded = nextReload(router);
  writeFileSync(join(copy.rulesDir, 'vignoble.json'), readFileSync(join(copy.rulesDir, 'vignoble.json'), 'utf8') + '}');
  edit(join(copy.rulesDir, 'vignoble.json'), (d) => (d.rules.find((r: any) => r.name === SL).event.params.actorId = 'personne'));
  result = await reloaded;
  assert.ok(!result.ok && result.message.includes('règle « vignoble-proximite-sevre-loire » : acteur inconnu « personne »'));
  assert.equal(router.rulesVersion, v2);

  // 4. Fixed, and the actors file changes: the new set is active.
  reloaded = nextReload(router);
  edit(join(copy.rulesDir, 'vignoble.json'), (d) => (d.rules.find((r: any) => r.name === SL).event.params.actorId = 'sevre-loire-eco'));
  edit(copy.actorsFile, (d) => (d.actors.find((a: any) => a.id === 'sevre-loire-eco').active = false));
  for (;;) {
    result = await reloaded; // the two saves may land in one or two reloads
    if (result.ok && router.actorById('sevre-loire-eco')?.active === false) break;
    reloaded = nextReload(router);
  }
  decision = await router.route(vallet);
  // Without its local adviser, the holder still gets the ESS welcome (CRESS), not nothing.
  assert.deepEqual(decision.referrals.map((r) => r.actorId), ['cress-pdl']);
  assert.deepEqual(decision.skipped, [{ actorId: 'sevre-loire-eco', ruleId: SL, why: 'inactive' }]);
});

test('reload() without watching; unchanged files keep the version', async () => {
  const copy = tempRuleSet();
  const router = await createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory: await testTerritory() });
  const before = router.rulesVersion;
  const same = await router.reload();
  assert.deepEqual(same, { ok: true, changed: false, rulesVersion: before, ruleCount: router.ruleCount, actorCount: router.actors().length });
  edit(join(copy.rulesDir, 'filieres.json'), (d) => (d.rules[0].conditions.all[1].value = ['44', '49']));
  const changed = await router.reload();
  assert.ok(changed.ok && changed.changed && changed.rulesVersion !== before);
  // A route started before a reload finishes on the set it started with.
  const pending = router.route(await profileAt('44212', { stage: 'creation' }));
  edit(join(copy.rulesDir, 'filieres.json'), (d) => (d.rules[0].conditions.all[1].value = ['44']));
  await router.reload();
  assert.equal((await pending).rulesVersion, changed.rulesVersion);
});
