// Shared helpers for routing tests: the shipped rules and actors, a territory index, profiles.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyProfile, type Profile } from '../../src/domain/profile.js';
import type { TerritoryIndex } from '../../src/territory/types.js';
import { loadTerritory } from './territory-fixture.js';

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

/** A temporary copy of rules/ and data/actors.json that a test may break. */
export function tempRuleSet(): { dir: string; rulesDir: string; actorsFile: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'aiguillage-rules-'));
  const rulesDir = join(dir, 'rules');
  const actorsFile = join(dir, 'actors.json');
  cpSync(RULES_DIR, rulesDir, { recursive: true });
  cpSync(ACTORS_FILE, actorsFile);
  return { dir, rulesDir, actorsFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
