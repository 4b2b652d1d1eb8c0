// Conversation state on PostgreSQL: botbuilder's Storage, structurally, one row per key. eTags
// as the embedded FileConversationStore: no eTag or `*` is last write wins; a specific eTag must
// match the stored one, checked and written in ONE statement (the row lock of ON CONFLICT … DO
// UPDATE … WHERE), so that two instances racing with the same eTag cannot both win.
import { randomBytes } from 'node:crypto';
import { EtagConflictError, type ConversationStoreOptions } from '../conversationStorage.js';
import type { ConversationStore, StoreItems } from '../ports.js';
import type { Database } from './database.js';

export class PostgresConversationStore implements ConversationStore {
  private readonly ttlMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly db: Database,
    options: ConversationStoreOptions = {},
  ) {
    this.ttlMs = (options.ttlDays ?? 30) * 86_400_000;
    this.now = options.now ?? (() => new Date());
  }

  /** Rows last written before this instant are expired: never served, overwritten as absent. */
  private expiredBefore(now: Date = this.now()): Date {
    return new Date(now.getTime() - this.ttlMs);
  }

  async read(keys: string[]): Promise<StoreItems> {
    const items: StoreItems = {};
    if (keys.length === 0) return items;
    const { rows } = await this.db.pool.query<{ key: string; etag: string; item: Record<string, unknown> }>(
      'SELECT key, etag, item FROM conversation_state WHERE key = ANY($1::text[]) AND updated_at >= $2',
      [keys, this.expiredBefore()],
    );
    for (const row of rows) items[row.key] = { ...row.item, eTag: row.etag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    // Key by key, as the embedded store: a conflict on one key leaves the earlier ones written.
    for (const [key, value] of Object.entries(changes)) {
      const incoming = (value ?? {}) as Record<string, unknown>;
      const eTag = typeof incoming.eTag === 'string' ? incoming.eTag : undefined;
      const { eTag: _ignored, ...item } = incoming;
      const now = this.now();
      const params = [key, randomBytes(8).toString('hex'), JSON.stringify(item), now];
      if (!eTag || eTag === '*') {
        await this.db.pool.query(
          `INSERT INTO conversation_state (key, etag, item, updated_at) VALUES ($1, $2, $3::jsonb, $4)
           ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, item = EXCLUDED.item, updated_at = EXCLUDED.updated_at`,
          params,
        );
        continue;
      }
      // An absent or expired row accepts any eTag (as the embedded store); a live one must match.
      const result = await this.db.pool.query(
        `INSERT INTO conversation_state (key, etag, item, updated_at) VALUES ($1, $2, $3::jsonb, $4)
         ON CONFLICT (key) DO UPDATE SET etag = EXCLUDED.etag, item = EXCLUDED.item, updated_at = EXCLUDED.updated_at
         WHERE conversation_state.etag = $5 OR conversation_state.updated_at < $6`,
        [...params, eTag, this.expiredBefore(now)],
      );
      if (result.rowCount === 0) throw new EtagConflictError(`Storage: error writing "${key}" due to eTag conflict.`);
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.db.pool.query('DELETE FROM conversation_state WHERE key = ANY($1::text[])', [keys]);
  }

  async purgeIdle(now: Date = this.now()): Promise<number> {
    const result = await this.db.pool.query('DELETE FROM conversation_state WHERE updated_at < $1', [this.expiredBefore(now)]);
    return result.rowCount ?? 0;
  }

  /** botbuilder writes `<channel>/conversations/<id>/<namespace>`; same match as the embedded store. */
  private static matching(conversationId: string): [string, string] {
    const escaped = conversationId.replace(/[\\%_]/g, (c) => `\\${c}`);
    return [`%/conversations/${escaped}/%`, `%/conversations/${escaped}`];
  }

  async findByConversationId(conversationId: string): Promise<StoreItems> {
    const { rows } = await this.db.pool.query<{ key: string; item: Record<string, unknown> }>(
      'SELECT key, item FROM conversation_state WHERE key LIKE $1 OR key LIKE $2 ORDER BY key',
      PostgresConversationStore.matching(conversationId),
    );
    const items: StoreItems = {};
    for (const row of rows) items[row.key] = row.item;
    return items;
  }

  async deleteByConversationId(conversationId: string): Promise<number> {
    const result = await this.db.pool.query('DELETE FROM conversation_state WHERE key LIKE $1 OR key LIKE $2', PostgresConversationStore.matching(conversationId));
    return result.rowCount ?? 0;
  }
}

/** The production adapter of the `ConversationStore` port (tables: migration 0200). */
export function openPostgresConversationStore(db: Database, options: ConversationStoreOptions = {}): PostgresConversationStore {
  return new PostgresConversationStore(db, options);
}
