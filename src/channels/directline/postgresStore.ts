// Direct Line conversations on PostgreSQL (migration 0201): any instance answers any request of
// a conversation. Appends take the conversation row's lock, so sequence numbers (watermarks) and
// the clientActivityID check are atomic across instances. Turns of one conversation are
// serialised in-process first, then across instances by a transaction-scoped advisory lock held
// on a small pool of its own: the turn's own queries use the main pool, so waiting turns can
// never starve it, and a crashed instance's locks vanish with its connections.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { guardCheckedOutClients, type Database } from '../../store/postgres/database.js';
import { KeyedLock } from '../../store/keyedLock.js';
import { DEFAULT_CONVERSATION_LIMITS, type PostResult, type ActivityPage, type ConversationLimits, type DirectLineConversation, type DirectLineStore, type StoredActivity } from './conversations.js';

/** First key of the advisory locks taken here (the second is the conversation id's hash). */
const TURN_LOCK_CLASS = 4200;
/** clientActivityIDs are kept for the posts of this many recent sequence numbers. */
const CLIENT_POST_SPAN = 2000;

export interface PostgresDirectLineOptions {
  limits?: ConversationLimits;
  now?: () => number;
  /** Connections for the turn locks (default 10): at most this many turns at once on this instance. */
  lockConnections?: number;
}

type Row = { id: string; user_id: string; partner_id: string | null; last_used: number };

const activityId = (conversationId: string, seq: number) => `${conversationId}|${String(seq).padStart(7, '0')}`;

export class PostgresDirectLineStore implements DirectLineStore {
  readonly limits: ConversationLimits;
  private readonly now: () => number;
  private readonly lockPool: pg.Pool;
  private readonly local = new KeyedLock();
  private readonly waiting = new Map<string, number>();
  /** last_used is rewritten at most this often: a poll a second must not be a write a second. */
  private readonly touchMs: number;

  constructor(
    private readonly db: Database,
    options: PostgresDirectLineOptions = {},
  ) {
    this.limits = options.limits ?? DEFAULT_CONVERSATION_LIMITS;
    this.now = options.now ?? Date.now;
    this.touchMs = Math.min(60_000, this.limits.idleMs / 10);
    this.lockPool = new pg.Pool({
      connectionString: db.url,
      max: options.lockConnections ?? 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'aiguillage-directline-turns',
    });
    this.lockPool.on('error', () => undefined); // an idle lock connection lost: the next turn reconnects
    guardCheckedOutClients(this.lockPool); // a lock connection lost during a turn
  }

  async create(userId: string, partnerId: string | undefined): Promise<DirectLineConversation> {
    const id = randomBytes(16).toString('base64url');
    const t = this.now();
    await this.db.pool.query('INSERT INTO directline_conversation (id, user_id, partner_id, created_at, last_used) VALUES ($1, $2, $3, $4, $4)', [id, userId, partnerId ?? null, t]);
    return { id, userId, partnerId };
  }

  async get(id: string): Promise<DirectLineConversation | undefined> {
    const { rows } = await this.db.pool.query<Row>('SELECT id, user_id, partner_id, last_used FROM directline_conversation WHERE id = $1', [id]);
    const row = rows[0];
    const t = this.now();
    if (!row || (t - row.last_used > this.limits.idleMs && this.queued(id) === 0)) return undefined;
    if (t - row.last_used >= this.touchMs) {
      await this.db.pool.query('UPDATE directline_conversation SET last_used = GREATEST(last_used, $2) WHERE id = $1', [id, t]);
    }
    return { id: row.id, userId: row.user_id, partnerId: row.partner_id ?? undefined };
  }

  /** Appends under the conversation row's lock (taken by the caller's UPDATE); returns the id. */
  private async appendLocked(client: pg.PoolClient, conversationId: string, activity: Record<string, unknown>, seq: number): Promise<string> {
    const id = activityId(conversationId, seq);
    const json = JSON.stringify({ ...activity, id });
    await client.query('INSERT INTO directline_activity (conversation_id, seq, size, activity) VALUES ($1, $2, $3, $4::json)', [conversationId, seq, json.length, json]);
    // Oldest first beyond the count or byte budget; the newest activity always stays.
    await client.query(
      `DELETE FROM directline_activity a USING (
         SELECT seq, ROW_NUMBER() OVER w AS rank, SUM(size) OVER w AS bytes
         FROM directline_activity WHERE conversation_id = $1
         WINDOW w AS (ORDER BY seq DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
       ) k
       WHERE a.conversation_id = $1 AND a.seq = k.seq AND k.rank > 1 AND (k.rank > $2 OR k.bytes > $3)`,
      [conversationId, this.limits.maxActivities, this.limits.maxLogBytes],
    );
    return id;
  }

  /** Takes the next sequence number (row lock until commit); undefined when the conversation is gone. */
  private async nextSeq(client: pg.PoolClient, conversationId: string): Promise<number | undefined> {
    const { rows } = await client.query<{ seq: number }>('UPDATE directline_conversation SET next_seq = next_seq + 1 WHERE id = $1 RETURNING next_seq - 1 AS seq', [conversationId]);
    return rows[0]?.seq;
  }

  append(conversationId: string, activity: Record<string, unknown>): Promise<string> {
    return this.db.transaction(async (client) => {
      const seq = await this.nextSeq(client, conversationId);
      return seq === undefined ? `${conversationId}|gone` : this.appendLocked(client, conversationId, activity, seq);
    });
  }

  post(conversationId: string, activity: Record<string, unknown>, clientActivityId?: string): Promise<PostResult> {
    return this.db.transaction(async (client) => {
      // The row lock first: two instances handling the same retry see each other's post.
      const { rows } = await client.query<{ next_seq: number }>('SELECT next_seq FROM directline_conversation WHERE id = $1 FOR UPDATE', [conversationId]);
      if (!rows[0]) return { id: `${conversationId}|gone`, known: false, answered: false };
      if (clientActivityId) {
        const known = await client.query<{ activity_id: string; answered: boolean }>('SELECT activity_id, answered FROM directline_client_post WHERE conversation_id = $1 AND client_activity_id = $2', [conversationId, clientActivityId]);
        if (known.rows[0]) return { id: known.rows[0].activity_id, known: true, answered: known.rows[0].answered };
      }
      const seq = (await this.nextSeq(client, conversationId))!;
      const id = await this.appendLocked(client, conversationId, activity, seq);
      if (clientActivityId) {
        await client.query('INSERT INTO directline_client_post (conversation_id, client_activity_id, activity_id, seq) VALUES ($1, $2, $3, $4)', [conversationId, clientActivityId, id, seq]);
        await client.query('DELETE FROM directline_client_post WHERE conversation_id = $1 AND seq < $2', [conversationId, seq - CLIENT_POST_SPAN]);
      }
      return { id, known: false, answered: false };
    });
  }

  async markAnswered(conversationId: string, clientActivityId: string): Promise<void> {
    await this.db.pool.query('UPDATE directline_client_post SET answered = true WHERE conversation_id = $1 AND client_activity_id = $2', [conversationId, clientActivityId]);
  }

  async isAnswered(conversationId: string, clientActivityId: string): Promise<boolean> {
    const { rows } = await this.db.pool.query<{ answered: boolean }>('SELECT answered FROM directline_client_post WHERE conversation_id = $1 AND client_activity_id = $2', [conversationId, clientActivityId]);
    return rows[0]?.answered ?? false;
  }

  async knownPost(conversationId: string, clientActivityId: string): Promise<string | undefined> {
    const { rows } = await this.db.pool.query<{ activity_id: string }>('SELECT activity_id FROM directline_client_post WHERE conversation_id = $1 AND client_activity_id = $2', [conversationId, clientActivityId]);
    return rows[0]?.activity_id;
  }

  async since(conversationId: string, watermark: number): Promise<ActivityPage> {
    // One statement, one snapshot: the watermark matches the activities returned.
    const { rows } = await this.db.pool.query<{ next_seq: number; activities: StoredActivity[] }>(
      `SELECT c.next_seq, COALESCE((SELECT json_agg(a.activity ORDER BY a.seq) FROM directline_activity a WHERE a.conversation_id = c.id AND a.seq >= $2), '[]'::json) AS activities
       FROM directline_conversation c WHERE c.id = $1`,
      [conversationId, watermark],
    );
    const row = rows[0];
    return row ? { activities: row.activities, watermark: String(row.next_seq) } : { activities: [], watermark: String(watermark) };
  }

  runTurn<T>(conversationId: string, turn: () => Promise<T>): Promise<T> {
    this.waiting.set(conversationId, (this.waiting.get(conversationId) ?? 0) + 1);
    return this.local
      .run(conversationId, async () => {
        const client = await this.lockPool.connect();
        let broken: Error | undefined;
        try {
          await client.query('BEGIN');
          await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TURN_LOCK_CLASS, conversationId]);
          try {
            return await turn();
          } finally {
            await client.query('COMMIT').catch((error: Error) => {
              broken = error; // the lock ends with the connection anyway
            });
          }
        } catch (error) {
          broken ??= error as Error;
          throw error;
        } finally {
          client.release(broken);
        }
      })
      .finally(() => {
        const n = (this.waiting.get(conversationId) ?? 1) - 1;
        if (n > 0) this.waiting.set(conversationId, n);
        else this.waiting.delete(conversationId);
      });
  }

  queued(conversationId: string): number {
    return this.waiting.get(conversationId) ?? 0;
  }

  async sweep(): Promise<void> {
    await this.db.pool.query('DELETE FROM directline_conversation WHERE last_used < $1', [this.now() - this.limits.idleMs]);
  }

  close(): Promise<void> {
    return this.lockPool.end();
  }
}

export function openPostgresDirectLineStore(db: Database, options: PostgresDirectLineOptions = {}): PostgresDirectLineStore {
  return new PostgresDirectLineStore(db, options);
}
