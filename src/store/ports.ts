// Storage ports: what the use cases need, whatever the engine. The embedded adapters (journal +
// lowdb documents) implement them in this folder; another engine (SQL…) would implement the same.
import type { Referral, ReferralStatus, ReferralTier } from '../domain/referral.js';

/** What the index keeps in memory for every referral: enough for follow-up, lookups and stats. */
export interface ReferralSummary {
  id: string;
  reference: string;
  conversationId: string;
  partnerId: string | null;
  actorId: string;
  tier: ReferralTier;
  status: ReferralStatus;
  version: number;
  /** Epoch milliseconds. */
  createdAt: number;
  statusAt: number;
  closedAt: number | null;
  reminders: number;
  checkIns: number;
  review: boolean;
  erased: boolean;
  anonymised: boolean;
}

/** Which open referrals the follow-up pass must look at (both bounds inclusive). */
export interface FollowUpQuery {
  /** Pending referrals created at or before this instant (the earliest reminder or expiry). */
  pendingCreatedBefore: Date;
  /** Referrals taken care of at or before this instant (the first check-in); null: none. */
  takingCareSince: Date | null;
}

/** One page of records written since a cursor (statistics index, other instances included). */
export interface ReferralChanges {
  records: Referral[];
  /** Opaque; pass it back to read what follows. */
  cursor: string;
  /** False when more records are waiting behind this page. */
  done: boolean;
}

// Every read is async (an SQL engine answers over the network) and purpose-specific, so that
// PostgreSQL answers it with an index: nothing on a request path walks every referral.
export interface ReferralRepository {
  get(id: string): Promise<Referral | undefined>;
  /** Every record of one request (same reference), oldest first. */
  byReference(reference: string): Promise<Referral[]>;
  byConversation(conversationId: string): Promise<Referral[]>;
  referenceExists(reference: string): Promise<boolean>;
  summary(id: string): Promise<ReferralSummary | undefined>;
  count(): Promise<number>;
  /** Pending or taken-care-of referrals, neither erased nor anonymised, old enough to need follow-up. */
  followUpCandidates(query: FollowUpQuery): Promise<ReferralSummary[]>;
  /** References with a record not anonymised yet, closed (or idle) at or before `cutoff`. */
  anonymisationDue(cutoff: Date): Promise<string[]>;
  /** Records created in [from, to), per actor: the router's monthly load. */
  monthlyLoads(from: Date, to: Date): Promise<Map<string, number>>;
  /**
   * Records written since `cursor` (null: from the start), at most about `limit` of them. A
   * record may come again (a later version, or a page boundary): callers replace by id.
   */
  changes(cursor: string | null, limit: number): Promise<ReferralChanges>;
  /** Every summary: tools and tests only (export, migration), never a request path. */
  summaries(): AsyncIterableIterator<ReferralSummary>;
  /** Every full record, one by one: tools only. */
  scan(): AsyncIterableIterator<Referral>;
}

export interface QueuedMail {
  /** Idempotency id, deterministic (`<referral id>.actor-new`…): also the Message-ID's left part. */
  id: string;
  reference: string | null;
  kind: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  createdAt: string;
  attempts: number;
  nextAttemptAt: string;
  /** Error code of the last attempt (never the server's text, which may quote an address). */
  lastError: string | null;
  /** Files sent with the message (the monthly report's CSV). */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  /** Text content (UTF-8). */
  content: string;
}

export interface MailSummary {
  id: string;
  reference: string | null;
  state: 'queued' | 'sent';
  attempts: number;
  /** Epoch milliseconds. */
  nextAttemptAt: number;
  sentAt: number | null;
}

export interface ClaimOptions {
  /** At most this many messages (default 20). */
  limit?: number;
  /**
   * How long a claimed message is kept from other claims (default 5 min): an instance killed
   * mid-send leaves it to another once the lease has run out.
   */
  leaseMs?: number;
}

export interface MailQueue {
  /** Queued or already delivered (receipts are kept a while, see `pruneReceipts`). */
  known(id: string): Promise<boolean>;
  get(id: string): Promise<QueuedMail | undefined>;
  summary(id: string): Promise<MailSummary | undefined>;
  /** Messages of one request still queued (export, erasure). */
  queuedFor(reference: string): Promise<MailSummary[]>;
  /**
   * Takes due messages for sending, oldest first, atomically: two claims (two instances) never
   * get the same message while its lease runs. `requeue` or `delivered` ends the lease.
   */
  claim(now: Date, options?: ClaimOptions): Promise<QueuedMail[]>;
  /** Queued messages whose next attempt is due, oldest first (claimed ones included). */
  due(now: Date): Promise<MailSummary[]>;
  /** Every queued message: the queue stays small (tools and tests). */
  queued(): Promise<MailSummary[]>;
}

/** One atomic, durable unit of work: all of it is on disk when `commit` resolves, or none of it. */
export interface StoreTransaction {
  /** Each record's `version` must be the stored one + 1 (1 for a new record), else ConflictError. */
  referrals?: Referral[];
  /** Enqueued unless the id is already known: enqueueing twice sends once. */
  enqueue?: QueuedMail[];
  /** Rewritten queue entries (after a failed attempt). */
  requeue?: QueuedMail[];
  /** Delivered: the body (personal data) is dropped; a receipt keeps the id. */
  delivered?: { id: string; at: Date }[];
  /** Dropped without sending (erasure). */
  discard?: string[];
}

export interface StoreStats {
  referrals: number;
  queuedMails: number;
  journalBytes: number;
  snapshotBytes: number;
  deadLines: number;
  openMs: number;
  droppedBytes: number;
}

export interface ReferralStore {
  readonly referrals: ReferralRepository;
  readonly mails: MailQueue;
  commit(tx: StoreTransaction): Promise<void>;
  /** True when a compaction is worth running (superseded journal lines; PostgreSQL: hourly). */
  needsCompaction(): Promise<boolean>;
  /** Embedded: rewrites the live data into a snapshot. Both: prunes receipts, physically removes erased data. */
  compact(options?: { pruneReceiptsBefore?: Date }): Promise<StoreStats>;
  stats(): Promise<StoreStats>;
}

/** botbuilder's Storage, structurally (no SDK import here: DESIGN.md §6). */
export interface StoreItems {
  [key: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- botbuilder's own type
}
export interface ConversationStore {
  read(keys: string[]): Promise<StoreItems>;
  write(changes: StoreItems): Promise<void>;
  delete(keys: string[]): Promise<void>;
  /** Deletes documents idle for longer than the time to live; returns how many. */
  purgeIdle(now?: Date): Promise<number>;
  /** Documents of one conversation (any channel), for a holder's export. */
  findByConversationId(conversationId: string): Promise<StoreItems>;
  deleteByConversationId(conversationId: string): Promise<number>;
}

export class ConflictError extends Error {}
