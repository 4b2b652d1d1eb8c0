// The published configuration (rules, actors' directory, partner sites, named territories) on
// PostgreSQL: the source of truth when instances share a database. Every publication is a new
// row holding the whole set (file key → text), merged with the latest under an advisory lock so
// that two instances publishing different files at once both keep their change. A NOTIFY tells
// the other instances at once; they also poll (LISTEN is lost when a connection drops).
import { z } from 'zod';
import type { Database } from './database.js';

const PUBLISH_LOCK = 4_178_0302;
export const PUBLISHED_CHANNEL = 'aiguillage_published';

/** File key (`rules/vignoble.json`, `actors.json`, `partners.json`, `named-territories.json`) → text. */
export type PublishedFiles = Record<string, string>;

export interface Publication {
  id: number;
  at: string;
  by: string;
  files: PublishedFiles;
}

const filesSchema = z.record(z.string(), z.string());

export class PostgresPublishedConfig {
  constructor(private readonly db: Database) {}

  /** Id of the latest publication (0: none yet). */
  async latestId(): Promise<number> {
    const { rows } = await this.db.pool.query<{ id: number | null }>('SELECT max(id) AS id FROM published_config');
    return rows[0]?.id ?? 0;
  }

  async latest(): Promise<Publication | undefined> {
    const { rows } = await this.db.pool.query<{ id: number; at: Date; by: string; files: unknown }>('SELECT id, at, by, files FROM published_config ORDER BY id DESC LIMIT 1');
    const row = rows[0];
    return row ? { id: row.id, at: row.at.toISOString(), by: row.by, files: filesSchema.parse(row.files) } : undefined;
  }

  /** The first publication from the shipped files, unless there is one already; returns the latest. */
  async seed(files: PublishedFiles, by = 'système'): Promise<Publication> {
    await this.db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
      const { rowCount } = await client.query('SELECT 1 FROM published_config LIMIT 1');
      if (rowCount) return;
      const { rows } = await client.query<{ id: number }>('INSERT INTO published_config (by, files) VALUES ($1, $2) RETURNING id', [by, JSON.stringify(filesSchema.parse(files))]);
      await client.query('SELECT pg_notify($1, $2)', [PUBLISHED_CHANNEL, String(rows[0]!.id)]);
    });
    return (await this.latest())!;
  }

  /**
   * A new publication: the latest set with `changes` applied (null removes a file). Returns the
   * latest publication unchanged when nothing differs.
   */
  publish(changes: Record<string, string | null>, by: string): Promise<Publication> {
    return this.db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PUBLISH_LOCK]);
      const { rows } = await client.query<{ id: number; at: Date; by: string; files: unknown }>('SELECT id, at, by, files FROM published_config ORDER BY id DESC LIMIT 1');
      const previous = rows[0] ? filesSchema.parse(rows[0].files) : {};
      const files: PublishedFiles = { ...previous };
      for (const [key, text] of Object.entries(changes)) {
        if (text === null) delete files[key];
        else files[key] = text;
      }
      const same = rows[0] && Object.keys(files).length === Object.keys(previous).length && Object.entries(files).every(([k, v]) => previous[k] === v);
      if (same) return { id: rows[0]!.id, at: rows[0]!.at.toISOString(), by: rows[0]!.by, files };
      const inserted = await client.query<{ id: number; at: Date }>('INSERT INTO published_config (by, files) VALUES ($1, $2) RETURNING id, at', [by, JSON.stringify(files)]);
      await client.query('SELECT pg_notify($1, $2)', [PUBLISHED_CHANNEL, String(inserted.rows[0]!.id)]);
      return { id: inserted.rows[0]!.id, at: inserted.rows[0]!.at.toISOString(), by, files };
    });
  }
}
