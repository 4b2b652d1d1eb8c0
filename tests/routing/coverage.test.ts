// Coverage: every commune of the Vignoble's two EPCIs × 3 stages × 10 sectors routes to a real
// referral (no hole), and no rule sends a holder outside an actor's declared stages or sectors.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { coverage, createRouter, servedEpcis } from '../../src/routing/index.js';
import { ACTORS_FILE, RULES_DIR, tempRuleSet, testTerritory } from './helpers.js';

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
