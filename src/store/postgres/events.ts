// The bot's conversation events on PostgreSQL. `append` never touches the database on the bot's
// turn: events are buffered and written in batches (every 200 ms), so that a slow or stopped
// database never fails nor slows a turn; a batch that cannot be written is retried, and events
// beyond the buffer's cap are dropped and reported. Readers follow the BIGSERIAL id: batches are
// written under an advisory lock, so ids become visible in order and a cursor never skips one.
import { conversationEventSchema, type ConversationEvent } from '../../domain/events.js';
import type { EventCursor, EventLogPort } from '../eventLog.js';
import type { Database } from './database.js';

const APPEND_LOCK = 4_178_0301;
const READ_BATCH = 20_000;

export interface PostgresEventLogOptions {
  onError?: (error: unknown) => void;
  /** How often buffered events are written (default 200 ms). */
  intervalMs?: number;
  /** Events kept while the database is unreachable (default 50,000); older ones are dropped. */
  maxBuffered?: number;
}

export class PostgresEventLog implements EventLogPort {
  private buffer: ConversationEvent[] = [];
  private writing: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly onError: (error: unknown) => void;
  private readonly maxBuffered: number;
  private dropped = 0;
  /** An outage is reported once, not every 200 ms. */
  private failing = false;

  constructor(
    private readonly db: Database,
    options: PostgresEventLogOptions = {},
  ) {
    this.onError = options.onError ?? (() => undefined);
    this.maxBuffered = options.maxBuffered ?? 50_000;
    this.timer = setInterval(() => void this.write().catch(() => undefined), options.intervalMs ?? 200);
    this.timer.unref();
  }

  append(event: ConversationEvent): void {
    const parsed = conversationEventSchema.safeParse(event);
    if (!parsed.success) {
      this.onError(new Error(`évènement de conversation ignoré : ${parsed.error.issues[0]?.message ?? 'invalide'}`));
      return;
    }
    this.buffer.push(parsed.data);
    if (this.buffer.length > this.maxBuffered) {
      this.dropped += this.buffer.length - this.maxBuffered;
      this.buffer.splice(0, this.buffer.length - this.maxBuffered);
    }
  }

  /** Writes what is buffered (one batch at a time); a failed batch goes back to the buffer. */
  private write(): Promise<void> {
    if (this.writing) return this.writing;
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.db
      .transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
        await client.query('INSERT INTO conversation_events (at, event) SELECT * FROM unnest($1::timestamptz[], $2::jsonb[])', [batch.map((e) => e.at), batch.map((e) => JSON.stringify(e))]);
      })
      .then(
        () => {
          this.failing = false;
          if (this.dropped) {
            this.onError(new Error(`${this.dropped} évènement(s) de conversation perdus : base de données injoignable trop longtemps`));
            this.dropped = 0;
          }
        },
        (error: unknown) => {
          this.buffer = [...batch, ...this.buffer];
          if (this.buffer.length > this.maxBuffered) {
            this.dropped += this.buffer.length - this.maxBuffered;
            this.buffer.splice(0, this.buffer.length - this.maxBuffered);
          }
          if (!this.failing) this.onError(error);
          this.failing = true;
          throw error;
        },
      )
      .finally(() => {
        this.writing = null;
      });
    return this.writing;
  }

  async readSince(cursor: EventCursor | null): Promise<{ events: ConversationEvent[]; cursor: EventCursor }> {
    let last = cursor?.id ?? 0;
    const events: ConversationEvent[] = [];
    for (;;) {
      const { rows } = await this.db.pool.query<{ id: number; event: unknown }>('SELECT id, event FROM conversation_events WHERE id > $1 ORDER BY id LIMIT $2', [last, READ_BATCH]);
      for (const row of rows) {
        const parsed = conversationEventSchema.safeParse(row.event);
        if (parsed.success) events.push(parsed.data);
        last = row.id;
      }
      if (rows.length < READ_BATCH) break;
    }
    return { events, cursor: { id: last } };
  }

  /** Resolves once everything appended so far is written (rejects if the database refuses). */
  async flush(): Promise<void> {
    while (this.writing || this.buffer.length) await this.write();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}
