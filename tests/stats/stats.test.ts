// Statistics modules on generated data: every figure checked against a plain recount of the
// generated records and events, with and without filters; the index follows a real store.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SECTORS } from '../../src/domain/profile.js';
import { Statistics, parseFilter, territoryChoices, type StatTable } from '../../src/stats/index.js';
import { buckets, bucketOf, parisMidnight } from '../../src/stats/filters.js';
import { median } from '../../src/stats/delays.js';
import { ABANDON_AFTER_MS } from '../../src/stats/unmet.js';
import { openStore, type Store } from '../../src/store/index.js';
import { EventLog } from '../../src/store/eventLog.js';
import { loadTerritory } from '../../src/territory/index.js';
import type { Referral } from '../../src/domain/referral.js';
import { generate, type Generated } from './generate.js';

const NOW = new Date('2025-06-15T10:00:00Z');
const DAY = 86_400_000;
const territory = loadTerritory();
const labels = { actor: (id: string) => id, partner: (id: string) => id, place: (code: string) => code };
const choices = territoryChoices(territory, ['vignoble-nantais'], ['200067635', '200067866']);

let data: Generated;
let stats: Statistics;
let dir: string;
let store: Store;
let events: EventLog;

const funnel = (report: { tables: StatTable[] }) => table(report.tables, 'parcours');

function table(tables: StatTable[], id: string): StatTable {
  const t = tables.find((x) => x.id === id);
  assert.ok(t, `vue ${id}`);
  return t;
}

beforeAll(async () => {
  data = generate({ requests: 3000, now: NOW, territory, seed: 7 });
  dir = mkdtempSync(join(tmpdir(), 'aig-stats-'));
  store = await openStore({ dataDir: dir });
  for (let i = 0; i < data.referrals.length; i += 500) {
    // Versions as the service would write them: the generated record is the latest version.
    await store.commit({ referrals: data.referrals.slice(i, i + 500).map((r) => ({ ...r, version: 1 })) });
  }
  events = new EventLog(join(dir, 'events'));
  for (const e of data.events) events.append(e);
  await events.flush();
  stats = new Statistics({ store, events, territory });
  await stats.refresh();
});

afterAll(async () => {
  await events.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Requests an actor declined as tests: counted apart, out of the request figures. */
const testRequests = () => new Set(data.referrals.filter((r) => r.decline?.reason === 'demande_non_serieuse').map((r) => r.reference));
const firstRecords = (rs: Referral[], withTests = false) => {
  const seen = new Set<string>();
  const tests = withTests ? new Set<string>() : testRequests();
  return rs.filter((r) => r.escalatedFrom === null && !tests.has(r.reference) && !seen.has(r.reference) && seen.add(r.reference));
};

describe('statistiques sur données générées', () => {
  it('le parcours compte comme un recomptage simple', () => {
    const { filter } = parseFilter({ du: '2024-06-01', au: '2025-06-15' }, { now: NOW, territories: choices });
    const report = stats.report(filter, labels, NOW);
    const inPeriod = (at: string) => Date.parse(at) >= filter.from && Date.parse(at) < filter.to;
    const requests = firstRecords(data.referrals.filter((r) => inPeriod(r.createdAt)));
    const refs = new Set(requests.map((r) => r.reference));
    const dossier = data.referrals.filter((r) => refs.has(r.reference));
    const taken = new Set(dossier.filter((r) => r.history.some((h) => h.to === 'taking_care')).map((r) => r.reference));
    const done = new Set(dossier.filter((r) => r.status === 'done').map((r) => r.reference));
    const starts = new Map<string, number>();
    for (const e of data.events) starts.set(e.conversationId, Math.min(starts.get(e.conversationId) ?? Infinity, Date.parse(e.at)));
    const conversations = [...starts].filter(([, at]) => at >= filter.from && at < filter.to).map(([id]) => id);
    const steps = (step: string) => new Set(data.events.filter((e) => e.step === step).map((e) => e.conversationId));
    const qualified = steps('qualified');
    const oriented = steps('oriented');
    assert.deepEqual(report.funnel, {
      started: conversations.length,
      qualified: conversations.filter((c) => qualified.has(c)).length,
      oriented: conversations.filter((c) => oriented.has(c)).length,
      consented: refs.size,
      takenCare: taken.size,
      accompanied: done.size,
      notSerious: firstRecords(data.referrals.filter((r) => inPeriod(r.createdAt)), true).length - refs.size,
    });
    assert.ok(report.funnel.notSerious > 0, 'les données générées contiennent des tests');
    assert.match(funnel(report).note ?? '', new RegExp(`Non comptées aux étapes 4 à 6 : ${report.funnel.notSerious} demandes`));
    assert.ok(report.funnel.started > report.funnel.consented && report.funnel.consented > report.funnel.takenCare);
    assert.equal(funnel(report).rows[3]!.nombre, refs.size);
  });

  it('les répartitions par secteur et par période totalisent les demandes', () => {
    const { filter } = parseFilter({ du: '2024-07-01', au: '2025-06-15', pas: 'month' }, { now: NOW, territories: choices });
    const report = stats.report(filter, labels, NOW);
    const total = report.funnel.consented;
    const sum = (t: StatTable, key: string) => t.rows.reduce((n, r) => n + (r[key] as number), 0);
    assert.equal(sum(table(report.tables, 'demandes-par-secteur'), 'demandes'), total);
    assert.equal(sum(table(report.tables, 'demandes-par-periode'), 'demandes'), total);
    assert.equal(table(report.tables, 'demandes-par-periode').rows.length, 12);
    const requests = firstRecords(data.referrals.filter((r) => Date.parse(r.createdAt) >= filter.from && Date.parse(r.createdAt) < filter.to));
    const habitat = requests.filter((r) => r.profile.sector === 'habitat').length;
    const row = table(report.tables, 'demandes-par-secteur').rows.find((r) => r.libelle === 'Habitat');
    assert.equal(row?.demandes, habitat);
    assert.equal(SECTORS.length, table(report.tables, 'demandes-par-secteur').rows.length);
  });

  it('le filtre de territoire ne garde que les projets de ses intercommunalités', () => {
    const { filter, errors } = parseFilter({ du: '2024-06-01', au: '2025-06-15', territoire: '200067866' }, { now: NOW, territories: choices });
    assert.deepEqual(errors, []);
    const report = stats.report(filter, labels, NOW);
    const expected = firstRecords(data.referrals.filter((r) => r.profile.epci?.code === '200067866' && Date.parse(r.createdAt) >= filter.from)).length;
    assert.equal(report.funnel.consented, expected);
    const epcis = table(report.tables, 'demandes-par-epci').rows.map((r) => r.libelle);
    assert.deepEqual(epcis, ['200067866']);
    assert.match(table(report.tables, 'parcours').note ?? '', /lieu est connu/);
  });

  it('délai médian et part dans le délai promis, par structure', () => {
    const { filter } = parseFilter({ du: '2024-06-01', au: '2025-06-15' }, { now: NOW, territories: choices });
    const report = stats.report(filter, labels, NOW);
    const rows = table(report.tables, 'delais-de-prise-en-charge').rows;
    const mine = data.referrals.filter((r) => r.actorId === 'sevre-loire-eco' && Date.parse(r.createdAt) >= filter.from);
    const delays = mine.flatMap((r) => {
      const h = r.history.find((x) => x.to === 'taking_care');
      return h ? [Date.parse(h.at) - Date.parse(r.createdAt)] : [];
    });
    const late = mine.filter((r) => !r.history.some((x) => x.to === 'taking_care') && r.status !== 'declined' && NOW.getTime() - Date.parse(r.createdAt) > 7 * DAY).length;
    const within = delays.filter((d) => d <= 7 * DAY).length;
    const row = rows.find((r) => r.structure === 'sevre-loire-eco')!;
    assert.equal(row.prises_en_charge, delays.length);
    assert.equal(row.sans_reponse_en_retard, late);
    assert.ok(Math.abs((row.delai_median_jours as number) - median(delays)! / DAY) < 1e-9);
    assert.ok(Math.abs((row.dans_le_delai as number) - within / (delays.length + late)) < 1e-9);
    assert.equal(rows.at(-1)!.structure, 'Toutes les structures');
  });

  it('refus par motif et structure suggérée par règle', () => {
    const { filter } = parseFilter({ du: '2024-06-01', au: '2025-06-15' }, { now: NOW, territories: choices });
    const report = stats.report(filter, labels, NOW);
    const declined = data.referrals.filter((r) => r.status === 'declined' && Date.parse(r.createdAt) >= filter.from);
    const reasons = table(report.tables, 'refus-par-motif');
    assert.equal(reasons.rows.reduce((n, r) => n + (r.refus as number), 0), declined.length);
    const perRule = table(report.tables, 'refus-par-regle');
    assert.equal(perRule.rows.reduce((n, r) => n + (r.refus as number), 0), declined.length);
    const suggested = declined.filter((r) => r.decline?.shouldGoTo === 'ecossolies' && r.ruleId === 'vignoble-proximite-sevre-loire-eco').length;
    const row = perRule.rows.find((r) => r.regle === 'vignoble-proximite-sevre-loire-eco' && r.structure_suggeree === 'ecossolies');
    assert.equal(row?.refus ?? 0, suggested);
  });

  it('demande non satisfaite : recours seuls, hors zone, abandons par question', () => {
    const { filter } = parseFilter({ du: '2024-06-01', au: '2025-06-15' }, { now: NOW, territories: choices });
    const report = stats.report(filter, labels, NOW);
    const unmet = table(report.tables, 'demande-non-satisfaite').rows;
    const requests = firstRecords(data.referrals.filter((r) => Date.parse(r.createdAt) >= filter.from && Date.parse(r.createdAt) < filter.to));
    assert.equal(unmet[0]!.nombre, requests.filter((r) => r.decision.fallback).length);
    const byConversation = new Map<string, typeof data.events>();
    for (const e of data.events) byConversation.set(e.conversationId, [...(byConversation.get(e.conversationId) ?? []), e]);
    let abandoned = 0;
    let outOfArea = 0;
    const atConsent: string[] = [];
    for (const [id, list] of byConversation) {
      const start = Math.min(...list.map((e) => Date.parse(e.at)));
      if (start < filter.from || start >= filter.to) continue;
      const last = Math.max(...list.map((e) => Date.parse(e.at)));
      if (list.some((e) => e.step === 'qualified' && e.profile?.departement === '75')) outOfArea += 1;
      const ended = list.some((e) => ['handed_off', 'contact_declined', 'consent_refused'].includes(e.step));
      if (!ended && NOW.getTime() - last > ABANDON_AFTER_MS) {
        abandoned += 1;
        if (list.filter((e) => e.step === 'asked').at(-1)?.question === 'consent') atConsent.push(id);
      }
    }
    assert.equal(unmet[2]!.nombre, outOfArea);
    assert.equal(unmet[4]!.nombre, abandoned);
    const consent = table(report.tables, 'abandons-par-question').rows.find((r) => r.question === 'Consentement');
    assert.equal(consent?.abandons, atConsent.length);
  });
});

describe('index des orientations', () => {
  it('ne relit que les orientations modifiées depuis le passage précédent', async () => {
    assert.equal(await stats.referrals.sync(store), 0, 'rien de nouveau : rien relu');
    const record = (await store.referrals.get(data.referrals[0]!.id))!;
    await store.commit({ referrals: [{ ...record, version: record.version + 1, status: 'done', statusAt: NOW.toISOString() }] });
    assert.equal(await stats.referrals.sync(store), 1);
    const slot = stats.referrals.slotOf(record.id)!;
    assert.equal(stats.referrals.statusOf(slot), 'done');
  });
});

describe('filtres', () => {
  it('périodes en jours de Paris, pas de temps, erreurs en français', () => {
    assert.equal(new Date(parisMidnight('2025-01-15')).toISOString(), '2025-01-14T23:00:00.000Z');
    assert.equal(new Date(parisMidnight('2025-07-15')).toISOString(), '2025-07-14T22:00:00.000Z');
    assert.equal(new Date(parisMidnight('2025-03-30')).toISOString(), '2025-03-29T23:00:00.000Z');
    const { filter, errors } = parseFilter({ du: '2025-13-40', au: '2025-02-01', territoire: 'atlantide', pas: 'siecle' }, { now: NOW, territories: choices });
    assert.equal(errors.length, 3);
    assert.match(errors.join(' '), /Date de début illisible/);
    assert.match(errors.join(' '), /Territoire inconnu/);
    assert.equal(filter.territory, null);
    const weeks = buckets({ ...filter, fromDay: '2025-06-04', toDay: '2025-06-20', granularity: 'week' });
    assert.equal(weeks[0]!.key, '2025-06-02', 'les semaines commencent le lundi');
    const starts = Float64Array.from(weeks.map((b) => b.start));
    assert.equal(bucketOf(starts, parisMidnight('2025-06-10')), 1);
    assert.equal(bucketOf(starts, parisMidnight('2025-05-01')), -1);
  });
});
