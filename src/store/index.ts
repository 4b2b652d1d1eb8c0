// The embedded store: referrals and mail queue on a journal, conversation state as small
// documents, one writing process per data directory. See README.md for the layout.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FileConversationStore } from './conversationStorage.js';
import { acquireLock } from './lock.js';
import type { ConversationStore, ReferralStore } from './ports.js';
import { JournalReferralStore } from './referralStore.js';

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
}

export async function openStore(options: OpenStoreOptions): Promise<Store> {
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

export type { ConversationStore, MailQueue, MailSummary, QueuedMail, ReferralRepository, ReferralStore, ReferralSummary, StoreItems, StoreStats, StoreTransaction } from './ports.js';
export { ConflictError } from './ports.js';
export { EtagConflictError } from './conversationStorage.js';
export { StoreLockedError } from './lock.js';
export { JournalError } from './journal.js';
export { KeyedLock } from './keyedLock.js';
export { loadOrCreateSecret } from './secret.js';
export { writeFileAtomic } from './durableFile.js';
