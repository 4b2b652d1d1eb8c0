// Golden routing cases, one file per rule file (tests/routing/golden/*.json): profile → the
// exact ordered referrals (actor, rule), the fallback flag and the skipped candidates.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from '@jest/globals';
import type { Profile } from '../../src/domain/profile.js';
import { routingDecisionSchema } from '../../src/domain/decision.js';
import { coverage, coverageOfDepartements, createRouter, REGION_DEPARTEMENTS, servedEpcis, type Router } from '../../src/routing/index.js';
import { ACTORS_FILE, RULES_DIR, profileAt, tempRuleSet, testTerritory } from './helpers.js';

interface GoldenCase {
  name: string;
  at: string | null;
  profile?: Partial<Profile>;
  actors?: Record<string, Record<string, unknown>>;
  now?: string;
  load?: Record<string, number>;
  expect: {
    referrals: Array<[actorId: string, ruleId: string]>;
    fallback: boolean;
    skipped?: Array<[actorId: string, ruleId: string, why: string]>;
    reasonIncludes?: string[];
  };
}
interface GoldenFile {
  rulesFile: string;
  description: string;
  cases: GoldenCase[];
}

const GOLDEN_DIR = new URL('./golden/', import.meta.url).pathname;
const goldens = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as GoldenFile);

// Cases that change actors (inactive, absent, capacity) get a router over a patched copy.
const routers = new Map<string, Promise<Router>>();

function routerFor(patch: GoldenCase['actors']): Promise<Router> {
  const key = JSON.stringify(patch ?? {});
  let router = routers.get(key);
  if (!router) {
    router = (async () => {
      const territory = await testTerritory();
      if (!patch) return createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory });
      const copy = tempRuleSet();
      const data = JSON.parse(readFileSync(copy.actorsFile, 'utf8')) as { actors: Array<Record<string, unknown>> };
      for (const [id, fields] of Object.entries(patch)) {
        const actor = data.actors.find((a) => a.id === id);
        assert.ok(actor, `acteur inconnu dans un cas de référence : ${id}`);
        Object.assign(actor, fields);
      }
      writeFileSync(copy.actorsFile, JSON.stringify(data));
      return createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory });
    })();
    routers.set(key, router);
  }
  return router;
}

for (const golden of goldens) {
  describe(`golden ${golden.rulesFile} — ${golden.description}`, () => {
    for (const c of golden.cases) {
      test(c.name, async () => {
        const router = await routerFor(c.actors);
        const profile = await profileAt(c.at, c.profile);
        const decision = await router.route(profile, {
          now: c.now ? new Date(c.now) : new Date('2025-03-10T10:00:00+01:00'),
          loadOf: (id) => c.load?.[id] ?? 0,
        });
        routingDecisionSchema.parse(decision);
        assert.deepEqual(
          decision.referrals.map((r) => [r.actorId, r.ruleId]),
          c.expect.referrals,
          `orientations : ${JSON.stringify(decision.referrals.map((r) => `${r.actorId} ← ${r.ruleId}`))}`,
        );
        assert.equal(decision.fallback, c.expect.fallback);
        assert.deepEqual(decision.skipped.map((s) => [s.actorId, s.ruleId, s.why]), c.expect.skipped ?? []);
        for (const fragment of c.expect.reasonIncludes ?? []) assert.ok(decision.referrals[0]!.reason.includes(fragment), `« ${fragment} » absent de : ${decision.referrals[0]!.reason}`);
        for (const r of decision.referrals) {
          assert.doesNotMatch(r.reason, /\{|\}|null|undefined/, 'raison mal rendue');
          assert.match(r.reason, /^[A-ZÀ-Ý]/);
        }
      });
    }
  });
}

test('every shipped rule file has golden cases, and every rule shows up in one', async () => {
  const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.json') && f !== 'rules.schema.json');
  assert.deepEqual(goldens.map((g) => g.rulesFile).sort(), ruleFiles.sort());
  const seen = new Set(goldens.flatMap((g) => g.cases.flatMap((c) => [...c.expect.referrals.map((r) => r[1]), ...(c.expect.skipped ?? []).map((s) => s[1])])));
  const unseen: string[] = [];
  for (const file of ruleFiles) {
    const rules = (JSON.parse(readFileSync(join(RULES_DIR, file), 'utf8')) as { rules: Array<{ name: string }> }).rules;
    for (const r of rules) if (!seen.has(r.name)) unseen.push(`${file}:${r.name}`);
  }
  assert.deepEqual(unseen, [], 'règles sans cas de référence');
});

test('the witness case (Vallet, creation) always routes to a local adviser, without fallback', async () => {
  const router = await routerFor(undefined);
  const decision = await router.route(await profileAt('44212', { stage: 'creation' }));
  assert.equal(decision.fallback, false);
  assert.equal(decision.referrals[0]?.tier, 'local');
  assert.equal(decision.referrals[0]?.actorId, 'sevre-loire-eco');
});

// ——— coverage ———
// Coverage: every commune of the Vignoble's two EPCIs × 3 stages × 10 sectors routes to a real
// referral (no hole), and no rule sends a holder outside an actor's declared stages or sectors.
test('the Vignoble has no hole; served EPCIs have no hole and no mismatch', async () => {
  const territory = await testTerritory();
  const router = await createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory, now: () => new Date('2025-03-10T10:00:00+01:00') });
  const vignoble = territory.namedTerritory('vignoble-nantais')!;
  assert.deepEqual([...vignoble.epcis].sort(), ['200067635', '200067866']);
  const report = await coverage(router, territory, vignoble.epcis);
  assert.deepEqual(report.epcis.map((e) => e.communes), [16, 11]);
  assert.equal(report.combos.length, 27 * 3 * 10);
  assert.deepEqual(report.holes, []);
  // Every Vignoble holder gets their own EPCI's adviser first.
  for (const c of report.combos) {
    assert.equal(c.actorIds[0], c.epci === '200067635' ? 'clisson-sevre-maine-eco' : 'sevre-loire-eco', `${c.commune.nom} ${c.stage} ${c.sector}`);
  }

  const epcis = servedEpcis(router.actors());
  assert.deepEqual(epcis, ['200067635', '200067866', '243500741', '244400404']);
  const all = await coverage(router, territory, epcis);
  assert.deepEqual(all.holes, []);
  assert.deepEqual(all.mismatches, []);
});

test('holes are reported: with the Redon ESS pole inactive, idea-stage holders there only get a fallback', async () => {
  const territory = await testTerritory();
  const copy = tempRuleSet();
  try {
    const doc = JSON.parse(readFileSync(copy.actorsFile, 'utf8'));
    doc.actors.find((a: { id: string }) => a.id === 'cades-redon').active = false;
    writeFileSync(copy.actorsFile, JSON.stringify(doc));
    const router = await createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory });
    const report = await coverage(router, territory, ['243500741']);
    // Communes of Redon Agglomération in Loire-Atlantique fall back on Les Ecossolies (same slot);
    // those in Ille-et-Vilaine and Morbihan are left with a fallback: holes.
    const outside44 = territory.communesOfEpci('243500741').filter((c) => c.departement !== '44');
    assert.ok(outside44.length > 0);
    assert.equal(report.holes.length, outside44.length * 10);
    assert.ok(report.holes.every((h) => h.stage === 'idee' && h.fallback && !h.commune.code.startsWith('44')));
  } finally {
    copy.cleanup();
  }
});

test('the whole region answers: every commune of the five departments gets a structure of the ESS besides any chamber', async () => {
  const territory = await testTerritory();
  const router = await createRouter({ rulesDir: RULES_DIR, actorsFile: ACTORS_FILE, territory, now: () => new Date('2025-03-10T10:00:00+01:00') });
  const report = await coverageOfDepartements(router, territory, REGION_DEPARTEMENTS);
  assert.deepEqual(report.epcis.map((d) => d.code), ['44', '49', '53', '72', '85']);
  assert.ok(report.epcis.every((d) => d.communes > 150), JSON.stringify(report.epcis));
  assert.deepEqual(report.essHoles.map((h) => `${h.commune.nom} ${h.stage} ${h.sector}`), []);
  assert.deepEqual(report.holes, []);
  assert.deepEqual(report.mismatches, []);
  // The check can fail: without the ESS welcome rule, a Vignoble holder in creation gets only
  // the intercommunality's adviser.
  const copy = tempRuleSet();
  const file = join(copy.rulesDir, 'experts-ess.json');
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  doc.rules = doc.rules.filter((r: { name: string }) => r.name !== 'ess-accueil-cress');
  writeFileSync(file, JSON.stringify(doc));
  const without = await createRouter({ rulesDir: copy.rulesDir, actorsFile: copy.actorsFile, territory });
  const holes = (await coverageOfDepartements(without, territory, ['44'])).essHoles;
  assert.ok(holes.some((h) => h.commune.nom === 'Vallet' && h.stage === 'creation'), `${holes.length} trous`);
});
