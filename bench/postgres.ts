// `npm run bench -- postgres`: the production mode's figures (issue 15), on a durable throwaway
// PostgreSQL cluster (fsync on, as in production) that this bench starts and stops:
//  - 1,000,000 referrals loaded (bench/referrals.ts's bulkLoadReferrals, with a progress line;
//    the cluster's files are kept between runs under the temporary directory, so a second run
//    reuses the rows), then creating a referral through the use case, p50/p99;
//  - on a real `npm start` process over that database, signed in as the coordination: the
//    statistics page (default view: the first screen) and the coordinator's inbox, server time
//    (Server-Timing) and round trip;
//  - the load bench's holders against one instance, then against two behind a balancer, on a
//    fresh database of the same cluster, the same two processes, alternated (one, two, one,
//    two): turns per second and their ratio.
// POSTGRES_BENCH_REFERRALS, POSTGRES_LOAD_CONVERSATIONS, POSTGRES_LOAD_THINK_MS,
// POSTGRES_LOAD_ROUNDS change the sizes; POSTGRES_BENCH_ONLY=load runs the load part alone,
// POSTGRES_BENCH_ONLY=backoffice the statistics and the inbox alone (on the rows already loaded).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Client } from '../tests/backoffice/harness.js';
import { runHolders, until } from '../tests/proof/harness.js';
import { Balancer, COORDINATION, databaseFacts, startInstances, withClient } from '../tests/proof/support/instances.js';
import { benchReferralsPostgres } from './referrals.js';
import { ms, percentile, printTable, type Row } from './stats.js';

const REFERRALS = Number(process.env.POSTGRES_BENCH_REFERRALS ?? 1_000_000);
const CONVERSATIONS = Number(process.env.POSTGRES_LOAD_CONVERSATIONS ?? 300);
const ROUNDS = Number(process.env.POSTGRES_LOAD_ROUNDS ?? 2);
const THINK_MS = Number(process.env.POSTGRES_LOAD_THINK_MS ?? 200);
const CLUSTER_DIR = join(tmpdir(), 'aiguillage-bench-postgres');
const CLUSTER_PORT = 54339;
/** Where benchReferralsPostgres keeps its rows (bench/referrals.ts). */
const LOADED_DATABASE = 'aiguillage_bench_referrals';

interface ClusterScript {
  startCluster(dir: string, port: number, options?: { durable?: boolean }): string;
  stopCluster(dir: string, options?: { remove?: boolean }): void;
}

const log = (message: string) => process.stderr.write(`  ${message}\n`);
const inDatabase = (url: string, name: string) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
};

/** Server time (Server-Timing) and round trip of `count` GETs of `path`, after `warm` unmeasured ones. */
async function timePage(client: Client, path: string, count: number, warm = 2): Promise<{ server: number[]; trip: number[]; first: { server: number; trip: number } }> {
  const server: number[] = [];
  const trip: number[] = [];
  let first = { server: Number.NaN, trip: Number.NaN };
  for (let i = 0; i < count + warm; i += 1) {
    const t = performance.now();
    const res = await client.get(path);
    await res.text();
    if (res.status !== 200) throw new Error(`${path} : HTTP ${res.status}`);
    const took = { trip: performance.now() - t, server: Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN) };
    if (i === 0) first = took;
    if (i < warm) continue;
    server.push(took.server);
    trip.push(took.trip);
  }
  return { server, trip, first };
}

/** The back-office figures on a real instance over the loaded database. */
async function backofficeAtScale(url: string, label: string): Promise<Row[]> {
  const rows: Row[] = [];
  const t = performance.now();
  const instance = await startInstances({ databaseUrl: url, count: 1 });
  try {
    rows.push({ name: `Instance réelle démarrée sur la base à ${label} orientations`, value: ms(performance.now() - t), target: '' });
    // The back office builds its statistics index in the background at start: measured when ready.
    const server = instance.list[0]!;
    const ready = await until('index des statistiques', () => /index des statistiques prêt en (\d+) ms/.exec(server.log())?.[1], 900_000, 500);
    rows.push({ name: `  index des statistiques construit au démarrage (${label})`, value: ms(Number(ready)), target: 'en tâche de fond' });
    const client = new Client(instance.list[0]!.backoffice);
    const login = await client.login(COORDINATION.email, COORDINATION.password);
    if (login.status !== 303) throw new Error(`connexion de la coordination : HTTP ${login.status}`);

    const stats = await timePage(client, '/statistiques', 20);
    rows.push({ name: `Statistiques, premier écran à ${label} (1re requête après connexion) : temps serveur`, value: ms(stats.first.server), target: '≤ 300 ms', ok: stats.first.server <= 300 });
    rows.push({ name: '  aller-retour de cette 1re requête', value: ms(stats.first.trip), target: '' });
    const statsP50 = percentile(stats.server, 50);
    const statsWorst = Math.max(...stats.server);
    rows.push({ name: `Statistiques, premier écran : temps serveur p50 / pire de ${stats.server.length}`, value: `${ms(statsP50)} / ${ms(statsWorst)}`, target: '≤ 300 ms', ok: statsWorst <= 300 });
    rows.push({ name: '  aller-retour p50 (boucle locale)', value: ms(percentile(stats.trip, 50)), target: '' });

    // The round trip on loopback (server time plus a few ms) is the inbox's figure.
    const inbox = await timePage(client, '/orientations', 20);
    const inboxP50 = percentile(inbox.trip, 50);
    const inboxWorst = Math.max(...inbox.trip);
    rows.push({ name: `Boîte de la coordination à ${label} (/orientations) : 1re requête, aller-retour`, value: ms(inbox.first.trip), target: '≤ 100 ms', ok: inbox.first.trip <= 100 });
    rows.push({ name: `Boîte de la coordination : aller-retour p50 / pire de ${inbox.trip.length}`, value: `${ms(inboxP50)} / ${ms(inboxWorst)}`, target: '≤ 100 ms', ok: inboxWorst <= 100 });
    rows.push({ name: '  temps serveur : 1re requête ; p50 / pire', value: `${ms(inbox.first.server)} ; ${ms(percentile(inbox.server, 50))} / ${ms(Math.max(...inbox.server))}`, target: '' });
    rows.push({ name: '  mémoire résidente de l’instance à la fin', value: `${(instance.list[0]!.rss() / 2 ** 20).toFixed(0)} Mio`, target: '' });
  } finally {
    await instance.close();
  }
  return rows;
}

/**
 * Holders against one instance, then against two behind the balancer: the same two processes,
 * the same database, alternated for ROUNDS rounds so that the machine's other work weighs on both.
 */
async function oneVersusTwo(clusterUrl: string): Promise<Row[]> {
  const rows: Row[] = [];
  const name = 'aiguillage_bench_load';
  await withClient(clusterUrl, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${name}`);
  });
  const url = inDatabase(clusterUrl, name);
  const instances = await startInstances({ databaseUrl: url, count: 2 });
  const rates: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const turnsOf: Record<1 | 2, number[]> = { 1: [], 2: [] };
  let errors = 0;
  try {
    const all = instances.bases();
    let phase = 0;
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const count of [1, 2] as const) {
        const bases = all.slice(0, count);
        // Each phase from addresses of its own: the channel's per-address limits are shared by the instances and outlive a phase.
        const shift = (phase++ * Math.ceil(CONVERSATIONS / 10)) % 200;
        const own = (address: string) => address.replace(/\d+$/, (n) => String(((Number(n) - 10 + shift) % 240) + 10));
        log(`tour ${round}/${ROUNDS} : ${CONVERSATIONS} porteurs sur ${count} instance${count > 1 ? 's' : ''}…`);
        const load = await runHolders(bases[0]!, CONVERSATIONS, {
          thinkMs: THINK_MS,
          rampMs: 2000,
          perAddress: 10,
          client: (address, maxSockets) => new Balancer(bases, own(address), maxSockets, Number(address.split('.')[3]) % bases.length),
        });
        if (load.errors.length) log(`erreurs : ${load.errors.slice(0, 3).map((e) => `#${e.index} ${e.error.message.slice(0, 160)}`).join(' ; ')}`);
        errors += load.errors.length;
        const turns = load.runs.flatMap((r) => r.turns);
        rates[count].push(turns.length / load.seconds);
        turnsOf[count].push(...turns);
      }
    }
    const facts = await databaseFacts(url);
    const expected = CONVERSATIONS * ROUNDS * 2;
    for (const count of [1, 2] as const) {
      const label = count === 1 ? 'une instance' : 'deux instances';
      rows.push({ name: `Charge, ${label} (${CONVERSATIONS} conv. à la fois, pause ~${THINK_MS} ms) : tours par seconde, ${ROUNDS} tours`, value: rates[count].map((r) => r.toFixed(1)).join(' ; '), target: 'information' });
      // A stress (pauses of 200 ms, not the 1.5 s of `npm run bench -- load`): latencies are information.
      rows.push({ name: `  tour p50 / p99 (${turnsOf[count].length} tours)`, value: `${ms(percentile(turnsOf[count], 50))} / ${ms(percentile(turnsOf[count], 99))}`, target: 'information (saturé)' });
    }
    rows.push({ name: 'Charge : conversations en erreur ; demandes dans la base', value: `${errors} ; ${facts.references.size}`, target: `0 ; ${expected}`, ok: errors === 0 && facts.references.size === expected });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    rows.push({ name: 'Charge : deux instances / une instance, tours par seconde', value: `× ${(mean(rates[2]) / mean(rates[1])).toFixed(2)}`, target: 'information (2 cœurs partagés)' });
    rows.push({ name: 'Charge : deux instances / une instance, tour p99', value: `× ${(percentile(turnsOf[2], 99) / percentile(turnsOf[1], 99)).toFixed(2)}`, target: 'information' });
  } finally {
    await instances.close();
  }
  return rows;
}

export async function benchPostgres(): Promise<Row[]> {
  const script = (await import(pathToFileURL(join(process.cwd(), 'scripts', 'postgres.mjs')).href)) as ClusterScript;
  const t = performance.now();
  const clusterUrl = script.startCluster(CLUSTER_DIR, CLUSTER_PORT, { durable: true });
  log(`PostgreSQL durable (fsync) : ${clusterUrl}, fichiers dans ${CLUSTER_DIR} (gardés pour la prochaine fois ; à effacer à la main)`);
  const rows: Row[] = [{ name: 'PostgreSQL durable démarré (fsync, synchronous_commit)', value: ms(performance.now() - t), target: '' }];
  const label = REFERRALS.toLocaleString('fr-FR');
  try {
    // Loading (or reusing) the rows, then creation through the use case: bench/referrals.ts.
    const only = process.env.POSTGRES_BENCH_ONLY;
    if (only !== 'load') {
      if (only !== 'backoffice') rows.push(...(await benchReferralsPostgres(clusterUrl, [REFERRALS])));
      rows.push(...(await backofficeAtScale(inDatabase(clusterUrl, LOADED_DATABASE), label)));
    }
    if (only !== 'backoffice') rows.push(...(await oneVersusTwo(clusterUrl)));
  } finally {
    script.stopCluster(CLUSTER_DIR);
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  printTable(await benchPostgres());
}
