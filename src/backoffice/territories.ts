// Territories as tenants of the back office. A territory is a named territory of
// data/territory/named-territories.json (one source of truth: the rules fact `territory`, the
// offer page /offre/<id> and the coordinators' scope all read it); its partner sites, structures,
// rules and coordinators are derived from their places, never listed twice. A coordinator with
// no territory is regional (sees and edits everything), so accounts created before keep working.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Actor } from '../domain/actor.js';
import type { Account } from '../store/accountStore.js';
import { DEFAULT_TERRITORY_DIR, namedTerritoriesSchema } from '../territory/lexicon.js';
import type { NamedTerritory, TerritoryIndex } from '../territory/types.js';
import { writeFileAtomic } from '../store/durableFile.js';
import { splitToken } from './places.js';
import type { Publish } from './publication.js';

export const TERRITORY_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** What one account may see and edit. `null` epcis: regional (everything). */
export interface AccountScope {
  regional: boolean;
  territories: NamedTerritory[];
  epcis: ReadonlySet<string>;
}

export const REGIONAL: AccountScope = { regional: true, territories: [], epcis: new Set() };

/** The territories of a coordinator; members and regional coordinators get REGIONAL (members are scoped by actor). */
export function scopeOfAccount(account: Pick<Account, 'role' | 'territories'> | null, territories: TerritoryCatalog): AccountScope {
  const ids = account?.role === 'coordinator' ? (account.territories ?? []) : [];
  if (ids.length === 0) return REGIONAL;
  // A territory removed since: the account keeps an empty scope rather than becoming regional.
  const list = ids.map((id) => territories.get(id)).filter((t): t is NamedTerritory => t !== undefined);
  return { regional: false, territories: list, epcis: new Set(list.flatMap((t) => t.epcis)) };
}

export const epciInScope = (scope: AccountScope, epci: string | null | undefined): boolean => scope.regional || (!!epci && scope.epcis.has(epci));

/** Every zone of the actor lies inside the scope (a commune through its EPCI). */
export function actorInside(scope: AccountScope, actor: Pick<Actor, 'zones'>, territory: TerritoryIndex): boolean {
  if (scope.regional) return true;
  return actor.zones.length > 0 && actor.zones.every((z) => (z.length === 9 ? scope.epcis.has(z) : z.length === 5 ? scope.epcis.has(territory.commune(z)?.epci?.code ?? '') : false));
}

/** The actor serves part of the scope (shared structures such as the CRESS are seen, read-only). */
export function actorTouches(scope: AccountScope, actor: Pick<Actor, 'zones' | 'excludedZones'>, territory: TerritoryIndex): boolean {
  if (scope.regional) return true;
  for (const code of scope.epcis) {
    for (const c of territory.communesOfEpci(code)) {
      const place = { commune: c.code, epci: code, departement: c.departement, region: territory.departement(c.departement)?.region ?? null };
      const matches = (z: string) => (z.startsWith('region:') ? z === `region:${place.region}` : z.length === 9 ? z === place.epci : z.length === 5 ? z === place.commune : z === place.departement);
      if (actor.zones.some(matches) && !(actor.excludedZones ?? []).some(matches)) return true;
    }
  }
  return false;
}

/** A partner site belongs to the scope when its default territory's intercommunalities all do. */
export function partnerInside(scope: AccountScope, partner: { defaultTerritory?: { epci: string[] } | null }): boolean {
  if (scope.regional) return true;
  const epcis = partner.defaultTerritory?.epci ?? [];
  return epcis.length > 0 && epcis.every((e) => scope.epcis.has(e));
}

/** A rule is the territory's when it has place conditions and each lies inside the territory. */
export function placesInside(scope: AccountScope, places: string[], territory: TerritoryIndex, catalog: TerritoryCatalog): boolean {
  if (scope.regional) return true;
  return (
    places.length > 0 &&
    places.every((token) => {
      const [fact, code] = splitToken(token);
      if (fact === 'epci') return scope.epcis.has(code);
      if (fact === 'commune') return scope.epcis.has(territory.commune(code)?.epci?.code ?? '');
      if (fact === 'territory') {
        const epcis = catalog.get(code)?.epcis ?? [];
        return epcis.length > 0 && epcis.every((e) => scope.epcis.has(e));
      }
      return false;
    })
  );
}

const fileSchema = namedTerritoriesSchema;
type TerritoryEntry = z.infer<typeof fileSchema>['territories'][number];

export const newTerritorySchema = z.object({
  id: z.string().trim().regex(TERRITORY_ID, { error: 'Identifiant : lettres minuscules, chiffres et tirets (par exemple « pays-de-redon »).' }),
  nom: z.string().trim().min(2, { error: 'Indiquez le nom du territoire.' }).max(120),
  epcis: z.array(z.string().regex(/^\d{9}$/)).min(1, { error: 'Choisissez au moins une intercommunalité.' }),
  aliases: z.array(z.string().trim().min(1)).default([]),
});

/**
 * The territories file, read at start and written by the « Territoires » page. The territory
 * index (rules, /offre) reads the same file at start; a territory created here is also known to
 * the back office at once, and to the bot after the next start (the page says so).
 */
export class TerritoryCatalog {
  private entries: TerritoryEntry[];
  private comment: string | undefined;

  /** Several instances: records the saved file as the shared publication (the database's). */
  publish: Publish | undefined;

  constructor(
    private readonly territory: TerritoryIndex,
    private readonly dir: string = DEFAULT_TERRITORY_DIR,
  ) {
    const parsed = fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    this.entries = parsed.territories;
    this.comment = parsed.$comment;
  }

  /** Reads the file again (another instance published it); an invalid file leaves the list as it was. */
  reload(): void {
    const parsed = fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8')));
    this.entries = parsed.territories;
    this.comment = parsed.$comment;
  }

  get file(): string {
    return join(this.dir, 'named-territories.json');
  }

  all(): NamedTerritory[] {
    // The file as the coordination last saved it (the bot's copy is the file read at start).
    return this.entries.map((e) => ({ id: e.id, nom: e.nom, epcis: [...e.epcis] }));
  }

  get(id: string): NamedTerritory | undefined {
    return this.all().find((t) => t.id === id);
  }

  /** True when the bot knows it as saved (read at start); false: after the next start. */
  live(id: string): boolean {
    const known = this.territory.namedTerritory(id);
    const saved = this.entries.find((e) => e.id === id);
    return !!known && !!saved && known.nom === saved.nom && known.epcis.join() === saved.epcis.join();
  }

  /** Renames a territory or changes its intercommunalities (its id never changes). */
  async update(id: string, input: { nom: string; epcis: string[] }): Promise<{ ok: true; value: NamedTerritory } | { ok: false; issues: string[] }> {
    const current = this.entries.find((e) => e.id === id);
    if (!current) return { ok: false, issues: [`Territoire inconnu : « ${id} ».`] };
    const parsed = newTerritorySchema.safeParse({ id, nom: input.nom, epcis: input.epcis, aliases: current.aliases });
    if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => i.message) };
    const issues = parsed.data.epcis.filter((e) => !this.territory.epci(e)).map((e) => `Intercommunalité inconnue (SIREN ${e}).`);
    if (issues.length) return { ok: false, issues };
    const next = this.entries.map((e) => (e.id === id ? { ...e, nom: parsed.data.nom, epcis: [...new Set(parsed.data.epcis)] } : e));
    await this.write(next);
    return { ok: true, value: this.get(id)! };
  }

  private async write(territories: TerritoryEntry[]): Promise<void> {
    const doc = fileSchema.parse({ ...(this.comment ? { $comment: this.comment } : {}), territories });
    await writeFileAtomic(this.file, `${JSON.stringify(doc, null, 2)}\n`, 0o644);
    this.entries = doc.territories;
    await this.publish?.('territories');
  }

  /** Adds a territory; French messages when refused. */
  async add(input: unknown): Promise<{ ok: true; value: NamedTerritory } | { ok: false; issues: string[] }> {
    const parsed = newTerritorySchema.safeParse(input);
    if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => i.message) };
    const t = parsed.data;
    const issues: string[] = [];
    if (this.entries.some((e) => e.id === t.id)) issues.push(`L’identifiant « ${t.id} » est déjà celui d’un territoire.`);
    for (const e of t.epcis) if (!this.territory.epci(e)) issues.push(`Intercommunalité inconnue (SIREN ${e}).`);
    if (issues.length) return { ok: false, issues };
    await this.write([...this.entries, { id: t.id, nom: t.nom, epcis: [...new Set(t.epcis)], aliases: t.aliases }]);
    return { ok: true, value: this.get(t.id)! };
  }
}
