// Shared helpers for routing tests: the shipped rules and actors, a territory index, profiles.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { NEEDS, PROJECT_TYPES, SECTORS, STAGES, emptyProfile, type Profile } from '../../src/domain/profile.js';
import type { TerritoryIndex } from '../../src/territory/types.js';
import { loadTerritory } from '../../src/territory/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RULES_DIR = join(ROOT, 'rules');
export const ACTORS_FILE = join(ROOT, 'data', 'actors.json');

let territory: Promise<TerritoryIndex> | undefined;
export function testTerritory(): Promise<TerritoryIndex> {
  territory ??= Promise.resolve(loadTerritory());
  return territory;
}

/** A profile at a commune, filling EPCI and department from the territory like qualification does. */
export async function profileAt(communeCode: string | null, patch: Partial<Profile> = {}): Promise<Profile> {
  const base = emptyProfile();
  if (communeCode) {
    const t = await testTerritory();
    const c = t.commune(communeCode);
    if (!c) throw new Error(`commune inconnue dans les tests : ${communeCode}`);
    base.commune = { code: c.code, nom: c.nom };
    base.epci = c.epci;
    base.departement = c.departement;
  }
  return { ...base, ...patch };
}

const temporary: string[] = [];
afterAll(async () => {
  await temporary.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

/** A temporary copy of rules/ and data/actors.json that a test may break (removed after the file's tests). */
export function tempRuleSet(): { dir: string; rulesDir: string; actorsFile: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'aiguillage-rules-'));
  temporary.push(dir);
  const rulesDir = join(dir, 'rules');
  const actorsFile = join(dir, 'actors.json');
  cpSync(RULES_DIR, rulesDir, { recursive: true });
  cpSync(ACTORS_FILE, actorsFile);
  return { dir, rulesDir, actorsFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const COMMUNES = ['44212', '44043', '44064', '44084', '44109', '44184', '35236', '44067', '85109', '53130', '49007', '75056', null];

/** Deterministic pseudo-random profiles (no flakiness, many rule combinations). */
export async function sampleProfiles(count: number, seed = 7): Promise<Profile[]> {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
  const profiles: Profile[] = [];
  for (let i = 0; i < count; i += 1) {
    const needs = NEEDS.filter(() => next(3) === 0);
    profiles.push(
      await profileAt(COMMUNES[next(COMMUNES.length)]!, {
        stage: next(5) === 0 ? null : STAGES[next(STAGES.length)]!,
        sector: SECTORS[next(SECTORS.length)]!,
        projectType: next(4) === 0 ? null : PROJECT_TYPES[next(PROJECT_TYPES.length)]!,
        needs,
      }),
    );
  }
  return profiles;
}

