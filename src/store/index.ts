// The store: embedded by default (referrals and mail queue on a journal, conversation state as
// small documents, one writing process per data directory; see README.md), or PostgreSQL when a
// `database` is given (several instances may share it: no data-directory lock).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileConversationStore } from './conversationStorage.js';
import { acquireLock } from './lock.js';
import type { ConversationStore, ReferralStore } from './ports.js';
import { JournalReferralStore } from './referralStore.js';
import { openPostgresConversationStore } from './postgres/conversationStore.js';
import type { Database } from './postgres/database.js';
import { openPostgresReferralStore } from './postgres/referralStore.js';

export interface Store extends ReferralStore {
  readonly dataDir: string;
  readonly readOnly: boolean;
  readonly conversations: ConversationStore;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  dataDir: string;
  /** For commands that only read while the service runs: no lock, nothing written. */
  readOnly?: boolean;
  conversationTtlDays?: number;
  now?: () => Date;
  log?: (message: string) => void;
  /** Production mode: referrals, mail queue and conversation state on PostgreSQL (opened, migrated). */
  database?: Database;
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
  if (options.database) return openPostgresStore(options.database, options);
  const { dataDir, readOnly = false } = options;
  if (!readOnly) await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const release = readOnly ? () => undefined : acquireLock(dataDir);
  try {
    const journal = await JournalReferralStore.open(join(dataDir, 'referrals'), { readOnly, log: options.log });
    const conversations = await FileConversationStore.open(join(dataDir, 'conversations'), {
      readOnly,
      ttlDays: options.conversationTtlDays,
      now: options.now,
    });
    return {
      dataDir,
      readOnly,
      conversations,
      referrals: journal.referrals,
      mails: journal.mails,
      commit: (tx) => journal.commit(tx),
      needsCompaction: () => journal.needsCompaction(),
      compact: (o) => journal.compact(o),
      stats: () => journal.stats(),
      close: async () => {
        try {
          await journal.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** The database stays open: it belongs to the caller (other stores share its pool). */
function openPostgresStore(database: Database, options: OpenStoreOptions): Store {
  const referrals = openPostgresReferralStore(database, { now: options.now });
  return {
    dataDir: options.dataDir,
    readOnly: options.readOnly ?? false,
    conversations: openPostgresConversationStore(database, { ttlDays: options.conversationTtlDays, now: options.now }),
    referrals: referrals.referrals,
    mails: referrals.mails,
    commit: (tx) => referrals.commit(tx),
    needsCompaction: () => referrals.needsCompaction(),
    compact: (o) => referrals.compact(o),
    stats: () => referrals.stats(),
    close: async () => undefined,
  };
}

export type { ClaimOptions, FollowUpQuery, ReferralChanges, ConversationStore, MailQueue, MailSummary, QueuedMail, ReferralRepository, ReferralStore, ReferralSummary, StoreItems, StoreStats, StoreTransaction } from './ports.js';
export { ConflictError } from './ports.js';
export { EtagConflictError } from './conversationStorage.js';
export { StoreLockedError } from './lock.js';
export { JournalError } from './journal.js';
export { KeyedLock } from './keyedLock.js';
export { loadOrCreateSecret } from './secret.js';
export { writeFileAtomic } from './durableFile.js';
