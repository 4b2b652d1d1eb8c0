// The published offer of a territory: the structures of the directory that serve it and what
// they offer, as data that the page, the CSV and the data·inclusion export all read. A territory
// is a parameter (scope): the whole service, or a named territory of src/territory (later: the
// territories coordinators create). Pure: actors and geography in, model out.
import { actorServes, ROLE_LABELS, ROLES, zoneKind, type Actor, type Role, type ZoneKind } from '../domain/actor.js';
import { SECTORS, STAGES, type Sector, type Stage } from '../domain/profile.js';
import { REGION_DEPARTEMENTS } from '../routing/index.js';
import type { Commune, NamedTerritory, TerritoryIndex } from '../territory/types.js';
import { regionName, zoneLabel } from './geography.js';

/** What is published: the whole service (`id: null`) or one named territory. */
export interface OfferScope {
  id: string | null;
  /** « Pays du Vignoble Nantais », « Pays de la Loire ». */
  name: string;
  /** The territory's intercommunalities; null for the whole service (every commune of the region). */
  epcis: string[] | null;
}

/** The whole service: the five departments of the Pays de la Loire, as `coverage --region`. */
export const WHOLE_SERVICE: OfferScope = { id: null, name: regionName('52') ?? 'Pays de la Loire', epcis: null };

export function scopeOf(territory: NamedTerritory): OfferScope {
  return { id: territory.id, name: territory.nom, epcis: [...territory.epcis] };
}

/** Every commune of the scope (the region's departments for the whole service). */
export function communesOf(scope: OfferScope, territory: TerritoryIndex): Commune[] {
  if (scope.epcis) return scope.epcis.flatMap((code) => territory.communesOfEpci(code));
  return REGION_DEPARTEMENTS.flatMap((code) => territory.communesOfDepartement(code));
}

export interface OfferStructure {
  id: string;
  name: string;
  role: Role;
  roleLabel: string;
  offer: string;
  stages: Stage[];
  /** 'all' when the structure takes every sector. */
  sectors: Sector[] | 'all';
  /** Specific public, in French (« jeunes de 16 à 25 ans »), when the structure has one. */
  publics: string | null;
  /** Public contact: the website only (notification addresses are never published). */
  website: string | null;
  zones: Array<{ code: string; label: string }>;
  excludedZones: Array<{ code: string; label: string }>;
  /** Some facts are still being checked with the organisation. */
  toConfirm: boolean;
}

export interface OfferModel {
  scope: OfferScope;
  /** Active structures serving at least one commune of the scope: local, then ESS experts, then the network head; the closest first, then by name. */
  structures: OfferStructure[];
  communes: number;
  /** Intercommunalities of a named territory (empty for the whole service). */
  epcis: Array<{ code: string; nom: string; communes: number }>;
}

const ZONE_REACH: Record<ZoneKind, number> = { commune: 0, epci: 1, departement: 2, region: 3 };

export interface OfferFilter {
  stage: Stage | null;
  sector: Sector | null;
}

export const NO_FILTER: OfferFilter = { stage: null, sector: null };

export function buildOffer(actors: readonly Actor[], territory: TerritoryIndex, scope: OfferScope): OfferModel {
  const communes = communesOf(scope, territory);
  const places = communes.map((c) => ({ commune: c.code, epci: c.epci?.code ?? null, departement: c.departement, region: c.region }));
  const serving = actors.filter((a) => a.active && places.some((place) => actorServes(a, place)));
  const order = (r: Role) => ROLES.indexOf(r);
  // Within a role, the closest first: a holder reads their intercommunality before the department's chambers.
  const reach = (a: Actor) => Math.max(...a.zones.map((z) => ZONE_REACH[zoneKind(z)]));
  const structures = serving
    .sort((a, b) => order(a.role) - order(b.role) || reach(a) - reach(b) || a.name.localeCompare(b.name, 'fr'))
    .map((a) => structureOf(a, territory));
  const epcis = (scope.epcis ?? []).map((code) => ({ code, nom: territory.epci(code)?.nom ?? code, communes: territory.communesOfEpci(code).length }));
  return { scope, structures, communes: communes.length, epcis };
}

function structureOf(actor: Actor, territory: TerritoryIndex): OfferStructure {
  const label = (code: string) => ({ code, label: zoneLabel(code, territory) });
  return {
    id: actor.id,
    name: actor.name,
    role: actor.role,
    roleLabel: ROLE_LABELS[actor.role],
    offer: actor.offer,
    stages: STAGES.filter((s) => actor.stages.includes(s)),
    sectors: actor.sectors === 'all' ? 'all' : SECTORS.filter((s) => (actor.sectors as Sector[]).includes(s)),
    publics: actor.publics ?? null,
    website: actor.website,
    zones: actor.zones.map(label),
    excludedZones: (actor.excludedZones ?? []).map(label),
    toConfirm: actor.toConfirm === true,
  };
}

export function matches(structure: OfferStructure, filter: OfferFilter): boolean {
  if (filter.stage && !structure.stages.includes(filter.stage)) return false;
  if (filter.sector && structure.sectors !== 'all' && !structure.sectors.includes(filter.sector)) return false;
  return true;
}
