// Back-office figures over 100,000 generated referrals (and their conversations' events): the
// statistics page's server time, one simulation (decision + trace of every rule), the coverage
// of the Vignoble, plus what it costs to get there (index build, CSV export).
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { NEEDS, PROJECT_TYPES, SECTORS, STAGES, emptyProfile, type Profile } from '../src/domain/profile.js';
import type { ConversationEvent } from '../src/domain/events.js';
import { coverage } from '../src/routing/index.js';
import { traceDecision } from '../src/routing/trace.js';
import { ADMIN, Client, startBackoffice } from '../tests/backoffice/harness.js';
import { generate, rng } from '../tests/stats/generate.js';
import { ms, percentile, type Row } from './stats.js';

const REFERRALS = 100_000;

function log(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

export async function benchBackoffice(): Promise<Row[]> {
  const rows: Row[] = [];
  const h = await startBackoffice({ log: () => undefined });
  try {
    // ── data ──────────────────────────────────────────────────────────────────
    let t = performance.now();
    const data = generate({ requests: Math.ceil(REFERRALS / 1.08), now: new Date(), territory: h.territory, seed: 2024, extraConversations: 1 });
    const referrals = data.referrals.slice(0, REFERRALS);
    for (let i = 0; i < referrals.length; i += 2000) await h.referrals.store.commit({ referrals: referrals.slice(i, i + 2000).map((r) => ({ ...r, version: 1 })) });
    // Events straight into their monthly files, as the event log writes them.
    const dir = join(h.dir, 'data', 'events');
    mkdirSync(dir, { recursive: true });
    const byMonth = new Map<string, string[]>();
    for (const e of data.events as ConversationEvent[]) {
      const month = e.at.slice(0, 7);
      let lines = byMonth.get(month);
      if (!lines) byMonth.set(month, (lines = []));
      lines.push(JSON.stringify(e));
    }
    for (const [month, lines] of byMonth) appendFileSync(join(dir, `events-${month}.jsonl`), `${lines.join('\n')}\n`);
    log(`${referrals.length} orientations et ${data.events.length} évènements générés en ${Math.round(performance.now() - t)} ms`);

    t = performance.now();
    await h.backoffice.deps.stats.refresh();
    const build = performance.now() - t;
    rows.push({ name: `Statistiques : construction des index (${referrals.length} orientations, ${h.backoffice.deps.stats.conversations.size} conversations)`, value: ms(build), target: 'au démarrage, en tâche de fond' });

    // ── statistics page ───────────────────────────────────────────────────────
    const client = new Client(h.base);
    await client.login(ADMIN.email, ADMIN.password);
    const serverTimes: number[] = [];
    const roundTrips: number[] = [];
    for (let i = 0; i < 22; i += 1) {
      const query = i % 2 ? '' : '?territoire=vignoble-nantais';
      const started = performance.now();
      const res = await client.get(`/statistiques${query}`);
      await res.text();
      if (res.status !== 200) throw new Error(`statistiques : HTTP ${res.status}`);
      if (i < 2) continue; // warm-up
      roundTrips.push(performance.now() - started);
      serverTimes.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
    }
    const p50 = percentile(serverTimes, 50);
    const worst = Math.max(...serverTimes);
    rows.push({ name: 'Page Statistiques sur 100 000 orientations : temps serveur p50', value: ms(p50), target: '≤ 200 ms', ok: p50 <= 200 });
    rows.push({ name: 'Page Statistiques : temps serveur, pire des 20 requêtes', value: ms(worst), target: '≤ 200 ms', ok: worst <= 200 });
    rows.push({ name: 'Page Statistiques : aller-retour navigateur (boucle locale) p50', value: ms(percentile(roundTrips, 50)), target: '—' });

    t = performance.now();
    const csv = await (await client.get('/statistiques/export/orientations.csv?du=2000-01-01')).text();
    rows.push({ name: `Export CSV des orientations (${csv.split('\r\n').length - 2} lignes, sans données personnelles)`, value: ms(performance.now() - t), target: '—' });

    // ── simulation ────────────────────────────────────────────────────────────
    const set = await h.backoffice.deps.rules.liveSet();
    const r = rng(7);
    const communes = ['44212', '44043', '44064', '44109', '35236', '85191', '49007', '44084'];
    const profiles: Profile[] = Array.from({ length: 300 }, () => {
      const c = h.territory.commune(r.pick(communes))!;
      return { ...emptyProfile(), stage: r.pick(STAGES), sector: r.pick(SECTORS), projectType: r.pick(PROJECT_TYPES), needs: NEEDS.filter(() => r.chance(0.3)), commune: { code: c.code, nom: c.nom }, epci: c.epci, departement: c.departement };
    });
    const simulate = async (p: Profile) => traceDecision(set, h.territory, p, await h.router.route(p));
    for (const p of profiles.slice(0, 50)) await simulate(p);
    const samples: number[] = [];
    for (const p of profiles) {
      const s = performance.now();
      await simulate(p);
      samples.push(performance.now() - s);
    }
    const sim95 = percentile(samples, 95);
    rows.push({ name: `Simulation d’un profil (décision + trace des ${set.rules.length} règles) p95`, value: ms(sim95), target: '≤ 5 ms', ok: sim95 <= 5 });
    rows.push({ name: 'Simulation d’un profil p50', value: ms(percentile(samples, 50)), target: '—' });

    // ── coverage ──────────────────────────────────────────────────────────────
    const vignoble = h.territory.namedTerritory('vignoble-nantais')!.epcis;
    const runs: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const s = performance.now();
      const report = await coverage(h.router, h.territory, vignoble);
      runs.push(performance.now() - s);
      if (report.combos.length !== 810) throw new Error(`couverture : ${report.combos.length} combinaisons`);
    }
    const covWorst = Math.max(...runs);
    rows.push({ name: 'Couverture du Vignoble (27 communes × 3 stades × 10 secteurs), pire de 3', value: ms(covWorst), target: '≤ 1 s', ok: covWorst <= 1000 });
    // A draft's coverage also builds its router from a temporary copy.
    const ws = h.backoffice.deps.rules;
    const s = performance.now();
    const draft = await ws.routerFor({ ...(await ws.liveFiles()), 'zz-bench.json': '{"rules":[]}\n' });
    if (!('router' in draft)) throw new Error('brouillon de mesure invalide');
    await coverage(draft.router, h.territory, vignoble);
    rows.push({ name: 'Couverture « après » d’un brouillon (copie, routeur, 810 décisions)', value: ms(performance.now() - s), target: '≤ 1 s', ok: performance.now() - s <= 1000 });
  } finally {
    await h.close();
  }
  return rows;
}
