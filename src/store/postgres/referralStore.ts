// Referrals and their mail queue on PostgreSQL: the same port and semantics as the embedded
// journal (JournalReferralStore). One use case = one transaction: records (optimistic version)
// and the e-mails they owe are committed together or not at all. Tables: migration 0100.
import type { Referral } from '../../domain/referral.js';
import {
  ConflictError,
  type ClaimOptions,
  type MailQueue,
  type MailSummary,
  type QueuedMail,
  type ReferralChanges,
  type ReferralRepository,
  type ReferralStore,
  type ReferralSummary,
  type StoreStats,
  type StoreTransaction,
} from '../ports.js';
import { summarize } from '../referralStore.js';
import type { Database, Queryable } from './database.js';

const DEFAULT_LEASE_MS = 5 * 60_000;
const PAGE = 5_000;
/** Transaction ids kept in a changes() cursor, at most. */
const MAX_SEEN = 10_000;
const SUMMARY_COLUMNS =
  'id, reference, conversation_id, partner_id, actor_id, tier, status, version, created_at, status_at, closed_at, reminders, check_ins, review, erased, anonymised';
const MAIL_COLUMNS = 'id, reference, state, attempts, next_attempt_at, sent_at';

interface SummaryRow {
  id: string;
  reference: string;
  conversation_id: string;
  partner_id: string | null;
  actor_id: string;
  tier: ReferralSummary['tier'];
  status: ReferralSummary['status'];
  version: number;
  created_at: Date;
  status_at: Date;
  closed_at: Date | null;
  reminders: number;
  check_ins: number;
  review: boolean;
  erased: boolean;
  anonymised: boolean;
}

interface MailRow {
  id: string;
  reference: string | null;
  state: 'queued' | 'sent';
  attempts: number;
  next_attempt_at: Date;
  sent_at: Date | null;
}

const toSummary = (r: SummaryRow): ReferralSummary => ({
  id: r.id,
  reference: r.reference,
  conversationId: r.conversation_id,
  partnerId: r.partner_id,
  actorId: r.actor_id,
  tier: r.tier,
  status: r.status,
  version: r.version,
  createdAt: r.created_at.getTime(),
  statusAt: r.status_at.getTime(),
  closedAt: r.closed_at?.getTime() ?? null,
  reminders: r.reminders,
  checkIns: r.check_ins,
  review: r.review,
  erased: r.erased,
  anonymised: r.anonymised,
});

const toMailSummary = (r: MailRow): MailSummary => ({
  id: r.id,
  reference: r.reference,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at.getTime(),
  sentAt: r.sent_at?.getTime() ?? null,
});

const byDate = (a: Referral, b: Referral) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id, 'en', { numeric: true });

// PostgreSQL refuses U+0000 in text and JSONB (the journal took it): typed by a holder, it
// would fail the commit. It carries nothing: dropped.
const noNul = <T>(value: T): T => (typeof value === 'string' && value.includes('\0') ? (value.replaceAll('\0', '') as T) : value);
const json = (value: unknown) => JSON.stringify(value, (_key, v: unknown) => noNul(v));

/** The 17 values of a referrals row, in REFERRAL_INSERT_COLUMNS order. */
export function referralRow(r: Referral): unknown[] {
  const s = summarize(r);
  return [
    r.id, r.reference, r.conversationId, r.partnerId, r.actorId, r.tier, r.status, r.version, r.createdAt, r.statusAt, r.closedAt,
    s.reminders, s.checkIns, s.review, s.erased, s.anonymised, json(r),
  ].map(noNul);
}
export const REFERRAL_INSERT_COLUMNS =
  'id, reference, conversation_id, partner_id, actor_id, tier, status, version, created_at, status_at, closed_at, reminders, check_ins, review, erased, anonymised, record';

function mailRow(m: QueuedMail): unknown[] {
  return [m.id, m.reference, m.kind, 'queued', m.attempts, m.nextAttemptAt, json(m)].map(noNul);
}

/** `($1, $2, …), ($n+1, …)` for a multi-row INSERT. */
export function placeholders(rows: number, width: number): string {
  const out: string[] = [];
  for (let i = 0; i < rows; i += 1) out.push(`(${Array.from({ length: width }, (_, j) => `$${i * width + j + 1}`).join(', ')})`);
  return out.join(', ');
}

export interface PostgresReferralStoreOptions {
  now?: () => Date;
  /** How often needsCompaction() says yes (pruning receipts), default 1 h. */
  compactEveryMs?: number;
}

export class PostgresReferralStore implements ReferralStore {
  private readonly now: () => Date;
  private readonly compactEveryMs: number;
  private lastCompaction: number;
  /** Personal data was scrubbed or discarded here: the next compact() vacuums the dead rows away. */
  private scrubbed = false;

  constructor(
    private readonly db: Database,
    options: PostgresReferralStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.compactEveryMs = options.compactEveryMs ?? 3_600_000;
    this.lastCompaction = Date.now();
  }

  private async records(sql: string, params: unknown[]): Promise<Referral[]> {
    const { rows } = await this.db.pool.query<{ record: Referral }>(sql, params);
    return rows.map((r) => r.record).sort(byDate);
  }

  private async summariesWhere(sql: string, params: unknown[]): Promise<ReferralSummary[]> {
    const { rows } = await this.db.pool.query<SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM referrals WHERE ${sql}`, params);
    return rows.map(toSummary);
  }

  readonly referrals: ReferralRepository = {
    get: async (id) => (await this.db.pool.query<{ record: Referral }>('SELECT record FROM referrals WHERE id = $1', [id])).rows[0]?.record,
    byReference: (reference) => this.records('SELECT record FROM referrals WHERE reference = $1', [reference]),
    byConversation: (conversationId) => this.records('SELECT record FROM referrals WHERE conversation_id = $1', [conversationId]),
    referenceExists: async (reference) => (await this.db.pool.query('SELECT 1 FROM referrals WHERE reference = $1 LIMIT 1', [reference])).rowCount! > 0,
    summary: async (id) => (await this.summariesWhere('id = $1', [id]))[0],
    count: async () => (await this.db.pool.query<{ n: number }>('SELECT count(*) AS n FROM referrals')).rows[0]!.n,
    followUpCandidates: async ({ pendingCreatedBefore, takingCareSince }) => {
      // Each branch repeats the partial index's predicate, so that the planner uses referrals_open.
      const open = "NOT erased AND NOT anonymised AND status IN ('pending', 'taking_care')";
      const { rows } = await this.db.pool.query<SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM referrals WHERE ${open} AND status = 'pending' AND created_at <= $1
         UNION ALL
         SELECT ${SUMMARY_COLUMNS} FROM referrals WHERE ${open} AND status = 'taking_care' AND $2::timestamptz IS NOT NULL AND status_at <= $2
         ORDER BY created_at, id`,
        [pendingCreatedBefore, takingCareSince],
      );
      return rows.map(toSummary);
    },
    anonymisationDue: async (cutoff) => {
      const { rows } = await this.db.pool.query<{ reference: string }>(
        'SELECT DISTINCT reference FROM referrals WHERE NOT anonymised AND COALESCE(closed_at, status_at) <= $1',
        [cutoff],
      );
      return rows.map((r) => r.reference);
    },
    monthlyLoads: async (from, to) => {
      const { rows } = await this.db.pool.query<{ actor_id: string; n: number }>(
        'SELECT actor_id, count(*) AS n FROM referrals WHERE created_at >= $1 AND created_at < $2 GROUP BY actor_id',
        [from, to],
      );
      return new Map(rows.map((r) => [r.actor_id, r.n]));
    },
    changes: (cursor, limit) => this.changes(cursor, limit),
    summaries: async function* (this: PostgresReferralStore) {
      let after = '';
      for (;;) {
        const page = await this.summariesWhere(`id > $1 ORDER BY id LIMIT ${PAGE}`, [after]);
        yield* page;
        if (page.length < PAGE) return;
        after = page[page.length - 1]!.id;
      }
    }.bind(this),
    scan: async function* (this: PostgresReferralStore) {
      let after = '';
      for (;;) {
        const { rows } = await this.db.pool.query<{ id: string; record: Referral }>(`SELECT id, record FROM referrals WHERE id > $1 ORDER BY id LIMIT ${PAGE}`, [after]);
        for (const row of rows) yield row.record;
        if (rows.length < PAGE) return;
        after = rows[rows.length - 1]!.id;
      }
    }.bind(this),
  };

  /**
   * Follows writes by transaction id. A pass starts by noting the snapshot's xmin: every
   * transaction below it has ended, so the next pass reads from there and a transaction
   * committing late is never skipped. Transactions at or above it already read had committed
   * (their rows were visible): their ids ride in the cursor and are not read again, so a long
   * transaction elsewhere in the cluster (a pg_dump) holding xmin back costs no re-reads.
   * Cursor: [xid, id] of the last row read (keyset paging), the pass's xmin, the ids read.
   */
  private async changes(cursor: string | null, limit: number): Promise<ReferralChanges> {
    const position = parseCursor(cursor);
    let { next } = position;
    if (next === null) {
      next = (await this.db.pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin')).rows[0]!.xmin;
    }
    const { rows } = await this.db.pool.query<{ xid: string; id: string; record: Referral }>(
      `SELECT change_xid::text AS xid, id, record FROM referrals
        WHERE (change_xid, id) > ($1::xid8, $2) AND NOT (change_xid = ANY($4::xid8[]))
        ORDER BY change_xid, id LIMIT $3`,
      [position.afterXid, position.afterId, limit, position.seen],
    );
    // Excluded from the next pass only: within this one, a page may end inside a transaction.
    const reading = new Set(position.reading);
    for (const row of rows) reading.add(row.xid);
    const records = rows.map((r) => r.record);
    if (rows.length < limit) {
      // Ids below the new xmin are behind the cursor anyway; a runaway list is dropped (re-reads, never misses).
      const kept = [...new Set([...position.seen, ...reading])].filter((x) => BigInt(x) >= BigInt(next));
      return { records, cursor: JSON.stringify([next, '', null, kept.length <= MAX_SEEN ? kept : [], []]), done: true };
    }
    const last = rows[rows.length - 1]!;
    const carried = reading.size <= MAX_SEEN ? [...reading] : [];
    return { records, cursor: JSON.stringify([last.xid, last.id, next, position.seen, carried]), done: false };
  }

  readonly mails: MailQueue = {
    known: async (id) => (await this.db.pool.query('SELECT 1 FROM mail_queue WHERE id = $1', [id])).rowCount! > 0,
    get: async (id) => (await this.db.pool.query<{ body: QueuedMail }>("SELECT body FROM mail_queue WHERE id = $1 AND state = 'queued'", [id])).rows[0]?.body,
    summary: async (id) => {
      const row = (await this.db.pool.query<MailRow>(`SELECT ${MAIL_COLUMNS} FROM mail_queue WHERE id = $1`, [id])).rows[0];
      return row && toMailSummary(row);
    },
    queuedFor: async (reference) =>
      (await this.db.pool.query<MailRow>(`SELECT ${MAIL_COLUMNS} FROM mail_queue WHERE state = 'queued' AND reference = $1 ORDER BY next_attempt_at, id`, [reference])).rows.map(
        toMailSummary,
      ),
    claim: async (now: Date, options: ClaimOptions = {}) => {
      // SKIP LOCKED: two instances claiming at once take disjoint rows; the lease keeps a
      // claimed row from every later claim until it runs out (the claimer died mid-send).
      const { rows } = await this.db.pool.query<{ body: QueuedMail }>(
        `UPDATE mail_queue SET lease_until = $2 WHERE id IN (
           SELECT id FROM mail_queue
            WHERE state = 'queued' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
            ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING body`,
        [now, new Date(now.getTime() + (options.leaseMs ?? DEFAULT_LEASE_MS)), options.limit ?? 20],
      );
      return rows.map((r) => r.body).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt) || a.id.localeCompare(b.id));
    },
    due: async (now) =>
      (await this.db.pool.query<MailRow>(`SELECT ${MAIL_COLUMNS} FROM mail_queue WHERE state = 'queued' AND next_attempt_at <= $1 ORDER BY next_attempt_at, id`, [now])).rows.map(
        toMailSummary,
      ),
    queued: async () => (await this.db.pool.query<MailRow>(`SELECT ${MAIL_COLUMNS} FROM mail_queue WHERE state = 'queued' ORDER BY next_attempt_at, id`)).rows.map(toMailSummary),
  };

  async commit(tx: StoreTransaction): Promise<void> {
    await this.db.transaction((client) => write(client, tx)).catch((error: unknown) => {
      if ((error as { code?: string; constraint?: string }).constraint === 'referrals_one_request') {
        throw new ConflictError('Cette conversation a déjà enregistré cette demande (envoyée deux fois).');
      }
      throw error;
    });
    if ((tx.referrals ?? []).some((r) => r.anonymisedAt !== null) || (tx.discard ?? []).length > 0) this.scrubbed = true;
  }

  async needsCompaction(): Promise<boolean> {
    return this.now().getTime() - this.lastCompaction >= this.compactEveryMs;
  }

  /** Prunes old receipts; after an erasure or anonymisation, VACUUM drops the rows' old versions. */
  async compact(options: { pruneReceiptsBefore?: Date } = {}): Promise<StoreStats> {
    this.lastCompaction = this.now().getTime();
    if (options.pruneReceiptsBefore) {
      await this.db.pool.query("DELETE FROM mail_queue WHERE state = 'sent' AND sent_at < $1", [options.pruneReceiptsBefore]);
    }
    if (this.scrubbed) {
      this.scrubbed = false;
      await this.db.pool.query('VACUUM referrals, mail_queue');
    }
    return this.stats();
  }

  async stats(): Promise<StoreStats> {
    const { rows } = await this.db.pool.query<{ referrals: number; queued: number; bytes: number; dead: number | null }>(
      `SELECT (SELECT count(*) FROM referrals) AS referrals,
              (SELECT count(*) FROM mail_queue WHERE state = 'queued') AS queued,
              pg_total_relation_size('referrals') + pg_total_relation_size('mail_queue') AS bytes,
              (SELECT sum(n_dead_tup) FROM pg_stat_user_tables WHERE relname IN ('referrals', 'mail_queue')) AS dead`,
    );
    const r = rows[0]!;
    return { referrals: r.referrals, queuedMails: r.queued, journalBytes: r.bytes, snapshotBytes: 0, deadLines: Number(r.dead ?? 0), openMs: 0, droppedBytes: 0 };
  }

  /** The pool belongs to the Database: closing it is the caller's. */
  async close(): Promise<void> {}
}

interface Position {
  afterXid: string;
  afterId: string;
  next: string | null;
  /** Read in earlier passes (committed): not read again. */
  seen: string[];
  /** Read in this pass so far. */
  reading: string[];
}

const XID = /^\d{1,20}$/;

function parseCursor(cursor: string | null): Position {
  const start: Position = { afterXid: '0', afterId: '', next: null, seen: [], reading: [] };
  const xids = (list: unknown): list is string[] | undefined => list === undefined || (Array.isArray(list) && list.every((x) => typeof x === 'string' && XID.test(x)));
  if (cursor === null) return start;
  try {
    const [afterXid, afterId, next, seen, reading] = JSON.parse(cursor) as unknown[];
    if (
      typeof afterXid === 'string' && XID.test(afterXid) &&
      typeof afterId === 'string' &&
      (next === null || (typeof next === 'string' && XID.test(next))) &&
      xids(seen) &&
      xids(reading)
    ) {
      return { afterXid, afterId, next, seen: seen ?? [], reading: reading ?? [] };
    }
  } catch {
    // another adapter's cursor: start over
  }
  return start;
}

/** One unit of work inside the caller's transaction: ConflictError rolls all of it back. */
async function write(client: Queryable, tx: StoreTransaction): Promise<void> {
  const records = tx.referrals ?? [];
  const created = records.filter((r) => r.version === 1);
  if (created.length) {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO referrals (${REFERRAL_INSERT_COLUMNS}) VALUES ${placeholders(created.length, 17)} ON CONFLICT (id) DO NOTHING RETURNING id`,
      created.flatMap(referralRow),
    );
    if (rows.length !== created.length) {
      const taken = created.find((r) => !rows.some((row) => row.id === r.id))!;
      throw new ConflictError(`L’orientation ${taken.id} a été modifiée entre-temps (version 1 déjà enregistrée).`);
    }
  }
  for (const record of records) {
    if (record.version === 1) continue;
    const v = referralRow(record);
    const result = await client.query(
      `UPDATE referrals SET reference = $2, conversation_id = $3, partner_id = $4, actor_id = $5, tier = $6, status = $7, version = $8,
         created_at = $9, status_at = $10, closed_at = $11, reminders = $12, check_ins = $13, review = $14, erased = $15, anonymised = $16,
         record = $17, change_xid = pg_current_xact_id()
       WHERE id = $1 AND version = $8 - 1`,
      v,
    );
    if (result.rowCount === 0) {
      throw new ConflictError(`L’orientation ${record.id} a été modifiée entre-temps (reçue version ${record.version}).`);
    }
  }
  const enqueue = tx.enqueue ?? [];
  if (enqueue.length) {
    // Known ids (queued, or delivered and kept as a receipt) are ignored: enqueueing twice sends once.
    await client.query(
      `INSERT INTO mail_queue (id, reference, kind, state, attempts, next_attempt_at, body) VALUES ${placeholders(enqueue.length, 7)} ON CONFLICT (id) DO NOTHING`,
      enqueue.flatMap(mailRow),
    );
  }
  for (const mail of tx.requeue ?? []) {
    await client.query("UPDATE mail_queue SET attempts = $2, next_attempt_at = $3, body = $4, lease_until = NULL WHERE id = $1 AND state = 'queued'", [
      mail.id,
      mail.attempts,
      mail.nextAttemptAt,
      json(mail),
    ]);
  }
  for (const { id, at } of tx.delivered ?? []) {
    await client.query("UPDATE mail_queue SET state = 'sent', sent_at = $2, body = NULL, lease_until = NULL WHERE id = $1", [id, at]);
  }
  if (tx.discard?.length) await client.query('DELETE FROM mail_queue WHERE id = ANY($1::text[])', [tx.discard]);
}

/** The production adapter of the `ReferralStore` port (tables: migration 0100). */
export function openPostgresReferralStore(db: Database, options: PostgresReferralStoreOptions = {}): PostgresReferralStore {
  return new PostgresReferralStore(db, options);
}
