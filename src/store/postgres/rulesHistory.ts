// The rules history and the coordinators' drafts on PostgreSQL, shared by every instance.
// Versions are numbered under a transaction-scoped advisory lock, so two instances publishing
// at the same moment get n and n + 1, never the same number.
import { z } from 'zod';
import type { RuleDraft, RuleFiles, RulesHistoryPort, RulesVersionEntry } from '../rulesHistory.js';
import type { Database } from './database.js';

const HISTORY_LOCK = 4_178_0300;

const entrySchema = z.object({
  n: z.number().int(),
  version: z.string(),
  at: z.string(),
  author: z.object({ id: z.string(), email: z.string() }),
  message: z.string(),
  kind: z.enum(['initial', 'external', 'publish', 'rollback']),
  restored: z.number().int().optional(),
  files: z.array(z.string()),
});
const filesSchema = z.record(z.string(), z.string());
const draftSchema = z.object({
  accountId: z.string(),
  baseVersion: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  files: z.record(z.string(), z.object({ base: z.string().nullable(), content: z.string().nullable() })),
});

export class PostgresRulesHistory implements RulesHistoryPort {
  constructor(private readonly db: Database) {}

  async list(): Promise<RulesVersionEntry[]> {
    const { rows } = await this.db.pool.query<{ entry: unknown }>('SELECT entry FROM rules_versions ORDER BY n');
    return rows.map((r) => entrySchema.parse(r.entry));
  }

  async get(n: number): Promise<RulesVersionEntry | undefined> {
    const { rows } = await this.db.pool.query<{ entry: unknown }>('SELECT entry FROM rules_versions WHERE n = $1', [n]);
    return rows[0] ? entrySchema.parse(rows[0].entry) : undefined;
  }

  async files(n: number): Promise<RuleFiles> {
    const { rows } = await this.db.pool.query<{ files: unknown }>('SELECT files FROM rules_versions WHERE n = $1', [n]);
    if (!rows[0]) throw new Error(`version des règles n° ${n} introuvable`);
    return filesSchema.parse(rows[0].files);
  }

  add(entry: Omit<RulesVersionEntry, 'n' | 'files'>, files: RuleFiles): Promise<RulesVersionEntry> {
    return this.db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [HISTORY_LOCK]);
      const { rows } = await client.query<{ n: number }>('SELECT COALESCE(max(n), 0) + 1 AS n FROM rules_versions');
      const full = entrySchema.parse({ ...entry, n: rows[0]!.n, files: Object.keys(files).sort() });
      await client.query('INSERT INTO rules_versions (n, entry, files) VALUES ($1, $2, $3)', [full.n, JSON.stringify(full), JSON.stringify(filesSchema.parse(files))]);
      return full;
    });
  }

  async draft(accountId: string): Promise<RuleDraft | undefined> {
    const { rows } = await this.db.pool.query<{ draft: unknown }>('SELECT draft FROM rules_drafts WHERE account_id = $1', [accountId]);
    return rows[0] ? draftSchema.parse(rows[0].draft) : undefined;
  }

  async saveDraft(draft: RuleDraft): Promise<void> {
    const parsed = draftSchema.parse(draft);
    await this.db.pool.query('INSERT INTO rules_drafts (account_id, draft) VALUES ($1, $2) ON CONFLICT (account_id) DO UPDATE SET draft = EXCLUDED.draft', [parsed.accountId, JSON.stringify(parsed)]);
  }

  async deleteDraft(accountId: string): Promise<void> {
    await this.db.pool.query('DELETE FROM rules_drafts WHERE account_id = $1', [accountId]);
  }
}
