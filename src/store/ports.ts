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

export interface ReferralRepository {
  get(id: string): Promise<Referral | undefined>;
  /** Every record of one request (same reference), oldest first. */
  byReference(reference: string): Promise<Referral[]>;
  byConversation(conversationId: string): Promise<Referral[]>;
  referenceExists(reference: string): boolean;
  summary(id: string): ReferralSummary | undefined;
  /** In-memory index: cheap to walk, even at 100,000 referrals. */
  summaries(): IterableIterator<ReferralSummary>;
  /** Full records, read from disk one by one. */
  scan(): AsyncIterableIterator<Referral>;
  count(): number;
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

export interface MailQueue {
  /** Queued or already delivered (receipts are kept a while, see `pruneReceipts`). */
  known(id: string): boolean;
  get(id: string): Promise<QueuedMail | undefined>;
  summary(id: string): MailSummary | undefined;
  /** Queued messages whose next attempt is due, oldest first. */
  due(now: Date): MailSummary[];
  queued(): MailSummary[];
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
  /** True when the journal holds enough superseded lines to be worth a compaction. */
  needsCompaction(): boolean;
  /** Rewrites the live data into a snapshot; also physically removes erased data. */
  compact(options?: { pruneReceiptsBefore?: Date }): Promise<StoreStats>;
  stats(): StoreStats;
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
