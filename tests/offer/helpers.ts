// The offer over the real directory, rules and geography (loaded once per test file).
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, type Router } from '../../src/routing/index.js';
import { loadTerritory, type TerritoryIndex } from '../../src/territory/index.js';
import { createOffer, type Offer } from '../../src/offer/index.js';

export const PUBLIC_URL = 'https://aiguillage.example.org';
/** date_maj of the exports in the tests. */
export const UPDATED = new Date('2026-11-30T10:00:00Z');

let shared: Promise<{ router: Router; territory: TerritoryIndex }> | undefined;

export function realRouting(): Promise<{ router: Router; territory: TerritoryIndex }> {
  shared ??= (async () => {
    const territory = await loadTerritory();
    const router = await createRouter({ rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, territory });
    return { router, territory };
  })();
  return shared;
}

export async function realOffer(extra: Partial<Parameters<typeof createOffer>[0]> = {}): Promise<Offer> {
  const { router, territory } = await realRouting();
  return createOffer({
    router,
    territory,
    publicUrl: PUBLIC_URL,
    updatedAt: () => UPDATED,
    contact: 'coordination@example.org',
    partnerEpcis: (id) => ({ demo: ['200067635', '200067866'], 'clisson-sevre-maine': ['200067635'] })[id],
    ...extra,
  });
}
