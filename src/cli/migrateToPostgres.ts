// `npm run --silent cli -- migrate-to-postgres [--data-dir DIR] [--database-url URL]`: copies an
// embedded data directory (AIGUILLAGE_DATA_DIR) into the PostgreSQL database (DATABASE_URL),
// then prints what it copied, kind by kind: referrals, queued e-mails and receipts, conversation
// states, the link secret, back-office accounts, invitations, live sessions, audit log, rules
// history and drafts, conversation events. The directory is opened read-only (no lock).
// Idempotent: rows are upserted by id and only replaced by a newer version (a referral's
// `version`, a conversation's `updatedAt`, a queued e-mail's attempts, a receipt over a queued
// copy), so a second run copies nothing new and says so, and a run after the service stopped
// picks up what changed since a first copy. One transaction: all of it or nothing.
// A database holding data that no earlier run of this command wrote is refused.
import { access, readdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { conversationEventSchema, type ConversationEvent } from '../domain/events.js';
import { AccountStore } from '../store/accountStore.js';
import { AuditLog, type AuditEntry } from '../store/auditLog.js';
import { EventLog } from '../store/eventLog.js';
import { Journal } from '../store/journal.js';
import { RulesHistory } from '../store/rulesHistory.js';
import { openStore, type Store } from '../store/index.js';
import { isDatabaseUnavailable, openDatabase, type Database, type Queryable } from '../store/postgres/database.js';
import { placeholders, REFERRAL_INSERT_COLUMNS, referralRow } from '../store/postgres/referralStore.js';
import { adoptSharedSecret } from '../store/postgres/secret.js';

const MARKER = 'migrated-from';
const BATCH = 500;

export interface KindReport {
  /** French label, plural (« orientations »). */
  label: string;
  /** New rows. */
  copied: number;
  /** Rows replaced by a newer version from the directory. */
  updated: number;
  /** Already in the database (same or newer there). */
  unchanged: number;
  /** Read but not copied (expired conversations…). */
  skipped?: number;
  note?: string;
}

export interface MigrationReport {
  dataDir: string;
  kinds: KindReport[];
  secret: 'adopted' | 'kept' | 'none';
  /** Nothing new was copied (a second run). */
  nothingNew: boolean;
}

export class MigrationRefusedError extends Error {}

export interface MigrateOptions {
  dataDir: string;
  database: Database;
  /** Conversations idle for longer are not copied (they would never be served). Default 30. */
  conversationTtlDays?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

const empty = (label: string): KindReport => ({ label, copied: 0, updated: 0, unchanged: 0 });

/** Upserts `rows` of `width` values; `RETURNING (xmax = 0)` tells an insert from an update. */
async function upsert(client: Queryable, report: KindReport, rows: unknown[][], width: number, sql: (values: string) => string): Promise<void> {
  for (let i = 0; i < rows.length; i += BATCH) {
    const batch = rows.slice(i, i + BATCH);
    const { rows: written } = await client.query<{ inserted: boolean }>(sql(placeholders(batch.length, width)), batch.flat());
    const inserted = written.filter((w) => w.inserted).length;
    report.copied += inserted;
    report.updated += written.length - inserted;
    report.unchanged += batch.length - written.length;
  }
}

// Column types of REFERRAL_INSERT_COLUMNS, for one INSERT … SELECT FROM unnest(arrays) per batch.
const REFERRAL_TYPES = ['text', 'text', 'text', 'text', 'text', 'text', 'text', 'int', 'timestamptz', 'timestamptz', 'timestamptz', 'int', 'int', 'bool', 'bool', 'bool', 'jsonb'];

async function copyReferrals(client: Queryable, store: Store, log?: (message: string) => void): Promise<KindReport> {
  const report = empty('orientations');
  const columns = REFERRAL_INSERT_COLUMNS.split(',').map((c) => c.trim());
  if (columns.length !== REFERRAL_TYPES.length) throw new Error('colonnes des orientations inattendues : migrate-to-postgres est à mettre à jour');
  const set = columns.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`);
  const sql = `INSERT INTO referrals (${REFERRAL_INSERT_COLUMNS}) SELECT * FROM unnest(${REFERRAL_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
     ON CONFLICT (id) DO UPDATE SET ${set.join(', ')}, change_xid = pg_current_xact_id() WHERE referrals.version < EXCLUDED.version
     RETURNING (xmax = 0) AS inserted`;
  const flush = async (rows: unknown[][]) => {
    if (rows.length === 0) return;
    const arrays = REFERRAL_TYPES.map((_, i) => rows.map((row) => row[i]));
    const { rows: written } = await client.query<{ inserted: boolean }>(sql, arrays);
    const inserted = written.filter((w) => w.inserted).length;
    report.copied += inserted;
    report.updated += written.length - inserted;
    report.unchanged += rows.length - written.length;
  };
  // Batch by batch while reading: a million records never sit in memory at once.
  let rows: unknown[][] = [];
  for await (const record of store.referrals.scan()) {
    rows.push(referralRow(record));
    if (rows.length < 2 * BATCH) continue;
    await flush(rows);
    rows = [];
    const seen = report.copied + report.updated + report.unchanged;
    if (seen % 10_000 === 0) log?.(`orientations : ${seen} lues…`);
  }
  await flush(rows);
  return report;
}

async function copyQueuedMails(client: Queryable, store: Store): Promise<KindReport> {
  const report = empty('courriels en file');
  const rows: unknown[][] = [];
  for (const summary of await store.mails.queued()) {
    const mail = await store.mails.get(summary.id);
    if (mail) rows.push([mail.id, mail.reference, mail.kind, 'queued', mail.attempts, mail.nextAttemptAt, JSON.stringify(mail)]);
  }
  // A copy still queued in the database takes the directory's later attempts; a sent one stays sent.
  await upsert(
    client,
    report,
    rows,
    7,
    (values) =>
      `INSERT INTO mail_queue (id, reference, kind, state, attempts, next_attempt_at, body) VALUES ${values}
       ON CONFLICT (id) DO UPDATE SET attempts = EXCLUDED.attempts, next_attempt_at = EXCLUDED.next_attempt_at, body = EXCLUDED.body
       WHERE mail_queue.state = 'queued' AND mail_queue.attempts < EXCLUDED.attempts
       RETURNING (xmax = 0) AS inserted`,
  );
  return report;
}

// Receipts are not in the port (nothing but a migration lists them): read from the journal's
// index, whose mail lines carry { t: 'm', id, reference, state, attempts, sentAt }.
const receiptMeta = z.object({
  t: z.literal('m'),
  id: z.string(),
  reference: z.string().nullable(),
  state: z.literal('sent'),
  attempts: z.number(),
  nextAttemptAt: z.number(),
  sentAt: z.number(),
});

async function copyReceipts(client: Queryable, dataDir: string, log?: (message: string) => void): Promise<KindReport> {
  const report = { ...empty('accusés d’envoi'), note: 'sans le message (les identifiants seulement : un même courriel n’est jamais renvoyé)' };
  const journal = await Journal.open(join(dataDir, 'referrals'), { readOnly: true, log });
  const rows: unknown[][] = [];
  try {
    for (const meta of journal.metas()) {
      const receipt = receiptMeta.safeParse(meta);
      if (receipt.success) {
        const r = receipt.data;
        rows.push([r.id, r.reference, r.attempts, new Date(r.nextAttemptAt), new Date(r.sentAt)]);
      }
    }
  } finally {
    await journal.close();
  }
  // The body is gone (personal data): kind 'receipt', and a queued copy in the database becomes sent.
  await upsert(
    client,
    report,
    rows,
    5,
    (values) =>
      `INSERT INTO mail_queue (id, reference, attempts, next_attempt_at, sent_at, kind, state, body)
       SELECT v.id, v.reference, v.attempts::int, v.next_attempt_at::timestamptz, v.sent_at::timestamptz, 'receipt', 'sent', NULL
       FROM (VALUES ${values}) AS v (id, reference, attempts, next_attempt_at, sent_at)
       ON CONFLICT (id) DO UPDATE SET state = 'sent', sent_at = EXCLUDED.sent_at, body = NULL, lease_until = NULL WHERE mail_queue.state = 'queued'
       RETURNING (xmax = 0) AS inserted`,
  );
  return report;
}

const conversationDoc = z.object({
  key: z.string().min(1),
  eTag: z.string().min(1),
  updatedAt: z.string().datetime(),
  item: z.record(z.string(), z.unknown()),
});

async function copyConversations(client: Queryable, dataDir: string, ttlDays: number, now: Date): Promise<KindReport> {
  const report: KindReport = { ...empty('états de conversation'), skipped: 0 };
  const dir = join(dataDir, 'conversations');
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const rows: unknown[][] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue;
    let parsed: z.infer<typeof conversationDoc> | undefined;
    try {
      parsed = conversationDoc.parse(JSON.parse(await readFile(join(dir, name), 'utf8')));
    } catch {
      parsed = undefined; // unreadable: the embedded store treats it as idle too
    }
    if (!parsed || now.getTime() - Date.parse(parsed.updatedAt) > ttlDays * 86_400_000) {
      report.skipped! += 1;
      continue;
    }
    rows.push([parsed.key, parsed.eTag, JSON.stringify(parsed.item), parsed.updatedAt]);
  }
  await upsert(
    client,
    report,
    rows,
    4,
    (values) =>
      `INSERT INTO conversation_state (key, etag, item, updated_at)
       SELECT v.key, v.etag, v.item::jsonb, v.updated_at::timestamptz FROM (VALUES ${values}) AS v (key, etag, item, updated_at)
       ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, item = EXCLUDED.item, updated_at = EXCLUDED.updated_at
       WHERE conversation_state.updated_at < EXCLUDED.updated_at
       RETURNING (xmax = 0) AS inserted`,
  );
  if (report.skipped) report.note = 'les conversations inactives depuis plus longtemps que leur durée de conservation ne sont pas copiées';
  return report;
}

const exists = (path: string) => access(path).then(() => true, () => false);

/** Append-only logs have no id: how many source entries earlier runs copied, kept beside the marker. */
async function progress(client: Queryable, kind: string): Promise<number> {
  const { rows } = await client.query<{ value: string }>('SELECT value FROM aiguillage_instance WHERE key = $1', [`${MARKER}:${kind}`]);
  return Number(rows[0]?.value ?? 0);
}

async function setProgress(client: Queryable, kind: string, count: number): Promise<void> {
  await client.query('INSERT INTO aiguillage_instance (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [`${MARKER}:${kind}`, String(count)]);
}

/** Copies the entries after those already copied (the source only ever appends). */
async function copyLog<T>(client: Queryable, kind: string, label: string, entries: T[], insert: (batch: T[]) => Promise<void>): Promise<KindReport> {
  const report = empty(label);
  const done = Math.min(await progress(client, kind), entries.length);
  const fresh = entries.slice(done);
  for (let i = 0; i < fresh.length; i += BATCH) await insert(fresh.slice(i, i + BATCH));
  report.copied = fresh.length;
  report.unchanged = done;
  if (fresh.length) await setProgress(client, kind, entries.length);
  return report;
}

const sessionsDoc = z.object({
  sessions: z.array(z.object({ idHash: z.string(), accountId: z.string(), csrf: z.string(), createdAt: z.number(), lastSeenAt: z.number(), expiresAt: z.number() })),
});

async function copyBackoffice(client: Queryable, dataDir: string, now: Date): Promise<KindReport[]> {
  const dir = join(dataDir, 'backoffice');
  const reports: KindReport[] = [];
  // The embedded adapters are opened only where their files exist: nothing is created here.
  if (await exists(join(dir, 'accounts.json'))) {
    const accounts = await AccountStore.open(dir);
    const accountReport = empty('comptes du back-office');
    await upsert(
      client,
      accountReport,
      (await accounts.accounts()).map((a) => [a.id, a.email, JSON.stringify(a)]),
      3,
      (values) =>
        `INSERT INTO backoffice_accounts (id, email, account) SELECT v.id, v.email, v.account::jsonb FROM (VALUES ${values}) AS v (id, email, account)
         ON CONFLICT (id) DO UPDATE SET email = EXCLUDED.email, account = EXCLUDED.account
         WHERE backoffice_accounts.account->>'updatedAt' < EXCLUDED.account->>'updatedAt'
         RETURNING (xmax = 0) AS inserted`,
    );
    reports.push(accountReport);
    const invitationReport = empty('invitations');
    // An invitation changes once (used or revoked): a copy still open takes the directory's end.
    await upsert(
      client,
      invitationReport,
      (await accounts.invitations()).map((i) => [i.id, JSON.stringify(i)]),
      2,
      (values) =>
        `INSERT INTO backoffice_invitations (id, invitation) SELECT v.id, v.invitation::jsonb FROM (VALUES ${values}) AS v (id, invitation)
         ON CONFLICT (id) DO UPDATE SET invitation = EXCLUDED.invitation
         WHERE backoffice_invitations.invitation->>'usedAt' IS NULL AND backoffice_invitations.invitation->>'revokedAt' IS NULL
           AND backoffice_invitations.invitation IS DISTINCT FROM EXCLUDED.invitation
         RETURNING (xmax = 0) AS inserted`,
    );
    reports.push(invitationReport);
  }
  if (await exists(join(dir, 'sessions.json'))) {
    // Live sessions only: coordinators signed in stay signed in across the move.
    const parsed = sessionsDoc.safeParse(JSON.parse(await readFile(join(dir, 'sessions.json'), 'utf8')));
    const live = (parsed.success ? parsed.data.sessions : []).filter((x) => x.expiresAt > now.getTime());
    const report = empty('sessions du back-office');
    await upsert(
      client,
      report,
      live.map((x) => [x.idHash, x.accountId, x.csrf, x.createdAt, x.lastSeenAt, x.expiresAt]),
      6,
      (values) =>
        `INSERT INTO backoffice_sessions (id_hash, account_id, csrf, created_at, last_seen_at, expires_at)
         SELECT v.id_hash, v.account_id, v.csrf, v.created_at::bigint, v.last_seen_at::bigint, v.expires_at::bigint FROM (VALUES ${values}) AS v (id_hash, account_id, csrf, created_at, last_seen_at, expires_at)
         ON CONFLICT (id_hash) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, expires_at = EXCLUDED.expires_at
         WHERE backoffice_sessions.last_seen_at < EXCLUDED.last_seen_at
         RETURNING (xmax = 0) AS inserted`,
    );
    reports.push(report);
  }
  if (await exists(join(dir, 'audit.jsonl'))) {
    const audit = AuditLog.open(dir);
    const { total } = await audit.list({ limit: 0 });
    const entries: AuditEntry[] = (await audit.list({ limit: total })).entries.reverse(); // oldest first
    await audit.close();
    reports.push(
      await copyLog(client, 'audit', 'journal d’audit', entries, async (batch) => {
        await client.query('INSERT INTO backoffice_audit (action, target, entry) SELECT * FROM unnest($1::text[], $2::text[], $3::jsonb[])', [
          batch.map((e) => e.action),
          batch.map((e) => e.target),
          batch.map((e) => JSON.stringify(e)),
        ]);
      }),
    );
  }
  const historyDir = join(dir, 'rules-history');
  if (await exists(join(historyDir, 'history.json'))) {
    const history = await RulesHistory.open(historyDir);
    const versions = empty('historique des règles');
    const rows: unknown[][] = [];
    for (const entry of await history.list()) rows.push([entry.n, JSON.stringify(entry), JSON.stringify(await history.files(entry.n))]);
    // A version number is what it was: never replaced.
    await upsert(
      client,
      versions,
      rows,
      3,
      (values) =>
        `INSERT INTO rules_versions (n, entry, files) SELECT v.n::int, v.entry::jsonb, v.files::jsonb FROM (VALUES ${values}) AS v (n, entry, files)
         ON CONFLICT (n) DO NOTHING RETURNING true AS inserted`,
    );
    reports.push(versions);
    const drafts = empty('brouillons de règles');
    const draftRows: unknown[][] = [];
    for (const account of (await exists(join(dir, 'accounts.json'))) ? await (await AccountStore.open(dir)).accounts() : []) {
      const draft = await history.draft(account.id);
      if (draft) draftRows.push([draft.accountId, JSON.stringify(draft)]);
    }
    await upsert(
      client,
      drafts,
      draftRows,
      2,
      (values) =>
        `INSERT INTO rules_drafts (account_id, draft) SELECT v.account_id, v.draft::jsonb FROM (VALUES ${values}) AS v (account_id, draft)
         ON CONFLICT (account_id) DO UPDATE SET draft = EXCLUDED.draft WHERE rules_drafts.draft->>'updatedAt' < EXCLUDED.draft->>'updatedAt'
         RETURNING (xmax = 0) AS inserted`,
    );
    reports.push(drafts);
  }
  const eventsDir = join(dataDir, 'events');
  if (await exists(eventsDir)) {
    const log = new EventLog(eventsDir);
    const events = (await log.readSince(null)).events.flatMap((e): ConversationEvent[] => {
      const parsed = conversationEventSchema.safeParse(e);
      return parsed.success ? [parsed.data] : [];
    });
    await log.close();
    reports.push(
      await copyLog(client, 'events', 'évènements de conversation', events, async (batch) => {
        await client.query('INSERT INTO conversation_events (at, event) SELECT * FROM unnest($1::timestamptz[], $2::jsonb[])', [batch.map((e) => e.at), batch.map((e) => JSON.stringify(e))]);
      }),
    );
  }
  return reports;
}

/** Tables this command fills: any row in them without our marker means « not ours ». */
const TABLES = ['referrals', 'mail_queue', 'conversation_state', 'backoffice_accounts', 'backoffice_audit', 'rules_versions', 'conversation_events'];

async function refuseForeignData(client: Queryable, source: string): Promise<void> {
  const { rows } = await client.query<{ value: string }>('SELECT value FROM aiguillage_instance WHERE key = $1 FOR UPDATE', [MARKER]);
  if (rows[0]) return; // an earlier run: upserts never replace newer rows
  for (const table of TABLES) {
    const { rowCount } = await client.query(`SELECT 1 FROM ${table} LIMIT 1`);
    if (rowCount) {
      throw new MigrationRefusedError(
        `La base contient déjà des données (table ${table}) qui ne viennent pas de migrate-to-postgres : rien n’a été copié. Migrez vers une base vide, avant le premier démarrage des instances sur cette base (ou vérifiez DATABASE_URL).`,
      );
    }
  }
  await client.query('INSERT INTO aiguillage_instance (key, value) VALUES ($1, $2)', [MARKER, source]);
}

export async function migrateToPostgres(options: MigrateOptions): Promise<MigrationReport> {
  const now = options.now ?? (() => new Date());
  const dataDir = await realpath(options.dataDir).catch(() => {
    throw new MigrationRefusedError(`Dossier de données introuvable : ${options.dataDir}`);
  });
  const store = await openStore({ dataDir, readOnly: true, now, log: options.log });
  try {
    const kinds = await options.database.transaction(async (client) => {
      await refuseForeignData(client, dataDir);
      return [
        await copyReferrals(client, store, options.log),
        await copyQueuedMails(client, store),
        await copyReceipts(client, dataDir, options.log),
        await copyConversations(client, dataDir, options.conversationTtlDays ?? 30, now()),
        ...(await copyBackoffice(client, dataDir, now())),
      ];
    });
    // Links already sent were signed with the directory's secret: keep it unless one is in force.
    let secret: MigrationReport['secret'] = 'none';
    const local = await readFile(join(dataDir, 'secret'), 'utf8').then((s) => s.trim(), () => '');
    if (local) secret = (await adoptSharedSecret(options.database, local)) === local ? 'adopted' : 'kept';
    return { dataDir, kinds, secret, nothingNew: kinds.every((k) => k.copied === 0 && k.updated === 0) };
  } finally {
    await store.close();
  }
}

export function formatReport(report: MigrationReport): string {
  const lines = [`Migration de ${report.dataDir} vers PostgreSQL :`];
  for (const k of report.kinds) {
    const parts = [`${k.copied} copié(s)`];
    if (k.updated) parts.push(`${k.updated} mis à jour`);
    parts.push(`${k.unchanged} déjà présent(s)`);
    if (k.skipped) parts.push(`${k.skipped} ignoré(s)`);
    lines.push(`  ${k.label} : ${parts.join(', ')}${k.note && (k.copied || k.skipped) ? ` — ${k.note}` : ''}`);
  }
  lines.push(
    report.secret === 'adopted'
      ? '  secret des liens : celui du dossier, partagé par toutes les instances (les liens déjà envoyés restent valides)'
      : report.secret === 'kept'
        ? '  secret des liens : la base en a déjà un, il est conservé (AIGUILLAGE_SECRET l’emporte s’il est défini)'
        : '  secret des liens : aucun dans le dossier (AIGUILLAGE_SECRET ou celui de la base sera utilisé)',
  );
  lines.push(report.nothingNew ? 'Rien de nouveau à copier : la base contenait déjà tout le dossier.' : 'Migration terminée.');
  return `${lines.join('\n')}\n`;
}

const argsSchema = z.object({
  dataDir: z.string().min(1, 'dossier de données manquant (--data-dir ou AIGUILLAGE_DATA_DIR)'),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, 'DATABASE_URL (ou --database-url) doit commencer par postgres://'),
});

function parseArgs(args: string[]): z.infer<typeof argsSchema> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 1) {
    const [name, inline] = args[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    if (name !== '--data-dir' && name !== '--database-url') throw new MigrationRefusedError(`Option inconnue : ${name} (attendu --data-dir DOSSIER, --database-url URL)`);
    const value = inline ?? args[++i];
    if (value === undefined) throw new MigrationRefusedError(`Valeur manquante après ${name}`);
    flags.set(name, value);
  }
  const parsed = argsSchema.safeParse({
    dataDir: flags.get('--data-dir') ?? process.env.AIGUILLAGE_DATA_DIR ?? 'data/runtime',
    databaseUrl: flags.get('--database-url') ?? process.env.DATABASE_URL ?? '',
  });
  if (!parsed.success) throw new MigrationRefusedError(parsed.error.issues.map((i) => i.message).join(' ; '));
  return parsed.data;
}

function serviceRunning(dataDir: string): Promise<number | null> {
  return readFile(join(dataDir, 'LOCK'), 'utf8').then(
    (text) => {
      const pid = Number.parseInt(text.trim(), 10);
      if (!Number.isInteger(pid) || pid <= 0) return null;
      try {
        process.kill(pid, 0);
        return pid;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
      }
    },
    () => null,
  );
}

export async function run(args: string[]): Promise<number> {
  const log = (message: string) => process.stderr.write(`${message}\n`);
  let database: Database | undefined;
  try {
    const { dataDir, databaseUrl } = parseArgs(args);
    // Before touching the database (opening it applies the migrations).
    if (!(await exists(join(dataDir, 'referrals')))) throw new MigrationRefusedError(`Pas de données Aiguillage dans ${dataDir} (dossier referrals/ absent) : vérifiez --data-dir ou AIGUILLAGE_DATA_DIR.`);
    const pid = await serviceRunning(dataDir);
    if (pid) log(`Attention : le service tourne encore (pid ${pid}) ; cette copie est un instantané. Relancez la commande une fois le service arrêté : elle ne copiera que ce qui a changé.`);
    database = await openDatabase({ url: databaseUrl, max: 2, log });
    const report = await migrateToPostgres({ dataDir, database, log });
    process.stdout.write(formatReport(report));
    return 0;
  } catch (error) {
    if (error instanceof MigrationRefusedError) {
      log(error.message);
      return 1;
    }
    if (isDatabaseUnavailable(error)) {
      log(`Base de données injoignable (${(error as Error).message}) : rien n’a été copié. Vérifiez DATABASE_URL, puis relancez la commande.`);
      return 1;
    }
    throw error;
  } finally {
    await database?.close();
  }
}
