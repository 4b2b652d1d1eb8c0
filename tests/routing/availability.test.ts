// Inactive, absent, over-capacity and out-of-territory actors are skipped and reported; the next
// candidate of the same slot takes over; the decision is never empty.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { createRouter, type Router } from '../../src/routing/index.js';
import { absenceOn, actorServes, parisDay } from '../../src/domain/actor.js';
import { profileAt, tempRuleSet, testTerritory } from './helpers.js';

const copies: Array<() => void> = [];
after(() => copies.forEach((c) => c()));

async function routerWith(patch: Record<string, Record<string, unknown>>, options: Partial<Parameters<typeof createRouter>[0]> = {}): Promise<Router> {
  const copy = tempRuleSet();
  copies.push(copy.cleanup);
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
