// The rules editor's use cases. A coordinator edits a draft (only the files they touched are
// kept, with the text they started from); every check is the loader's own, on a temporary copy
// of the set (same code as at start-up, so an invalid set can never be published). Publishing
// writes the files atomically into the live rules directory and reloads the router: live at
// once, no restart. Every publication and rollback is a version in the history.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coverage, createRouter, loadRuleSet, RulesError, type CoverageReport, type Router, type RuleIssue, type RuleSet } from '../routing/index.js';
import { SCHEMA_FILE } from '../routing/load.js';
import type { Account } from '../store/accountStore.js';
import type { AuditLogPort } from '../store/auditLog.js';
import { writeFileAtomic } from '../store/durableFile.js';
import { KeyedLock } from '../store/keyedLock.js';
import type { RuleDraft, RuleFiles, RulesHistoryPort, RulesVersionEntry } from '../store/rulesHistory.js';
import type { TerritoryIndex } from '../territory/types.js';
import { who } from './accounts.js';
import { diffRuleFiles, type FileDiff } from './diff.js';
import type { Publish } from './publication.js';
import { jsonErrorText } from './rulesText.js';

export { jsonErrorText };

export type Validation = { ok: true; set: RuleSet } | { ok: false; issues: RuleIssue[] };
export type Outcome<T = void> = ({ ok: true } & ([T] extends [void] ? unknown : { value: T })) | { ok: false; message: string; issues?: RuleIssue[] };

export interface RulesWorkspaceOptions {
  router: Router;
  territory: TerritoryIndex;
  rulesDir: string;
  actorsFile: string;
  history: RulesHistoryPort;
  audit: AuditLogPort;
  now?: () => Date;
  /** Several instances: records the live files as the shared publication (the database's). */
  publish?: Publish;
}

const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.json$/;
const lock = new KeyedLock();

export const formatJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

const hashFiles = (files: RuleFiles) =>
  createHash('sha256')
    .update(Object.keys(files).sort().map((k) => `${k}\0${files[k]}\0`).join(''))
    .digest('hex')
    .slice(0, 16);

export class RulesWorkspace {
  private live: { version: string; set: RuleSet } | undefined;
  private readonly routers = new Map<string, Promise<{ router: Router; set: RuleSet }>>();
  private readonly coverages = new Map<string, { at: number; report: Promise<CoverageReport> }>();
  private readonly now: () => Date;
  private knownVersions: RulesVersionEntry[] = [];

  constructor(private readonly options: RulesWorkspaceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get router(): Router {
    return this.options.router;
  }

  get territory(): TerritoryIndex {
    return this.options.territory;
  }

  get history(): RulesHistoryPort {
    return this.options.history;
  }

  // ── reading ────────────────────────────────────────────────────────────────

  async liveFiles(): Promise<RuleFiles> {
    const names = (await readdir(this.options.rulesDir)).filter((n) => n.endsWith('.json') && n !== SCHEMA_FILE).sort();
    const files: RuleFiles = {};
    for (const name of names) files[name] = await readFile(join(this.options.rulesDir, name), 'utf8');
    return files;
  }

  /** The live set as loaded rules (for cards and traces), reloaded when the router's version moves. */
  async liveSet(): Promise<RuleSet> {
    const version = this.options.router.rulesVersion;
    if (this.live?.version !== version) {
      const set = await loadRuleSet({ rulesDir: this.options.rulesDir, actorsFile: this.options.actorsFile, territory: this.options.territory });
      this.live = { version: set.version, set };
    }
    return this.live.set;
  }

  draft(account: Account): Promise<RuleDraft | undefined> {
    return this.options.history.draft(account.id);
  }

  /** The history, oldest first; also kept for `versionsSeen` (pages that name versions). */
  async versions(): Promise<RulesVersionEntry[]> {
    this.knownVersions = await this.options.history.list();
    return this.knownVersions;
  }

  /** The history as last read by `versions()` (no I/O, for text built synchronously). */
  versionsSeen(): readonly RulesVersionEntry[] {
    return this.knownVersions;
  }

  /** Live files with the draft's changes applied. */
  async draftFiles(draft: RuleDraft | undefined, live?: RuleFiles): Promise<RuleFiles> {
    const files = { ...(live ?? (await this.liveFiles())) };
    for (const [name, f] of Object.entries(draft?.files ?? {})) {
      if (f.content === null) delete files[name];
      else files[name] = f.content;
    }
    return files;
  }

  /** The loader's checks on a temporary copy of these files (and the live actors). */
  async validate(files: RuleFiles): Promise<Validation> {
    const dir = await mkdtemp(join(tmpdir(), 'aiguillage-regles-'));
    try {
      for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
      const set = await loadRuleSet({ rulesDir: dir, actorsFile: this.options.actorsFile, territory: this.options.territory });
      return { ok: true, set: { ...set, rules: set.rules.map((r) => ({ ...r, file: r.file.replace(/^.*[\\/]/, '') })) } };
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      return { ok: false, issues: error.issues.map((i) => ({ ...i, file: i.file.startsWith(dir) ? `rules/${i.file.slice(dir.length + 1)}` : i.file })) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** A router over these files (draft simulations and coverage); cached by content. */
  async routerFor(files: RuleFiles): Promise<{ router: Router; set: RuleSet } | { issues: RuleIssue[] }> {
    const key = hashFiles(files);
    let entry = this.routers.get(key);
    if (!entry) {
      entry = (async () => {
        const dir = await mkdtemp(join(tmpdir(), 'aiguillage-brouillon-'));
        try {
          for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
          // The router reads its files once here (no watch): the copy can go right after.
          const router = await createRouter({ rulesDir: dir, actorsFile: this.options.actorsFile, territory: this.options.territory });
          const set = await loadRuleSet({ rulesDir: dir, actorsFile: this.options.actorsFile, territory: this.options.territory });
          return { router, set: { ...set, rules: set.rules.map((r) => ({ ...r, file: r.file.replace(/^.*[\\/]/, '') })) } };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      })();
      this.routers.set(key, entry);
      if (this.routers.size > 6) this.routers.delete(this.routers.keys().next().value!);
    }
    try {
      return await entry;
    } catch (error) {
      this.routers.delete(key);
      if (error instanceof RulesError) return { issues: error.issues };
      throw error;
    }
  }

  /** Coverage over these EPCIs, cached a few minutes per rules version (absences move with days). */
  coverageOf(router: Router, epcis: string[]): Promise<CoverageReport> {
    const key = `${router.rulesVersion}|${epcis.join(',')}`;
    const cached = this.coverages.get(key);
    if (cached && this.now().getTime() - cached.at < 5 * 60_000) return cached.report;
    const report = coverage(router, this.options.territory, epcis);
    this.coverages.set(key, { at: this.now().getTime(), report });
    if (this.coverages.size > 20) this.coverages.delete(this.coverages.keys().next().value!);
    report.catch(() => this.coverages.delete(key));
    return report;
  }

  async diff(account: Account): Promise<FileDiff[]> {
    const live = await this.liveFiles();
    return diffRuleFiles(live, await this.draftFiles(await this.draft(account), live));
  }

  // ── editing the draft ──────────────────────────────────────────────────────

  private async change(account: Account, file: string, content: string | null): Promise<void> {
    if (!FILE_NAME.test(file) || file === SCHEMA_FILE) throw new Error(`nom de fichier refusé : ${file}`);
    const live = await this.liveFiles();
    const at = this.now().toISOString();
    const draft: RuleDraft = structuredClone(await this.draft(account)) ?? { accountId: account.id, baseVersion: this.options.router.rulesVersion, createdAt: at, updatedAt: at, files: {} };
    const base = draft.files[file]?.base ?? live[file] ?? null;
    if (content === base) delete draft.files[file];
    else draft.files[file] = { base, content };
    draft.updatedAt = at;
    if (Object.keys(draft.files).length === 0) await this.options.history.deleteDraft(account.id);
    else await this.options.history.saveDraft(draft);
  }

  /** The file's text in this account's draft (live text when untouched). */
  async fileText(account: Account, file: string): Promise<string | undefined> {
    return (await this.draftFiles(await this.draft(account)))[file];
  }

  /** The files once one rule (or one file) is replaced: what "validate as you type" checks. */
  async candidate(account: Account, edit: { file: string; text: string; mode: 'rule' | 'file'; originalName: string | null }): Promise<{ files: RuleFiles } | { message: string }> {
    const files = await this.draftFiles(await this.draft(account));
    if (edit.mode === 'file') {
      try {
        JSON.parse(edit.text);
      } catch (error) {
        return { message: jsonErrorText(edit.text, error) };
      }
      return { files: { ...files, [edit.file]: edit.text.endsWith('\n') ? edit.text : `${edit.text}\n` } };
    }
    let rule: { name?: unknown };
    try {
      rule = JSON.parse(edit.text) as { name?: unknown };
    } catch (error) {
      return { message: jsonErrorText(edit.text, error) };
    }
    if (!rule || typeof rule !== 'object' || Array.isArray(rule)) return { message: 'Une règle est un objet JSON : { "name": …, "conditions": …, "event": … }.' };
    const current = files[edit.file];
    if (current === undefined) return { message: `Fichier inconnu : ${edit.file}.` };
    let data: { rules?: Array<{ name?: unknown }> };
    try {
      data = JSON.parse(current) as typeof data;
    } catch (error) {
      return { message: `rules/${edit.file} n’est pas lisible dans votre brouillon (${jsonErrorText(current, error)}) : corrigez d’abord le fichier entier.` };
    }
    const rules = Array.isArray(data.rules) ? [...data.rules] : [];
    const index = edit.originalName === null ? -1 : rules.findIndex((r) => r?.name === edit.originalName);
    if (edit.originalName !== null && index < 0) return { message: `La règle « ${edit.originalName} » n’existe plus dans rules/${edit.file}.` };
    if (index >= 0) rules[index] = rule;
    else rules.push(rule);
    return { files: { ...files, [edit.file]: formatJson({ ...data, rules }) } };
  }

  /** Saves an edit into the draft, valid or not (the draft page lists the problems). */
  async saveEdit(account: Account, edit: { file: string; text: string; mode: 'rule' | 'file'; originalName: string | null }): Promise<Outcome<Validation>> {
    const candidate = await this.candidate(account, edit);
    if ('message' in candidate) return { ok: false, message: candidate.message };
    await this.change(account, edit.file, candidate.files[edit.file]!);
    return { ok: true, value: await this.validate(candidate.files) };
  }

  async deleteRule(account: Account, file: string, name: string): Promise<Outcome> {
    const current = await this.fileText(account, file);
    if (current === undefined) return { ok: false, message: `Fichier inconnu : ${file}.` };
    let data: { rules?: Array<{ name?: unknown }> };
    try {
      data = JSON.parse(current) as typeof data;
    } catch (error) {
      return { ok: false, message: jsonErrorText(current, error) };
    }
    const rules = (data.rules ?? []).filter((r) => r?.name !== name);
    if (rules.length === (data.rules ?? []).length) return { ok: false, message: `Règle « ${name} » introuvable dans rules/${file}.` };
    await this.change(account, file, formatJson({ ...data, rules }));
    return { ok: true };
  }

  discard(account: Account): Promise<void> {
    return this.options.history.deleteDraft(account.id);
  }

  // ── publishing ─────────────────────────────────────────────────────────────

  /** Writes `files` as the live set, reloads the router, records the version. One at a time. */
  private install(account: Account, files: RuleFiles, entry: { kind: 'publish' | 'rollback'; message: string; restored?: number }): Promise<Outcome<RulesVersionEntry>> {
    return lock.run(`rules:${this.options.rulesDir}`, async () => {
      const validation = await this.validate(files);
      if (!validation.ok) return { ok: false, message: 'Le jeu de règles n’est pas valide : rien n’a été publié.', issues: validation.issues };
      const live = await this.liveFiles();
      const previous = this.options.router.rulesVersion;
      await this.baseline(live);
      await this.write(files, live);
      const result = await this.options.router.reload();
      if (!result.ok) {
        // Something moved under us (the actors file?): put the previous files back.
        await this.write(live, files);
        await this.options.router.reload();
        return { ok: false, message: `Publication annulée, le jeu précédent reste en ligne : ${result.message}` };
      }
      // The shared publication is the commit point when instances share a database.
      await this.options.publish?.('rules', account.email);
      const saved = await this.options.history.add(
        { version: result.rulesVersion, at: this.now().toISOString(), author: { id: account.id, email: account.email }, message: entry.message, kind: entry.kind, restored: entry.restored },
        files,
      );
      const changed = diffRuleFiles(live, files).map((d) => d.file);
      await this.options.audit.record({
        by: who(account),
        action: entry.kind === 'publish' ? 'rules.publish' : 'rules.rollback',
        target: result.rulesVersion,
        summary:
          entry.kind === 'publish'
            ? `Règles publiées (version ${result.rulesVersion}, n° ${saved.n}) : ${entry.message}`
            : `Retour aux règles du n° ${entry.restored} (version ${result.rulesVersion}, n° ${saved.n}) : ${entry.message}`,
        details: { previous, files: changed },
      });
      return { ok: true, value: saved };
    });
  }

  /** The live files become a version of their own first, when the history does not know them. */
  private async baseline(live: RuleFiles): Promise<void> {
    const entries = await this.options.history.list();
    const version = this.options.router.rulesVersion;
    if (entries.at(-1)?.version === version) return;
    await this.options.history.add(
      {
        version,
        at: this.now().toISOString(),
        author: { id: 'system', email: 'système' },
        message: entries.length === 0 ? 'Règles en service avant la première publication depuis le back-office' : 'Règles modifiées hors du back-office (fichiers ou dépôt)',
        kind: entries.length === 0 ? 'initial' : 'external',
      },
      live,
    );
  }

  private async write(files: RuleFiles, current: RuleFiles): Promise<void> {
    for (const [name, text] of Object.entries(files)) {
      if (current[name] !== text) await writeFileAtomic(join(this.options.rulesDir, name), text, 0o644);
    }
    for (const name of Object.keys(current)) if (!(name in files)) await unlink(join(this.options.rulesDir, name)).catch(() => undefined);
  }

  async publish(account: Account, message: string): Promise<Outcome<RulesVersionEntry>> {
    const text = message.trim();
    if (text.length < 3) return { ok: false, message: 'Décrivez la modification en quelques mots (message de publication).' };
    const draft = await this.draft(account);
    if (!draft) return { ok: false, message: 'Aucun brouillon à publier.' };
    const live = await this.liveFiles();
    const conflicts = Object.entries(draft.files).filter(([name, f]) => (live[name] ?? null) !== f.base).map(([name]) => `rules/${name}`);
    if (conflicts.length) {
      return { ok: false, message: `Ces fichiers ont changé en ligne depuis le début de votre brouillon : ${conflicts.join(', ')}. Abandonnez le brouillon et refaites la modification sur la version en ligne.` };
    }
    const outcome = await this.install(account, await this.draftFiles(draft, live), { kind: 'publish', message: text.slice(0, 300) });
    if (outcome.ok) await this.options.history.deleteDraft(account.id);
    return outcome;
  }

  async rollback(account: Account, n: number, message: string): Promise<Outcome<RulesVersionEntry>> {
    const entry = await this.options.history.get(n);
    if (!entry) return { ok: false, message: `Version n° ${n} introuvable.` };
    const files = await this.options.history.files(n);
    return this.install(account, files, { kind: 'rollback', message: message.trim().slice(0, 300) || `retour à la version ${entry.version}`, restored: n });
  }
}
