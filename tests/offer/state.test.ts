// The état des lieux with a router of the test's own, so that it has holes: a commune with no
// ESS structure for one sector, a stage answered by the network head alone; the page says so
// with marks, words and the list of holes, and the cache computes once per rules version.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Actor } from '../../src/domain/actor.js';
import type { Profile } from '../../src/domain/profile.js';
import type { RoutingDecision, Router } from '../../src/routing/index.js';
import { buildOffer, scopeOf } from '../../src/offer/model.js';
import { renderOfferPage } from '../../src/offer/page.js';
import { OfferStateCache, offerState } from '../../src/offer/state.js';
import { createOffer } from '../../src/offer/index.js';
import { realRouting } from './helpers.js';

const VALLET = '44212';

function stubRouter(version = 'v1'): Router & { calls: number; listeners: Array<(result: { ok: boolean; changed?: boolean }) => void> } {
  const roles: Record<string, Actor['role']> = { local: 'local', expert: 'expert', reseau: 'reseau' };
  const stub = {
    calls: 0,
    rulesVersion: version,
    ruleCount: 3,
    async route(profile: Profile): Promise<RoutingDecision> {
      stub.calls += 1;
      const ids =
        profile.sector === 'habitat' && profile.commune?.code === VALLET ? ['local'] : profile.stage === 'creation' ? ['local', 'reseau'] : ['local', 'expert'];
      return {
        referrals: ids.map((id) => ({ actorId: id, actorName: id, role: roles[id]!, tier: id === 'local' ? 'local' : 'expert', ruleId: `r-${id}`, reason: '' })),
        fallback: false,
        rulesVersion: version,
        skipped: [],
      } as RoutingDecision;
    },
    actorById: (id: string) => (roles[id] ? ({ id, role: roles[id], stages: ['idee', 'creation', 'developpement'], sectors: 'all' } as Actor) : undefined),
    actors: () => [],
    reload: async () => ({ ok: true, changed: false, rulesVersion: version, ruleCount: 3, actorCount: 3 }) as const,
    listeners: [] as Array<(result: { ok: boolean; changed?: boolean }) => void>,
    onReload: (listener: (result: { ok: boolean; changed?: boolean }) => void) => {
      stub.listeners.push(listener);
      return () => true;
    },
    close: () => undefined,
  };
  return stub as unknown as Router & { calls: number; listeners: Array<(result: { ok: boolean; changed?: boolean }) => void> };
}

describe('état des lieux', () => {
  it('counts expert, network-only and no ESS answer per stage × sector, and the page shows each with a mark and a word', async () => {
    const { router: real, territory } = await realRouting();
    const scope = scopeOf(territory.namedTerritory('vignoble-nantais')!);
    const state = await offerState(stubRouter(), territory, scope);
    assert.equal(state.communes, 27);
    assert.equal(state.essHoles, 3, 'Vallet × habitat at the three stages');
    const cell = (stage: string, sector: string) => state.cells.find((c) => c.stage === stage && c.sector === sector)!;
    assert.deepEqual({ ...cell('idee', 'habitat'), essActorIds: undefined }, { stage: 'idee', sector: 'habitat', communes: 27, expert: 26, networkOnly: 0, none: 1, essActorIds: undefined });
    assert.deepEqual(cell('idee', 'energie').essActorIds, ['expert']);
    assert.equal(cell('creation', 'energie').networkOnly, 27);
    assert.equal(cell('creation', 'habitat').none, 1);

    const html = renderOfferPage(buildOffer(real.actors(), territory, scope), state, { stage: null, sector: null }, { territories: [], updated: '30 novembre 2026' });
    assert.match(html, /<td class="bad"><span class="mark" aria-hidden="true">✖<\/span>Partiel<small>spécialisée dans 26, aucune dans 1 \(sur 27 communes\)<\/small><\/td>/);
    assert.match(html, /<td class="ok"><span class="mark" aria-hidden="true">✔<\/span>Oui<\/td>/);
    assert.match(html, /<td class="mid"><span class="mark" aria-hidden="true">◐<\/span>Accueil seul<\/td>/);
    assert.match(html, /<strong>3 combinaisons commune × stade × secteur sans structure de l’ESS<\/strong> : Idée, émergence × Habitat \(1 commune\)/);
    assert.match(html, /<strong>Création, lancement<\/strong> : aucune structure spécialisée de l’ESS n’est proposée/);
  });

  it('is computed once per rules version, shared by concurrent requests', async () => {
    const { territory } = await realRouting();
    const scope = scopeOf(territory.namedTerritory('vignoble-nantais')!);
    const router = stubRouter();
    const cache = new OfferStateCache(router, territory);
    const [a, b] = await Promise.all([cache.get(scope), cache.get(scope)]);
    assert.equal(a, b);
    assert.equal(router.calls, 27 * 30);
    await cache.get(scope);
    assert.equal(router.calls, 27 * 30);
    (router as { rulesVersion: string }).rulesVersion = 'v2';
    await cache.get(scope);
    assert.equal(router.calls, 2 * 27 * 30, 'new rules, new état des lieux');
  });

  it('prewarm computes every named territory (not the region), then again after a published change of the rules', async () => {
    const { territory } = await realRouting();
    const router = stubRouter();
    const vignoble = territory.namedTerritory('vignoble-nantais')!;
    const offer = createOffer({ router, territory, territories: () => [vignoble], publicUrl: 'https://aiguillage.example.org', updatedAt: () => new Date(), stateWaitMs: 0 });
    await offer.prewarm();
    const once = router.calls;
    assert.equal(once, 27 * 30, 'the Vignoble, not the region');
    const page = await offer.page('vignoble-nantais', new URLSearchParams());
    assert.doesNotMatch(page.body, /en cours de calcul/, 'ready at once after prewarm');
    (router as { rulesVersion: string }).rulesVersion = 'v2';
    for (const listener of router.listeners) listener({ ok: true, changed: true });
    for (let i = 0; i < 200 && router.calls < 2 * once; i += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(router.calls, 2 * once, 'computed again for the new rules');
    for (const listener of router.listeners) listener({ ok: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(router.calls, 2 * once, 'a refused reload changes nothing');
  });
});
