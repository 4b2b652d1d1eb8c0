// Rules published from the back office: every version's files kept whole (rollback restores
// them), with who, when and why; and the coordinators' drafts in progress. The live rules stay
// in rules/ (the router reads them); this is their history. The port is async: the PostgreSQL
// adapter (postgres/rulesHistory.ts) is shared by every instance. Each version's files are written
// atomically before the index names them, so the index never points at a missing version.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableJSONFile, writeFileAtomic } from './durableFile.js';

export type RulesVersionKind = 'initial' | 'external' | 'publish' | 'rollback';

export interface RulesVersionEntry {
  /** 1, 2, 3…: order of publication. */
  n: number;
  /** The router's rulesVersion once live (content hash of rules and actors). */
  version: string;
  at: string;
  author: { id: string; email: string };
  message: string;
  kind: RulesVersionKind;
  /** For a rollback: the entry whose files were restored. */
  restored?: number;
  files: string[];
}

/** Rule files by name (e.g. `vignoble.json`) → text. */
export type RuleFiles = Record<string, string>;

/** One file of a draft: its text when the draft started (null: new file) and now (null: deleted). */
export interface DraftFile {
  base: string | null;
  content: string | null;
}

export interface RuleDraft {
  accountId: string;
  baseVersion: string;
  createdAt: string;
  updatedAt: string;
  files: Record<string, DraftFile>;
}

interface HistoryDoc {
  format: 1;
  entries: RulesVersionEntry[];
  drafts: RuleDraft[];
}

export interface RulesHistoryPort {
  /** Oldest first. */
  list(): Promise<RulesVersionEntry[]>;
  get(n: number): Promise<RulesVersionEntry | undefined>;
  files(n: number): Promise<RuleFiles>;
  add(entry: Omit<RulesVersionEntry, 'n' | 'files'>, files: RuleFiles): Promise<RulesVersionEntry>;
  draft(accountId: string): Promise<RuleDraft | undefined>;
  saveDraft(draft: RuleDraft): Promise<void>;
  deleteDraft(accountId: string): Promise<void>;
}

export class RulesHistory implements RulesHistoryPort {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    private readonly db: Low<HistoryDoc>,
  ) {}

  static async open(dir: string): Promise<RulesHistory> {
    await mkdir(join(dir, 'versions'), { recursive: true, mode: 0o700 });
    const db = new Low<HistoryDoc>(new DurableJSONFile<HistoryDoc>(join(dir, 'history.json')), { format: 1, entries: [], drafts: [] });
    await db.read();
    return new RulesHistory(dir, db);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  private versionPath(n: number): string {
    return join(this.dir, 'versions', `${String(n).padStart(5, '0')}.json`);
  }

  async list(): Promise<RulesVersionEntry[]> {
    return [...this.db.data.entries];
  }

  async get(n: number): Promise<RulesVersionEntry | undefined> {
    return this.db.data.entries.find((e) => e.n === n);
  }

  async files(n: number): Promise<RuleFiles> {
    return JSON.parse(await readFile(this.versionPath(n), 'utf8')) as RuleFiles;
  }

  add(entry: Omit<RulesVersionEntry, 'n' | 'files'>, files: RuleFiles): Promise<RulesVersionEntry> {
    return this.serial(async () => {
      const n = (this.db.data.entries.at(-1)?.n ?? 0) + 1;
      await writeFileAtomic(this.versionPath(n), JSON.stringify(files));
      const full: RulesVersionEntry = { ...entry, n, files: Object.keys(files).sort() };
      this.db.data.entries.push(full);
      await this.db.write();
      return full;
    });
  }

  async draft(accountId: string): Promise<RuleDraft | undefined> {
    return this.db.data.drafts.find((d) => d.accountId === accountId);
  }

  saveDraft(draft: RuleDraft): Promise<void> {
    return this.serial(async () => {
      this.db.data.drafts = [...this.db.data.drafts.filter((d) => d.accountId !== draft.accountId), draft];
      await this.db.write();
    });
  }

  deleteDraft(accountId: string): Promise<void> {
    return this.serial(async () => {
      const before = this.db.data.drafts.length;
      this.db.data.drafts = this.db.data.drafts.filter((d) => d.accountId !== accountId);
      if (this.db.data.drafts.length !== before) await this.db.write();
    });
  }
}
