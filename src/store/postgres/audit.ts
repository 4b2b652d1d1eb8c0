// The back office's audit log on PostgreSQL: one row per entry, the list's filters and paging
// in SQL (newest first, `action` as a prefix, `target` exact), as the embedded AuditLog answers.
import { z } from 'zod';
import type { AuditEntry, AuditLogPort, AuditQuery } from '../auditLog.js';
import type { Database } from './database.js';

const entrySchema = z.object({
  at: z.string(),
  by: z.object({ id: z.string(), email: z.string(), role: z.string() }),
  action: z.string(),
  target: z.string().nullable(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** LIKE pattern matching the prefix literally. */
const prefixPattern = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class PostgresAuditLog implements AuditLogPort {
  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(input: Omit<AuditEntry, 'at'> & { at?: string }): Promise<AuditEntry> {
    const entry = entrySchema.parse({ ...input, at: input.at ?? this.now().toISOString() }) as AuditEntry;
    await this.db.pool.query('INSERT INTO backoffice_audit (action, target, entry) VALUES ($1, $2, $3)', [entry.action, entry.target, JSON.stringify(entry)]);
    return entry;
  }

  async list(query: AuditQuery = {}): Promise<{ entries: AuditEntry[]; total: number }> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.action) {
      params.push(prefixPattern(query.action));
      where.push(`action LIKE $${params.length}`);
    }
    if (query.target) {
      params.push(query.target);
      where.push(`target = $${params.length}`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const limit = Math.max(0, query.limit ?? 100);
    const offset = Math.max(0, query.offset ?? 0);
    const [page, count] = await Promise.all([
      this.db.pool.query<{ entry: unknown }>(`SELECT entry FROM backoffice_audit ${clause} ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`, params),
      this.db.pool.query<{ total: number }>(`SELECT count(*) AS total FROM backoffice_audit ${clause}`, params),
    ]);
    return { entries: page.rows.map((r) => entrySchema.parse(r.entry) as AuditEntry), total: count.rows[0]?.total ?? 0 };
  }

  async close(): Promise<void> {
    // The pool belongs to the caller (one per process).
  }
}
