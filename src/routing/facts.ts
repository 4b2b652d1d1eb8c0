// The facts rules can test (the catalogue documented in rules/README.md), and how they are
// computed from a Profile and the territory index.
import { NEEDS, PROJECT_TYPES, SECTORS, STAGES, TRADES, type Profile } from '../domain/profile.js';
import type { PlaceCodes } from '../domain/actor.js';
import type { TerritoryIndex } from '../territory/types.js';

/** How a fact may be compared: scalar facts with equal/in, list facts with contains. */
export type FactKind = 'enum' | 'enumList' | 'code' | 'idList' | 'boolean';

export interface FactSpec {
  kind: FactKind;
  label: string;
  /** Allowed values of enum facts; null for codes checked by pattern (and against the territory). */
  values: readonly string[] | null;
  pattern?: RegExp;
  /** How the value is obtained, for the README. */
  source: string;
}

export const FACTS = {
  stage: { kind: 'enum', label: 'Stade du projet', values: STAGES, source: 'profil' },
  sector: { kind: 'enum', label: 'Secteur, filière', values: SECTORS, source: 'profil' },
  projectType: { kind: 'enum', label: 'Forme du projet', values: PROJECT_TYPES, source: 'profil' },
  needs: { kind: 'enumList', label: 'Besoins exprimés', values: NEEDS, source: 'profil' },
  commune: { kind: 'code', label: 'Commune (code INSEE)', values: null, pattern: /^(\d{5}|2[AB]\d{3})$/, source: 'profil' },
  epci: { kind: 'code', label: 'Intercommunalité (SIREN de l’EPCI)', values: null, pattern: /^\d{9}$/, source: 'profil, sinon EPCI de la commune' },
  departement: { kind: 'code', label: 'Département', values: null, pattern: /^(\d{2}|2A|2B|97\d)$/, source: 'profil, sinon département de la commune ou de l’EPCI' },
  region: { kind: 'code', label: 'Région (code INSEE)', values: null, pattern: /^\d{2,3}$/, source: 'région du département' },
  territory: { kind: 'idList', label: 'Territoires nommés (ex. vignoble-nantais)', values: null, pattern: /^[a-z0-9]+(-[a-z0-9]+)*$/, source: 'territoires nommés contenant l’EPCI' },
  servedArea: { kind: 'boolean', label: 'Dans la zone desservie par Aiguillage', values: null, source: 'département parmi les départements desservis ; null si le lieu est inconnu' },
  agriculturalInstallation: { kind: 'boolean', label: 'Installation agricole ou viticole', values: null, source: 'profil (data/lexicons/facts.json) ; null si inconnu' },
  takeover: { kind: 'boolean', label: 'Reprise ou transmission d’entreprise', values: null, source: 'profil (data/lexicons/facts.json) ; null si inconnu' },
  cooperativeForm: { kind: 'boolean', label: 'Forme coopérative (Scop, Scic, CAE)', values: null, source: 'profil (data/lexicons/facts.json) ; null si inconnu' },
  employerStructure: { kind: 'boolean', label: 'Structure qui emploie déjà des salariés', values: null, source: 'profil (data/lexicons/facts.json, effectif cité) ; null si inconnu' },
  trade: { kind: 'enum', label: 'Artisanat ou commerce', values: TRADES, source: 'profil (data/lexicons/facts.json)' },
  youngHolder: { kind: 'boolean', label: 'Porteur ou porteuse de moins de 26 ans', values: null, source: 'profil (âge cité ou data/lexicons/facts.json) ; jamais l’âge lui-même' },
} as const satisfies Record<string, FactSpec>;

export type FactName = keyof typeof FACTS;
export const FACT_NAMES = Object.keys(FACTS) as FactName[];

/** Operators of json-rules-engine allowed per fact kind (no numeric fact, so no lessThan…). */
export const OPERATORS_BY_KIND: Record<FactKind, readonly string[]> = {
  enum: ['equal', 'notEqual', 'in', 'notIn'],
  code: ['equal', 'notEqual', 'in', 'notIn'],
  boolean: ['equal', 'notEqual'],
  enumList: ['contains', 'doesNotContain'],
  idList: ['contains', 'doesNotContain'],
};
export const OPERATORS = ['equal', 'notEqual', 'in', 'notIn', 'contains', 'doesNotContain'] as const;

export interface RoutingFacts {
  stage: Profile['stage'];
  sector: Profile['sector'];
  projectType: Profile['projectType'];
  needs: Profile['needs'];
  commune: string | null;
  epci: string | null;
  departement: string | null;
  region: string | null;
  territory: string[];
  servedArea: boolean | null;
  agriculturalInstallation: boolean | null;
  takeover: boolean | null;
  cooperativeForm: boolean | null;
  employerStructure: boolean | null;
  trade: Profile['trade'];
  youngHolder: boolean | null;
}

/** Names used in French reasons; null when unknown. */
export interface PlaceNames {
  commune: string | null;
  epci: string | null;
  departement: string | null;
}

export interface HolderContext {
  facts: RoutingFacts;
  place: PlaceCodes;
  names: PlaceNames;
  profile: Profile;
}

/** Department of an EPCI when all its communes share one (Redon Agglomération spans three). */
function departementOfEpci(territory: TerritoryIndex, epciCode: string): string | null {
  const deps = new Set(territory.communesOfEpci(epciCode).map((c) => c.departement));
  return deps.size === 1 ? [...deps][0]! : null;
}

export function holderContext(profile: Profile, territory: TerritoryIndex): HolderContext {
  const commune = profile.commune ? territory.commune(profile.commune.code) : undefined;
  const epciCode = profile.epci?.code ?? commune?.epci?.code ?? null;
  const epci = epciCode ? territory.epci(epciCode) : undefined;
  const departement = profile.departement ?? commune?.departement ?? (epciCode ? departementOfEpci(territory, epciCode) : null);
  const dep = departement ? territory.departement(departement) : undefined;
  const region = commune?.region ?? dep?.region ?? null;

  let servedArea: boolean | null = null;
  if (departement) servedArea = territory.servedDepartements.includes(departement);
  else if (epciCode) servedArea = territory.communesOfEpci(epciCode).some((c) => territory.servedDepartements.includes(c.departement));

  const facts: RoutingFacts = {
    stage: profile.stage,
    sector: profile.sector,
    projectType: profile.projectType,
    needs: profile.needs,
    commune: profile.commune?.code ?? null,
    epci: epciCode,
    departement,
    region,
    territory: epciCode ? territory.namedTerritoriesOfEpci(epciCode).map((t) => t.id) : [],
    servedArea,
    // Older stored profiles have no such field: unknown.
    agriculturalInstallation: profile.agriculturalInstallation ?? null,
    takeover: profile.takeover ?? null,
    cooperativeForm: profile.cooperativeForm ?? null,
    employerStructure: profile.employerStructure ?? null,
    trade: profile.trade ?? null,
    youngHolder: profile.youngHolder ?? null,
  };
  return {
    facts,
    place: { commune: facts.commune, epci: epciCode, departement, region },
    names: {
      commune: profile.commune?.nom ?? commune?.nom ?? null,
      epci: profile.epci?.nom ?? epci?.nom ?? commune?.epci?.nom ?? null,
      departement: dep?.nom ?? null,
    },
    profile,
  };
}
