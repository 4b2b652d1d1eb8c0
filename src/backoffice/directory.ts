// Editing the directory (data/actors.json) and the partner sites (data/partners.json) with the
// same validation as at load: an actor through its zod schema (French messages) and then the
// whole rule set against the new file (a rule must not lose its actor, a zone must exist); a
// partner through the partners file schema. Files are written atomically; the router reloads
// and the live partner directory swaps, so changes apply without a restart.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { actorSchema, type Actor } from '../domain/actor.js';
import { partnerSchema, partnersFileSchema, type Partner } from '../domain/partner.js';
import { PartnerDirectory } from '../channels/partners.js';
import { loadRuleSet, RulesError, type Router } from '../routing/index.js';
import type { Account } from '../store/accountStore.js';
import type { AuditLogPort } from '../store/auditLog.js';
import { writeFileAtomic } from '../store/durableFile.js';
import { KeyedLock } from '../store/keyedLock.js';
import type { TerritoryIndex } from '../territory/types.js';
import { who } from './accounts.js';
import type { Publish } from './publication.js';
import { formatJson } from './rulesWorkspace.js';

const frenchErrors = { error: z.locales.fr().localeError } as unknown as z.core.ParseContext<z.core.$ZodIssue>;

export interface FieldIssue {
  /** Dotted path (`notification.email`, `absences.0.to`), empty for the whole object. */
  path: string;
  message: string;
}

export type SaveResult<T> = { ok: true; value: T; changed: string[] } | { ok: false; issues: FieldIssue[] };

function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** Names of the top-level fields that differ. */
function changedFields(before: Record<string, unknown> | undefined, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  return [...keys].filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after[k])).sort();
}

/** The partner directory the channel reads, swapped in place when the file changes. */
export class LivePartnerDirectory extends PartnerDirectory {
  private current: PartnerDirectory;

  constructor(initial: PartnerDirectory) {
    super([]);
    this.current = initial;
  }

  replace(next: PartnerDirectory): void {
    this.current = next;
  }

  override get(id: string | undefined): Partner | undefined {
    return this.current.get(id);
  }
  override all(): Partner[] {
    return this.current.all();
  }
  override greetingName(id: string): string | undefined {
    return this.current.greetingName(id);
  }
  override allows(partnerId: string | undefined, origin: string): boolean {
    return this.current.allows(partnerId, origin);
  }
  override findByOrigin(origin: string): Partner | undefined {
    return this.current.findByOrigin(origin);
  }
  override publicConfig(id: string) {
    return this.current.publicConfig(id);
  }
}

export interface DirectoryOptions {
  router: Router;
  territory: TerritoryIndex;
  rulesDir: string;
  actorsFile: string;
  partnersFile: string;
  partners: LivePartnerDirectory;
  audit: AuditLogPort;
  /** Several instances: records the saved file as the shared publication (the database's). */
  publish?: Publish;
}

const lock = new KeyedLock();

export class DirectoryEditor {
  constructor(private readonly options: DirectoryOptions) {}

  private async actorsDocument(): Promise<{ [key: string]: unknown; actors: Record<string, unknown>[] }> {
    return JSON.parse(await readFile(this.options.actorsFile, 'utf8')) as { actors: Record<string, unknown>[] };
  }

  /** The actor as written in the file (with fields the form does not show kept as they are). */
  async rawActor(id: string): Promise<Record<string, unknown> | undefined> {
    return (await this.actorsDocument()).actors.find((a) => a.id === id);
  }

  /** Saves one actor (new when `originalId` is null). */
  saveActor(account: Account, originalId: string | null, input: Record<string, unknown>): Promise<SaveResult<Actor>> {
    return lock.run('actors', async () => {
      const parsed = actorSchema.safeParse(input, frenchErrors);
      if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error) };
      const actor = parsed.data;
      const doc = await this.actorsDocument();
      const index = originalId === null ? -1 : doc.actors.findIndex((a) => a.id === originalId);
      if (originalId !== null && index < 0) return { ok: false, issues: [{ path: '', message: `Structure « ${originalId} » introuvable.` }] };
      if (originalId !== null && actor.id !== originalId) return { ok: false, issues: [{ path: 'id', message: 'L’identifiant d’une structure ne change pas : les règles et les orientations y renvoient.' }] };
      if (originalId === null && doc.actors.some((a) => a.id === actor.id)) return { ok: false, issues: [{ path: 'id', message: `L’identifiant « ${actor.id} » est déjà pris.` }] };
      const before = index >= 0 ? doc.actors[index] : undefined;
      const actors = [...doc.actors];
      if (index >= 0) actors[index] = actor;
      else actors.push(actor);
      const text = formatJson({ ...doc, actors });

      // The loader's checks with this actors file and the live rules.
      const dir = await mkdtemp(join(tmpdir(), 'aiguillage-acteurs-'));
      try {
        const file = join(dir, 'actors.json');
        await writeFile(file, text);
        await loadRuleSet({ rulesDir: this.options.rulesDir, actorsFile: file, territory: this.options.territory });
      } catch (error) {
        if (!(error instanceof RulesError)) throw error;
        return { ok: false, issues: error.issues.map((i) => ({ path: '', message: `${i.rule ? `règle « ${i.rule} » : ` : ''}${i.message}` })) };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }

      await writeFileAtomic(this.options.actorsFile, text, 0o644);
      const reload = await this.options.router.reload();
      if (!reload.ok) return { ok: false, issues: [{ path: '', message: reload.message }] };
      await this.options.publish?.('actors', account.email);
      const changed = changedFields(before, actor as unknown as Record<string, unknown>);
      await this.options.audit.record({
        by: who(account),
        action: before ? 'actor.update' : 'actor.create',
        target: actor.id,
        summary: before ? `Structure « ${actor.name} » modifiée (${changed.join(', ')}).` : `Structure « ${actor.name} » ajoutée à l’annuaire.`,
        details: { changed, rulesVersion: reload.rulesVersion },
      });
      return { ok: true, value: actor, changed };
    });
  }

  private async partnersDocument(): Promise<{ [key: string]: unknown; partners: Record<string, unknown>[] }> {
    return JSON.parse(await readFile(this.options.partnersFile, 'utf8')) as { partners: Record<string, unknown>[] };
  }

  async rawPartner(id: string): Promise<Record<string, unknown> | undefined> {
    return (await this.partnersDocument()).partners.find((p) => p.id === id);
  }

  savePartner(account: Account, originalId: string | null, input: Record<string, unknown>): Promise<SaveResult<Partner>> {
    return lock.run('partners', async () => {
      const parsed = partnerSchema.safeParse(input, frenchErrors);
      if (!parsed.success) return { ok: false, issues: issuesOf(parsed.error) };
      const partner = parsed.data;
      const doc = await this.partnersDocument();
      const index = originalId === null ? -1 : doc.partners.findIndex((p) => p.id === originalId);
      if (originalId !== null && index < 0) return { ok: false, issues: [{ path: '', message: `Site partenaire « ${originalId} » introuvable.` }] };
      if (originalId !== null && partner.id !== originalId) return { ok: false, issues: [{ path: 'id', message: 'L’identifiant d’un site partenaire ne change pas : il figure dans le code intégré au site.' }] };
      const before = index >= 0 ? doc.partners[index] : undefined;
      const partners = [...doc.partners];
      if (index >= 0) partners[index] = partner;
      else partners.push(partner);
      const file = partnersFileSchema.safeParse({ ...doc, partners }, frenchErrors);
      if (!file.success) return { ok: false, issues: issuesOf(file.error) };
      for (const code of partner.defaultTerritory?.epci ?? []) {
        if (!this.options.territory.epci(code)) return { ok: false, issues: [{ path: 'defaultTerritory.epci', message: `EPCI inconnu « ${code} » (SIREN).` }] };
      }
      await writeFileAtomic(this.options.partnersFile, formatJson({ ...doc, partners }), 0o644);
      this.options.partners.replace(new PartnerDirectory(file.data.partners));
      await this.options.publish?.('partners', account.email);
      const changed = changedFields(before, partner as unknown as Record<string, unknown>);
      await this.options.audit.record({
        by: who(account),
        action: before ? 'partner.update' : 'partner.create',
        target: partner.id,
        summary: before ? `Site partenaire « ${partner.name} » modifié (${changed.join(', ')}).` : `Site partenaire « ${partner.name} » ajouté.`,
        details: { changed },
      });
      return { ok: true, value: partner, changed };
    });
  }
}
