// The bot's conversation events (started, asked, qualified, oriented…), for the statistics:
// append-only JSON lines, one file per month (`events-2025-03.jsonl`), so old months can be
// archived whole. No personal data: events are parsed with their schema, unknown fields dropped.
// Readers follow the log with a cursor (byte offset per file) and read only what is new.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { conversationEventSchema, type ConversationEvent } from '../domain/events.js';
import { JsonLinesFile, parseLines, readFrom } from './jsonLines.js';

/**
 * Where a reader stopped. Embedded: bytes already read per monthly file (a late event may still
 * land in last month's file). PostgreSQL: `{ id }`, the last row id read.
 */
export type EventCursor = Record<string, number>;

export interface EventLogPort {
  /** Fire and forget: an event that cannot be written is reported to `onError`, never thrown. */
  append(event: ConversationEvent): void;
  /** Events written since `cursor` (null: from the start), and the cursor to use next time. */
  readSince(cursor: EventCursor | null): Promise<{ events: ConversationEvent[]; cursor: EventCursor }>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

const FILE = /^events-(\d{4}-\d{2})\.jsonl$/;

export class EventLog implements EventLogPort {
  private readonly files = new Map<string, JsonLinesFile>();

  constructor(
    readonly dir: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  append(event: ConversationEvent): void {
    const parsed = conversationEventSchema.safeParse(event);
    if (!parsed.success) {
      this.onError(new Error(`évènement de conversation ignoré : ${parsed.error.issues[0]?.message ?? 'invalide'}`));
      return;
    }
    const name = `events-${parsed.data.at.slice(0, 7)}.jsonl`;
    let file = this.files.get(name);
    if (!file) {
      file = new JsonLinesFile(join(this.dir, name));
      this.files.set(name, file);
    }
    file.append(parsed.data).catch(this.onError);
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir).filter((n) => FILE.test(n)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  async readSince(cursor: EventCursor | null): Promise<{ events: ConversationEvent[]; cursor: EventCursor }> {
    const events: ConversationEvent[] = [];
    const next: EventCursor = { ...cursor };
    for (const name of this.names()) {
      const { buf, end } = readFrom(join(this.dir, name), next[name] ?? 0);
      parseLines<ConversationEvent>(buf, (e) => events.push(e));
      next[name] = end;
    }
    return { events, cursor: next };
  }

  async flush(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => f.flush()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.files.values()].map((f) => f.close()));
    this.files.clear();
  }
}
