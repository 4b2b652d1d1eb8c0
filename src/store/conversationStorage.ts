// Conversation state as botbuilder's Storage: one small lowdb document per key, written
// atomically, outside the referral journal. eTags as MemoryStorage: no eTag or `*` (what
// ConversationState.saveChanges sends) is last write wins; a specific eTag must match the stored
// one. Idle conversations expire (30 days by default): the state may hold a holder's answers.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableJSONFile } from './durableFile.js';
import { KeyedLock } from './keyedLock.js';
import type { ConversationStore, StoreItems } from './ports.js';

interface ConversationDoc {
  key: string;
  eTag: string;
  updatedAt: string;
  item: Record<string, unknown>;
}

export interface ConversationStoreOptions {
  ttlDays?: number;
  now?: () => Date;
}

export class EtagConflictError extends Error {}

const fileName = (key: string) => `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`;

export class FileConversationStore implements ConversationStore {
  private readonly lock = new KeyedLock();
  private readonly ttlMs: number;
  private readonly now: () => Date;

  private constructor(
    readonly dir: string,
    options: ConversationStoreOptions,
  ) {
    this.ttlMs = (options.ttlDays ?? 30) * 86_400_000;
    this.now = options.now ?? (() => new Date());
  }

  static async open(dir: string, options: ConversationStoreOptions & { readOnly?: boolean } = {}): Promise<FileConversationStore> {
    if (!options.readOnly) await mkdir(dir, { recursive: true, mode: 0o700 });
    return new FileConversationStore(dir, options);
  }

  private db(key: string): Low<ConversationDoc | null> {
    return new Low<ConversationDoc | null>(new DurableJSONFile<ConversationDoc | null>(join(this.dir, fileName(key))), null);
  }

  private async load(key: string): Promise<ConversationDoc | null> {
    const db = this.db(key);
    await db.read();
    const doc = db.data;
    if (!doc || doc.key !== key) return null;
    return this.expired(doc, this.now()) ? null : doc;
  }

  private expired(doc: ConversationDoc, now: Date): boolean {
    return now.getTime() - Date.parse(doc.updatedAt) > this.ttlMs;
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    for (const key of keys) {
      const doc = await this.load(key);
      if (doc) items[key] = { ...structuredClone(doc.item), eTag: doc.eTag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    for (const [key, value] of Object.entries(changes)) {
      await this.lock.run(key, async () => {
        const incoming = (value ?? {}) as Record<string, unknown>;
        const eTag = typeof incoming.eTag === 'string' ? incoming.eTag : undefined;
        const current = await this.load(key);
        if (current && eTag && eTag !== '*' && eTag !== current.eTag) {
          throw new EtagConflictError(`Storage: error writing "${key}" due to eTag conflict.`);
        }
        const { eTag: _ignored, ...item } = incoming;
        const db = this.db(key);
        db.data = { key, eTag: randomBytes(8).toString('hex'), updatedAt: this.now().toISOString(), item: JSON.parse(JSON.stringify(item)) };
        await db.write();
      });
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.lock.run(key, () => unlink(join(this.dir, fileName(key))).catch(ignoreMissing));
    }
  }

  private async *docs(): AsyncGenerator<{ file: string; doc: ConversationDoc | null }> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of names) {
      if (!name.endsWith('.json') || name.startsWith('.')) continue;
      const db = new Low<ConversationDoc | null>(new DurableJSONFile<ConversationDoc | null>(join(this.dir, name)), null);
      try {
        await db.read();
      } catch {
        yield { file: name, doc: null }; // unreadable: treat as idle
        continue;
      }
      yield { file: name, doc: db.data };
    }
  }

  async purgeIdle(now: Date = this.now()): Promise<number> {
    let purged = 0;
    for await (const { file, doc } of this.docs()) {
      if (doc && !this.expired(doc, now)) continue;
      await unlink(join(this.dir, file)).catch(ignoreMissing);
      purged += 1;
    }
    return purged;
  }

  /** botbuilder's ConversationState writes `<channel>/conversations/<id>/<namespace>` (empty namespace: a trailing slash). */
  private static belongsTo(key: string, conversationId: string): boolean {
    const marker = `/conversations/${conversationId}/`;
    return key.includes(marker) || key.endsWith(`/conversations/${conversationId}`);
  }

  async findByConversationId(conversationId: string): Promise<StoreItems> {
    const items: StoreItems = {};
    for await (const { doc } of this.docs()) {
      if (doc && FileConversationStore.belongsTo(doc.key, conversationId)) items[doc.key] = doc.item;
    }
    return items;
  }

  async deleteByConversationId(conversationId: string): Promise<number> {
    let deleted = 0;
    for await (const { file, doc } of this.docs()) {
      if (!doc || !FileConversationStore.belongsTo(doc.key, conversationId)) continue;
      await unlink(join(this.dir, file)).catch(ignoreMissing);
      deleted += 1;
    }
    return deleted;
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}
