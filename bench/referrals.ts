// Referral store figures: creation p50/p99 through the use case (records + e-mails, fsynced)
// with 0, 10,000 and 100,000 referrals already stored; open time, size and heap at 100,000.
// The existing referrals are written straight into a snapshot (the state after a compaction),
// in the store's own line format; the open time of the same data as an uncompacted journal is
// measured too. The disk's own append + fdatasync latency is shown beside: on a shared machine
// it, not the code, sets the p99.
// PostgreSQL (DATABASE_URL set, else skipped): the same creation through the use case at 0,
// 100,000 and 1,000,000 referrals (loaded by `bulkLoadReferrals`, exported for the other
// benches), the statistics index built from the database and refreshed from its changes.
import { closeSync, fdatasyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { emptyProfile } from '../src/domain/profile.js';
import type { Referral } from '../src/domain/referral.js';
import { actorDirectory, openReferrals } from '../src/referrals/index.js';
import { encodeLine } from '../src/store/journal.js';
import { summarize } from '../src/store/referralStore.js';
import { openDatabase, type Database } from '../src/store/postgres/database.js';
import { REFERRAL_INSERT_COLUMNS } from '../src/store/postgres/referralStore.js';
import { ReferralIndex } from '../src/stats/referralIndex.js';
import type { ReferralStatus } from '../src/domain/referral.js';
import { actorsFileSchema } from '../src/domain/actor.js';
import { ms, percentile, timeEach, type Row } from './stats.js';

const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const SAMPLES = 1000;

function referenceOf(n: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    s += ALPHABET[n % 31];
    n = Math.floor(n / 31);
  }
  return `AIG-${s.slice(0, 4)}-${s.slice(4)}`;
}

const decision = {
  rulesVersion: 'a1b2c3d4',
  fallback: false,
  referrals: [
    { actorId: 'clisson-sevre-maine-eco', actorName: 'Clisson Sèvre et Maine Agglo — développement économique', role: 'local' as const, tier: 'local' as const, ruleId: 'vignoble-generaliste-clisson', reason: 'Le service de développement économique de Clisson Sèvre et Maine Agglo accueille les créateurs de Clisson et vous aide à trouver un local et des partenaires.' },
    { actorId: 'ecossolies', actorName: 'Les Écossolies', role: 'expert' as const, tier: 'expert' as const, ruleId: 'emergence-ess-44', reason: 'Les Écossolies accompagnent l’émergence des projets d’économie sociale et solidaire en Loire-Atlantique : votre projet en est au stade de l’idée.' },
    { actorId: 'france-active-pdl', actorName: 'France Active Pays de la Loire', role: 'expert' as const, tier: 'expert' as const, ruleId: 'financement-ess', reason: 'France Active Pays de la Loire finance les projets de l’ESS (prêts d’honneur, garanties) : vous avez cité le financement parmi vos besoins.' },
  ],
};

/** A realistic record (taken care of, then done: three history entries). */
function record(n: number): Referral {
  const at = new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString();
  const reference = referenceOf(n + 1_000_000);
  return {
    id: `${reference}-1`,
    reference,
    version: 3,
    createdAt: at,
    updatedAt: at,
    partnerId: 'vignoble',
    conversationId: `dl-${n.toString(36)}-a8f3k2m9q1w7`,
    profile: {
      ...emptyProfile(),
      stage: 'idee',
      sector: 'alimentation',
      projectType: 'collectif',
      needs: ['financement', 'juridique'],
      commune: { code: '44043', nom: 'Clisson' },
      epci: { code: '200067635', nom: 'CA Clisson Sèvre et Maine Agglo' },
      departement: '44',
    },
    decision,
    actorId: 'clisson-sevre-maine-eco',
    actorName: decision.referrals[0]!.actorName,
    tier: 'local',
    ruleId: decision.referrals[0]!.ruleId,
    reason: decision.referrals[0]!.reason,
    escalatedFrom: null,
    promisedDays: 7,
    consent: { textVersion: 'consentement-2025-03', at },
    contact: { name: 'Camille Martin', email: `camille.martin${n}@exemple.fr`, phone: '06 12 34 56 78', channel: 'phone', preferredTime: 'le matin, avant 11 h' },
    description: null,
    status: 'done',
    statusAt: at,
    closedAt: at,
    decline: null,
    review: null,
    followUp: { reminders: 0, checkIns: 0 },
    erasedAt: null,
    anonymisedAt: null,
    history: [
      { at, action: 'create', by: 'holder', from: null, to: 'pending', reason: 'règle vignoble-generaliste-clisson', relatedId: null },
      { at, action: 'take_care', by: 'actor:clisson-sevre-maine-eco', from: 'pending', to: 'taking_care', reason: null, relatedId: null },
      { at, action: 'done', by: 'actor:clisson-sevre-maine-eco', from: 'taking_care', to: 'done', reason: null, relatedId: null },
    ],
  };
}

/** Writes `count` referrals as the snapshot of generation 1, as a compaction would leave them. */
function seed(dir: string, count: number): void {
  mkdirSync(join(dir, 'referrals'), { recursive: true });
  writeFileSync(join(dir, 'referrals', 'manifest.json'), JSON.stringify({ format: 1, snapshot: 1, firstJournal: 1 }));
  const fd = openSync(join(dir, 'referrals', 'snapshot-000001.jsonl'), 'w');
  let chunk: Buffer[] = [];
  for (let n = 0; n < count; n++) {
    const r = record(n);
    chunk.push(encodeLine({ k: `r:${r.id}`, t: 'r', ...summarize(r) }, r));
    if (chunk.length === 2000) {
      writeSync(fd, Buffer.concat(chunk));
      chunk = [];
    }
  }
  if (chunk.length) writeSync(fd, Buffer.concat(chunk));
  closeSync(fd);
}

/** The floor: append + fdatasync of as many bytes as one creation writes (≈ 11 KB). */
function diskFloor(dir: string): number[] {
  const fd = openSync(join(dir, 'floor.bin'), 'a');
  const payload = Buffer.alloc(11_000, 0x61);
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    writeSync(fd, payload);
    fdatasyncSync(fd);
    samples.push(performance.now() - t);
  }
  closeSync(fd);
  return samples;
}

/** A full GC between phases, so that one phase's garbage is not billed to the next. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const dirBytes = (dir: string) => readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} Mio`;

// ── PostgreSQL ───────────────────────────────────────────────────────────────

const ACTOR_IDS = ['clisson-sevre-maine-eco', 'ecossolies', 'france-active-pdl', 'mission-locale-vignoble', 'cress-pdl'];
const STATUSES: ReferralStatus[] = ['done', 'done', 'done', 'done_no_help', 'declined', 'expired', 'unreachable', 'taking_care', 'pending'];

/**
 * A varied record `n` of `count` (actor, status, dates spread over the 700 days before
 * `until`, inside the 24 months of retention), for loading a database. Only the last 36 hours
 * are still open: a scheduler running on the data owes no reminder nor expiry at once.
 */
export function benchRecord(n: number, count: number, until = Date.now()): Referral {
  const base = record(n);
  const span = 700 * 86_400_000;
  const created = until - span + Math.floor(((n + 0.5) / count) * span);
  const at = new Date(created).toISOString();
  const actorId = ACTOR_IDS[n % ACTOR_IDS.length]!;
  const status: ReferralStatus = until - created < 36 * 3_600_000 ? (n % 3 === 0 ? 'taking_care' : 'pending') : STATUSES[n % STATUSES.length]!;
  const closed = !['pending', 'taking_care'].includes(status);
  const later = new Date(Math.min(created + 3 * 86_400_000, until)).toISOString();
  return {
    ...base,
    createdAt: at,
    updatedAt: closed ? later : at,
    consent: { textVersion: 'consentement-2025-03', at },
    actorId,
    status,
    statusAt: closed ? later : at,
    closedAt: closed ? later : null,
    decline: status === 'declined' ? { reason: 'hors_offre', shouldGoTo: null, comment: null } : null,
    history: closed ? base.history.map((h) => ({ ...h, at })) : [{ ...base.history[0]!, at }],
    version: closed ? 3 : 1,
  };
}

/**
 * Loads `count` referrals into the referral tables of `db` fast (one INSERT … SELECT FROM
 * unnest of 17 column arrays per batch of `batch` rows); numbers from `start`. Returns the time.
 */
export async function bulkLoadReferrals(
  db: Database,
  count: number,
  options: { start?: number; batch?: number; until?: number; log?: (message: string) => void } = {},
): Promise<number> {
  const { start = 0, batch = 2_000, until = Date.now(), log } = options;
  const t0 = performance.now();
  const types = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'timestamptz', 'timestamptz', 'timestamptz', 'int', 'int', 'bool', 'bool', 'bool', 'jsonb'];
  const sql = `INSERT INTO referrals (${REFERRAL_INSERT_COLUMNS}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
  for (let from = start; from < start + count; from += batch) {
    const columns: unknown[][] = types.map(() => []);
    for (let n = from; n < Math.min(start + count, from + batch); n++) {
      const r = benchRecord(n, start + count, until);
      const s = summarize(r);
      const row = [r.id, r.reference, r.conversationId, r.partnerId, r.actorId, r.tier, r.status, r.version, r.createdAt, r.statusAt, r.closedAt, s.reminders, s.checkIns, s.review, s.erased, s.anonymised, JSON.stringify(r)];
      row.forEach((v, i) => columns[i]!.push(v));
    }
    await db.pool.query(sql, columns);
    if (log && (from - start) % 100_000 === 0) log(`  ${(from - start).toLocaleString('fr-FR')} orientations chargées (${Math.round((performance.now() - t0) / 1000)} s)`);
  }
  await db.pool.query('ANALYZE referrals');
  return performance.now() - t0;
}

/** A database of its own on the cluster of `url`, named `name` (created if missing). */
async function benchDatabase(url: string, name: string): Promise<string> {
  const admin = await openDatabase({ url, max: 1, migrate: false });
  try {
    const exists = await admin.pool.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.pool.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.close();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * Creation p50/p99 on PostgreSQL with 0, 100,000 and 1,000,000 referrals stored, and what the
 * statistics index costs at that size. The bench database (`aiguillage_bench_referrals`) is
 * kept: a later run that finds the rows reuses them.
 */
export async function benchReferralsPostgres(url: string, sizes = [0, 100_000, 1_000_000]): Promise<Row[]> {
  const actors = actorDirectory(actorsFileSchema.parse(JSON.parse(readFileSync('data/actors.json', 'utf8'))).actors);
  const db = await openDatabase({ url: await benchDatabase(url, 'aiguillage_bench_referrals') });
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const rows: Row[] = [];
  try {
    for (const existing of sizes) {
      const label = existing.toLocaleString('fr-FR');
      // The bench's own creations of a previous run go; the loaded rows stay when they match.
      await db.pool.query("DELETE FROM referrals WHERE conversation_id LIKE 'bench-%'");
      await db.pool.query('TRUNCATE mail_queue');
      const have = (await db.pool.query<{ n: number }>('SELECT count(*) AS n FROM referrals')).rows[0]!.n;
      if (have !== existing) {
        await db.pool.query('TRUNCATE referrals');
        if (existing) {
          log(`PostgreSQL : chargement de ${label} orientations…`);
          const loadMs = await bulkLoadReferrals(db, existing, { log });
          rows.push({ name: `PostgreSQL : chargement de ${label} orientations`, value: ms(loadMs), target: '' });
        }
      }
      const dataDir = mkdtempSync(join(tmpdir(), 'aig-bench-pg-'));
      const referrals = await openReferrals({
        dataDir,
        database: db,
        publicUrl: 'https://aiguillage.example.org',
        actors,
        mailFrom: 'Aiguillage <aiguillage@example.org>',
        secret: 'banc-d-essai-0123456789',
      });
      try {
        let n = 0;
        const input = () => ({
          conversationId: `bench-pg-${existing}-${n++}`,
          partnerId: 'vignoble',
          profile: record(0).profile,
          decision: { ...decision, skipped: [] },
          consent: { textVersion: 'consentement-2025-03' },
          contact: { name: 'Dominique Bernard', email: 'dominique@exemple.fr', phone: null, channel: 'email' as const },
        });
        await timeEach(Array.from({ length: 20 }), () => referrals.service.createReferral(input()));
        const samples = await timeEach(Array.from({ length: SAMPLES }), () => referrals.service.createReferral(input()));
        const p99 = percentile(samples, 99);
        rows.push({ name: `PostgreSQL : création d’orientation p50 (${label} en base)`, value: ms(percentile(samples, 50)), target: '' });
        rows.push({ name: `PostgreSQL : création d’orientation p99 (${label} en base)`, value: ms(p99), target: '≤ 20 ms', ok: p99 <= 20 });
        if (existing >= 100_000) {
          const t1 = performance.now();
          await referrals.service.refreshLoads();
          rows.push({ name: `PostgreSQL : charges du mois (${label} en base)`, value: ms(performance.now() - t1), target: '' });
          collect();
          const heap = process.memoryUsage().heapUsed;
          const index = new ReferralIndex();
          const t2 = performance.now();
          await index.sync(referrals.store);
          rows.push({ name: `PostgreSQL : index des statistiques construit (${label})`, value: ms(performance.now() - t2), target: '' });
          collect();
          rows.push({ name: `  mémoire (tas) de l’index (${label})`, value: mib(process.memoryUsage().heapUsed - heap), target: '' });
          const t3 = performance.now();
          await index.sync(referrals.store);
          const idle = performance.now() - t3;
          rows.push({ name: `PostgreSQL : index rafraîchi, rien de neuf (${label})`, value: ms(idle), target: '≤ 300 ms', ok: idle <= 300 });
          for (let i = 0; i < 100; i++) await referrals.service.createReferral(input());
          const t4 = performance.now();
          const read = await index.sync(referrals.store);
          const after = performance.now() - t4;
          rows.push({ name: `PostgreSQL : index rafraîchi après ${read} écritures (${label})`, value: ms(after), target: '≤ 300 ms', ok: after <= 300 });
        }
      } finally {
        await referrals.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await db.close();
  }
  return rows;
}

export async function benchReferrals(): Promise<Row[]> {
  const actors = actorDirectory(actorsFileSchema.parse(JSON.parse(readFileSync('data/actors.json', 'utf8'))).actors);
  const rows: Row[] = [];
  for (const existing of [0, 10_000, 100_000]) {
    const dataDir = mkdtempSync(join(tmpdir(), 'aig-bench-'));
    try {
      seed(dataDir, existing);
      collect();
      const heapBefore = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      const referrals = await openReferrals({
        dataDir,
        publicUrl: 'https://aiguillage.example.org',
        actors,
        mailFrom: 'Aiguillage <aiguillage@example.org>',
        secret: 'banc-d-essai-0123456789',
      });
      const openMs = performance.now() - t0;
      collect(); // a service opens its store at start-up, long before the first holder
      let n = 0;
      const input = () => ({
        conversationId: `bench-${existing}-${n++}`,
        partnerId: 'vignoble',
        profile: record(0).profile,
        decision: { ...decision, skipped: [] },
        consent: { textVersion: 'consentement-2025-03' },
        contact: { name: 'Dominique Bernard', email: 'dominique@exemple.fr', phone: null, channel: 'email' as const },
      });
      await timeEach(Array.from({ length: 20 }), () => referrals.service.createReferral(input())); // warm-up
      const samples = await timeEach(Array.from({ length: SAMPLES }), () => referrals.service.createReferral(input()));
      const label = existing.toLocaleString('fr-FR');
      const p99 = percentile(samples, 99);
      const floor = diskFloor(dataDir);
      rows.push({ name: `Création d’orientation p50 (${label} en base)`, value: ms(percentile(samples, 50)), target: '' });
      rows.push({ name: `Création d’orientation p99 (${label} en base)`, value: ms(p99), target: '≤ 20 ms', ok: p99 <= 20 });
      rows.push({ name: `  disque seul, écriture + fdatasync p50 / p99`, value: `${ms(percentile(floor, 50))} / ${ms(percentile(floor, 99))}`, target: '' });
      if (existing === 100_000) {
        collect();
        rows.push({ name: 'Ouverture du magasin à 100 000 (instantané)', value: ms(openMs), target: '' });
        rows.push({ name: 'Taille des fichiers à 100 000', value: mib(dirBytes(join(dataDir, 'referrals'))), target: '' });
        rows.push({ name: 'Mémoire (tas) de l’index à 100 000', value: mib(process.memoryUsage().heapUsed - heapBefore), target: '' });
        const t1 = performance.now();
        await referrals.store.compact();
        rows.push({ name: 'Compaction à 100 000', value: ms(performance.now() - t1), target: '' });
        await referrals.close();
        // Worst case: the same data as one journal not yet compacted (every checksum verified).
        const dir = join(dataDir, 'referrals');
        const snapshot = readdirSync(dir).find((f) => f.startsWith('snapshot-'))!;
        for (const f of readdirSync(dir)) if (f !== snapshot) rmSync(join(dir, f));
        renameSync(join(dir, snapshot), join(dir, 'journal-000001.jsonl'));
        const t2 = performance.now();
        const reopened = await openReferrals({ dataDir, publicUrl: 'https://aiguillage.example.org', actors, mailFrom: 'Aiguillage <aiguillage@example.org>', secret: 'banc-d-essai-0123456789' });
        rows.push({ name: 'Ouverture à 100 000 (journal non compacté)', value: ms(performance.now() - t2), target: '' });
        await reopened.close();
      } else await referrals.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const url = process.env.DATABASE_URL;
  if (url) rows.push(...(await benchReferralsPostgres(url)));
  else rows.push({ name: 'PostgreSQL : création d’orientation (DATABASE_URL absent : ignoré)', value: '—', target: '≤ 20 ms' });
  return rows;
}
