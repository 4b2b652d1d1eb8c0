// The back office's audit log: who changed what, when. Embedded: append-only JSON lines, fsynced
// before the change is reported done, kept in memory once read (a few entries a day).
// PostgreSQL: postgres/audit.ts, same port, the query in SQL.
import { join } from 'node:path';
import { JsonLinesFile, parseLines, readFrom } from './jsonLines.js';

export interface AuditEntry {
  at: string;
  /** Account id and e-mail of the person who acted; `system` for the service itself. */
  by: { id: string; email: string; role: string };
  /** Stable code, e.g. `referral.take_care`, `rules.publish`, `export.personal`. */
  action: string;
  /** What was changed: a referral id, an actor id, a rules version… */
  target: string | null;
  /** One French sentence for people. */
  summary: string;
  /** Small structured details (never a holder's contact data). */
  details?: Record<string, unknown>;
}

export interface AuditQuery {
  limit?: number;
  offset?: number;
  action?: string;
  target?: string;
}

export interface AuditLogPort {
  record(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<AuditEntry>;
  /** Newest first; `action` is a prefix (`rules.`), `target` exact. */
  list(query?: AuditQuery): Promise<{ entries: AuditEntry[]; total: number }>;
  close(): Promise<void>;
}

export class AuditLog implements AuditLogPort {
  private readonly file: JsonLinesFile;
  private readonly entries: AuditEntry[] = [];

  private constructor(
    path: string,
    private readonly now: () => Date,
  ) {
    this.file = new JsonLinesFile(path);
    parseLines<AuditEntry>(readFrom(path, 0).buf, (e) => this.entries.push(e));
  }

  static open(dir: string, now: () => Date = () => new Date()): AuditLog {
    return new AuditLog(join(dir, 'audit.jsonl'), now);
  }

  async record(input: Omit<AuditEntry, 'at'> & { at?: string }): Promise<AuditEntry> {
    const entry: AuditEntry = { ...input, at: input.at ?? this.now().toISOString() };
    await this.file.append(entry);
    this.entries.push(entry);
    return entry;
  }

  async list(query: AuditQuery = {}): Promise<{ entries: AuditEntry[]; total: number }> {
    const matching = this.entries.filter(
      (e) => (!query.action || e.action.startsWith(query.action)) && (!query.target || e.target === query.target),
    );
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 100;
    const newestFirst: AuditEntry[] = [];
    for (let i = matching.length - 1 - offset; i >= 0 && newestFirst.length < limit; i -= 1) newestFirst.push(matching[i]!);
    return { entries: newestFirst, total: matching.length };
  }

  close(): Promise<void> {
    return this.file.close();
  }
}
