// `route` latency: with the shipped rules, and with 1,000 rules spread over the communes and
// EPCIs of the served departments (the scale the pre-indexing is for).
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NEEDS, PROJECT_TYPES, SECTORS, STAGES, emptyProfile, type Profile } from '../src/domain/profile.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, type Router } from '../src/routing/index.js';
import type { TerritoryIndex } from '../src/territory/types.js';
import { ms, percentile, timeEach, type Row } from './stats.js';

const TARGET_RULES = 1000;

/** Deterministic pseudo-random choices, so that runs compare. */
function chooser(seed: number): <T>(items: readonly T[]) => T {
  let state = seed;
  return (items) => {
    state = (state * 48271) % 2147483647;
    return items[state % items.length]!;
  };
}

function profilesAt(territory: TerritoryIndex, communes: string[], count: number, seed: number): Profile[] {
  const pick = chooser(seed);
  return Array.from({ length: count }, () => {
    const c = territory.commune(pick(communes))!;
    return {
      ...emptyProfile(),
      stage: pick(STAGES),
      sector: pick(SECTORS),
      projectType: pick(PROJECT_TYPES),
      needs: NEEDS.filter(() => pick([true, false, false])),
      commune: { code: c.code, nom: c.nom },
      epci: c.epci,
      departement: c.departement,
    };
  });
}

async function measure(router: Router, profiles: Profile[], warmUp = 300): Promise<number[]> {
  for (const p of profiles.slice(0, warmUp)) await router.route(p);
  return timeEach(profiles, (p) => router.route(p));
}

/** EPCIs of the served departments, from the official list (the territory index has no listing). */
function servedEpcis(territory: TerritoryIndex): Array<{ code: string; communes: string[] }> {
  const require = createRequire(import.meta.url);
  const all = require('@etalab/decoupage-administratif/data/epci.json') as Array<{ code: string; membres: Array<{ code: string }> }>;
  return all
    .filter((e) => territory.epci(e.code))
    .map((e) => ({ code: e.code, communes: territory.communesOfEpci(e.code).map((c) => c.code) }))
    .filter((e) => e.communes.some((c) => territory.servedDepartements.includes(territory.commune(c)!.departement)));
}

function generatedRules(epcis: Array<{ code: string; communes: string[] }>, count: number): unknown[] {
  const pick = chooser(11);
  const actors = ['ecossolies', 'france-active-pdl', 'urscop-ouest', 'cress-pdl', 'ouvre-boites', 'dla-44'];
  return Array.from({ length: count }, (_, i) => {
    const epci = epcis[i % epcis.length]!;
    // Half the rules target an EPCI, half a single commune of it.
    const place = i % 2 === 0 ? { fact: 'epci', operator: 'equal', value: epci.code } : { fact: 'commune', operator: 'equal', value: pick(epci.communes) };
    return {
      name: `genere-${i}`,
      priority: 1 + (i % 90),
      conditions: {
        all: [
          place,
          { fact: 'stage', operator: 'in', value: [pick(STAGES), pick(STAGES)] },
          { any: [{ fact: 'needs', operator: 'contains', value: pick(NEEDS) }, { fact: 'sector', operator: 'equal', value: pick(SECTORS) }] },
        ],
      },
      event: { type: 'refer', params: { actorId: pick(actors), tier: pick(['local', 'expert']), slot: `genere-${i % 7}`, reason: 'Raison générée pour la mesure, {lieu}, {stade}.' } },
    };
  });
}

export async function benchRouting(territoryIndex?: TerritoryIndex): Promise<Row[]> {
  const territory = territoryIndex ?? (await (await import('../src/territory/index.js')).loadTerritory());
  const rows: Row[] = [];

  // Shipped rules, on the communes of the EPCIs named by actors plus a few elsewhere.
  const shipped = await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory });
  const shippedCommunes = ['200067635', '200067866', '244400404', '243500741'].flatMap((e) => territory.communesOfEpci(e).map((c) => c.code));
  shippedCommunes.push('85191', '85109', '53130', '49007', '72181', '35238', '75056', '69123');
  const shippedProfiles = profilesAt(territory, shippedCommunes, 5000, 3);
  const a = await measure(shipped, shippedProfiles);
  const a50 = percentile(a, 50);
  rows.push({ name: `route p50, règles livrées (${shipped.ruleCount} règles, ${a.length} profils)`, value: ms(a50), target: '≤ 1 ms', ok: a50 <= 1 });
  rows.push({ name: 'route p99, règles livrées', value: ms(percentile(a, 99)), target: 'informatif' });

  // 1,000 rules: the shipped ones plus generated ones over the served departments.
  const dir = mkdtempSync(join(tmpdir(), 'aiguillage-bench-'));
  try {
    const rulesDir = join(dir, 'rules');
    cpSync(DEFAULT_RULES_DIR, rulesDir, { recursive: true });
    const epcis = servedEpcis(territory);
    const extra = generatedRules(epcis, TARGET_RULES - shipped.ruleCount);
    writeFileSync(join(rulesDir, 'zz-generated.json'), JSON.stringify({ description: 'Règles générées pour la mesure', rules: extra }));
    const big = await createRouter({ rulesDir, actorsFile: DEFAULT_ACTORS_FILE, territory });
    const communes = epcis.flatMap((e) => e.communes);
    const profiles = profilesAt(territory, communes, 5000, 5);
    const b = await measure(big, profiles);
    const b50 = percentile(b, 50);
    const where = `${epcis.length} EPCI, ${communes.length} communes`;
    rows.push({ name: `route p50, ${big.ruleCount} règles (${extra.length} générées sur ${where})`, value: ms(b50), target: '≤ 5 ms', ok: b50 <= 5 });
    rows.push({ name: `route p99, ${big.ruleCount} règles`, value: ms(percentile(b, 99)), target: 'informatif' });

    const plain = await createRouter({ rulesDir, actorsFile: DEFAULT_ACTORS_FILE, territory, preindex: false });
    const c = await measure(plain, profiles.slice(0, 100), 10);
    rows.push({ name: `route p50, ${plain.ruleCount} règles sans pré-indexation`, value: ms(percentile(c, 50)), target: 'informatif' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
