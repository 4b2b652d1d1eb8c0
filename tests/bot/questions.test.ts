// The question choice on its own (src/routing/questions.ts), against small routers whose
// decision depends on known facts only: what it says is worth asking follows the decision.
import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import type { RoutingDecision } from '../../src/domain/decision.js';
import { emptyProfile, type Profile } from '../../src/domain/profile.js';
import { nextUsefulQuestion, questionSlots, rememberingRouter, sameDecision, worthAsking, wouldChangeDecision } from '../../src/routing/questions.js';

function routerOf(pick: (p: Profile) => string[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    rulesVersion: 'v1',
    route: async (p: Profile): Promise<RoutingDecision> => {
      calls += 1;
      return {
        referrals: pick(p).map((actorId) => ({ actorId, actorName: actorId, role: 'local' as const, tier: 'local' as const, ruleId: 'r', reason: 'parce que' })),
        fallback: false,
        rulesVersion: 'v1',
        skipped: [],
      };
    },
  };
}

const vallet: Profile = { ...emptyProfile(), commune: { code: '44215', nom: 'Vallet' }, epci: { code: '200067866', nom: 'CC Sèvre et Loire' }, departement: '44' };

test('a fact is worth asking only when one of its answers changes the set of actors', async () => {
  const router = routerOf((p) => (p.stage === 'idee' ? ['cc', 'ecossolies'] : ['cc']));
  assert.equal(await wouldChangeDecision(router, vallet, 'stage'), true);
  assert.equal(await wouldChangeDecision(router, vallet, 'sector'), false);
  assert.equal(await wouldChangeDecision(router, vallet, 'projectType'), false);
  assert.equal(await nextUsefulQuestion(router, vallet, ['sector', 'projectType', 'stage']), 'stage');
  assert.equal(await nextUsefulQuestion(router, { ...vallet, stage: 'creation' }, ['sector', 'projectType']), null);
});

test('« je ne sais pas » counts as an answer: a rule that needs any stage makes the stage worth asking', async () => {
  const router = routerOf((p) => (p.stage !== null ? ['cc'] : ['cress']));
  assert.equal(await wouldChangeDecision(router, vallet, 'stage'), true);
});

test('needs: worth asking when adding any single need changes the actors', async () => {
  const router = routerOf((p) => (p.needs.includes('financement') ? ['cc', 'france-active'] : ['cc']));
  assert.equal(await wouldChangeDecision(router, vallet, 'needs'), true);
  assert.equal(await wouldChangeDecision(router, { ...vallet, needs: ['financement'] }, 'needs'), false);
});

test('a yes/no fact outside its context is not asked, but the fact that opens it is', async () => {
  // Only an agricultural installation changes anything; it is asked for food projects only.
  const router = routerOf((p) => (p.agriculturalInstallation === true ? ['cc', 'chambre'] : ['cc']));
  if (!questionSlots().includes('agriculturalInstallation')) return; // not in the catalogue yet
  assert.equal(await worthAsking(router, { ...vallet, sector: 'dechets_ressources' }, 'agriculturalInstallation'), false);
  assert.equal(await worthAsking(router, { ...vallet, sector: 'alimentation' }, 'agriculturalInstallation'), true);
  assert.equal(await worthAsking(router, vallet, 'sector'), true, '« Alimentation » would open the installation question');
});

test('the question slots follow the catalogue, in a receptionist’s order, needs last', () => {
  const slots = questionSlots();
  assert.deepEqual(slots.slice(0, 2), ['stage', 'sector']);
  assert.equal(slots[slots.length - 1], 'needs');
  assert.ok(!slots.some((s) => ['commune', 'epci', 'departement'].includes(s)));
});

test('sameDecision and the remembering router', async () => {
  const router = routerOf((p) => (p.commune?.code === '44043' ? ['clisson'] : ['cc']));
  assert.equal(await sameDecision(router, [vallet, { ...vallet, commune: { code: '44009', nom: 'Le Pallet' } }]), true);
  assert.equal(await sameDecision(router, [vallet, { ...vallet, commune: { code: '44043', nom: 'Clisson' } }]), false);
  const remembering = rememberingRouter(router);
  const before = router.calls;
  await remembering.route(vallet);
  await remembering.route({ ...vallet });
  assert.equal(router.calls - before, 1, 'the same profile is routed once');
});
