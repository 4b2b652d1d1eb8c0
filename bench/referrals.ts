// Referral store figures: creation p50/p99 through the use case (records + e-mails, fsynced)
// with 0, 10,000 and 100,000 referrals already stored; open time, size and heap at 100,000.
// The existing referrals are written straight into a snapshot (the state after a compaction),
// in the store's own line format; the open time of the same data as an uncompacted journal is
// measured too. The disk's own append + fdatasync latency is shown beside: on a shared machine
// it, not the code, sets the p99.
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
  return rows;
}
