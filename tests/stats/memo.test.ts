// The first screen's figures per intercommunality, in one pass, equal those filtered one
// territory at a time; a memoised result is recomputed once a referral changes.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Statistics, parseFilter, territoryChoices } from '../../src/stats/index.js';
import { actorDelays } from '../../src/stats/delays.js';
import { requestOutcomes } from '../../src/stats/funnel.js';
import { scopeOf } from '../../src/stats/scope.js';
import { figuresByEpci } from '../../src/stats/territories.js';
import { openStore, type Store } from '../../src/store/index.js';
import { loadTerritory } from '../../src/territory/index.js';
import { generate, type Generated } from './generate.js';

const NOW = new Date('2025-06-15T10:00:00Z');
const territory = loadTerritory();
const labels = { actor: (id: string) => id, partner: (id: string) => id, place: (code: string) => code };

let data: Generated;
let stats: Statistics;
let dir: string;
let store: Store;

beforeAll(async () => {
  data = generate({ requests: 2000, now: NOW, territory, seed: 11 });
  dir = mkdtempSync(join(tmpdir(), 'aig-stats-memo-'));
  store = await openStore({ dataDir: dir });
  await store.commit({ referrals: data.referrals.map((r) => ({ ...r, version: 1 })) });
  stats = new Statistics({ store, events: null, territory });
  await stats.refresh();
});

afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('premier écran : chiffres par intercommunalité', () => {
  it('en un passage, les mêmes que territoire par territoire', () => {
    const index = stats.referrals;
    const epcis = [...new Set(data.referrals.map((r) => r.profile.epci?.code).filter((c): c is string => !!c))];
    const choices = territoryChoices(territory, [], epcis).filter((t) => t.epcis.length === 1);
    assert.ok(choices.length > 1);
    for (const [du, au] of [['2025-05-01', '2025-06-15'], ['2024-06-01', '2025-06-15']] as const) {
      const { filter } = parseFilter({ du, au }, { now: NOW, territories: choices });
      const figures = figuresByEpci(index, filter.from, filter.to, NOW.getTime());
      assert.equal(figures.total, requestOutcomes(index, scopeOf(filter, index, null, NOW)).consented);
      const two = { id: 'deux', label: 'Deux', epcis: [choices[0]!.epcis[0]!, choices[1]!.epcis[0]!, 'pas-un-epci'] };
      assert.equal(figuresByEpci(index, filter.from, filter.to, NOW.getTime(), undefined, two.epcis).total, requestOutcomes(index, scopeOf({ ...filter, territory: two }, index, null, NOW)).consented);
      for (const t of choices) {
        const scope = scopeOf({ ...filter, territory: t }, index, null, NOW);
        const rows = actorDelays(index, scope);
        const all = rows.length > 1 ? rows.at(-1)! : rows[0];
        assert.equal(figures.requests(t.epcis[0]!), requestOutcomes(index, scope).consented, `${t.label} ${du}`);
        assert.equal(figures.withinPromise(t.epcis[0]!), all && all.takenCare + all.late ? all.withinPromise / (all.takenCare + all.late) : null, `${t.label} ${du}`);
      }
    }
    assert.equal(figuresByEpci(index, 0, Date.now(), NOW.getTime()).requests('pas-un-epci'), 0);
  });
});

describe('résultats gardés', () => {
  it('recalculés dès qu’une orientation change, ou quand l’horloge a avancé', async () => {
    const { filter } = parseFilter({ du: '2024-06-01', au: '2025-06-15' }, { now: NOW, territories: [] });
    let computed = 0;
    const consented = () => stats.memoise('test', NOW, () => {
      computed += 1;
      return stats.report(filter, labels, NOW).funnel.consented;
    });
    const before = consented();
    assert.equal(consented(), before);
    assert.equal(computed, 1);
    // A new request in the period, as another instance would write it: read by the next refresh.
    const model = data.referrals.find((r) => r.escalatedFrom === null && r.status === 'pending' && Date.parse(r.createdAt) >= filter.from)!;
    await store.commit({ referrals: [{ ...model, id: `${model.id}-memo`, reference: `${model.reference}-MEMO`, version: 1 }] });
    await stats.refresh();
    assert.equal(consented(), before + 1);
    assert.equal(computed, 2);
    assert.equal(consented(), before + 1);
    assert.equal(computed, 2);
    stats.memoise('test', new Date(NOW.getTime() + 61_000), () => (computed += 1));
    assert.equal(computed, 3);
  });
});
