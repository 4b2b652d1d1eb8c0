// The qualified project of a holder (porteur de projet). Stable codes: DESIGN.md §3.
import { z } from 'zod';

export const STAGES = ['idee', 'creation', 'developpement'] as const;
export const SECTORS = [
  'services_personnes',
  'alimentation',
  'habitat',
  'dechets_ressources',
  'numerique',
  'mobilite',
  'energie',
  'culture_loisirs',
  'insertion_emploi',
  'autre',
] as const;
export const PROJECT_TYPES = ['individuel', 'collectif', 'multi_acteurs'] as const;
export const NEEDS = [
  'financement',
  'juridique',
  'gouvernance',
  'modele_economique',
  'local',
  'emploi',
  'reseau',
  'formation',
] as const;

/** Activity that a chamber serves (CMA: artisanat, CCI: commerce); `autre` = neither. */
export const TRADES = ['artisanat', 'commerce', 'autre'] as const;

export type Stage = (typeof STAGES)[number];
export type Trade = (typeof TRADES)[number];
export type Sector = (typeof SECTORS)[number];
export type ProjectType = (typeof PROJECT_TYPES)[number];
export type Need = (typeof NEEDS)[number];

/** An official place: INSEE code (commune), SIREN (EPCI), with its official name. */
export const placeRefSchema = z.object({ code: z.string().min(1), nom: z.string().min(1) });
export type PlaceRef = z.infer<typeof placeRefSchema>;

/**
 * What the command line `qualify` prints and `route` reads (DESIGN.md §5).
 * Unknown is `null`, never a guess.
 */
export const profileSchema = z.object({
  stage: z.enum(STAGES).nullable(),
  sector: z.enum(SECTORS).nullable(),
  projectType: z.enum(PROJECT_TYPES).nullable(),
  needs: z.array(z.enum(NEEDS)),
  commune: placeRefSchema.nullable(),
  epci: placeRefSchema.nullable(),
  departement: z.string().regex(/^(\d{2}|2A|2B|\d{3})$/).nullable(),
  // Facts a receptionist distinguishes (additions: absent in older input = unknown).
  /** The project installs a farm or a vineyard (production, livestock, land), not food retail. */
  agriculturalInstallation: z.boolean().nullable().default(null),
  /** Taking over or handing over an existing business (reprise, transmission). */
  takeover: z.boolean().nullable().default(null),
  /** A cooperative form is named (Scop, Scic, CAE, coopérative), as distinct from an association. */
  cooperativeForm: z.boolean().nullable().default(null),
  /** An existing structure that already employs staff (the DLA's public). */
  employerStructure: z.boolean().nullable().default(null),
  /** Craft or commerce activity (the chambers' publics). */
  trade: z.enum(TRADES).nullable().default(null),
  /** The holder is under 26 (the Mission Locale's public); no age is stored. */
  youngHolder: z.boolean().nullable().default(null),
});
export type Profile = z.infer<typeof profileSchema>;

/** The yes/no facts of a Profile, in the order a receptionist would check them. */
export const BOOLEAN_FACTS = ['agriculturalInstallation', 'takeover', 'cooperativeForm', 'employerStructure', 'youngHolder'] as const;
export type BooleanFact = (typeof BOOLEAN_FACTS)[number];

export function emptyProfile(): Profile {
  return {
    stage: null,
    sector: null,
    projectType: null,
    needs: [],
    commune: null,
    epci: null,
    departement: null,
    agriculturalInstallation: null,
    takeover: null,
    cooperativeForm: null,
    employerStructure: null,
    trade: null,
    youngHolder: null,
  };
}

/** French labels shown to holders and staff. */
export const STAGE_LABELS: Record<Stage, string> = {
  idee: 'Idée, émergence',
  creation: 'Création, lancement',
  developpement: 'Développement d’une structure existante',
};
export const SECTOR_LABELS: Record<Sector, string> = {
  services_personnes: 'Services aux personnes',
  alimentation: 'Alimentation, circuits courts, agriculture',
  habitat: 'Habitat',
  dechets_ressources: 'Réemploi, déchets, ressources',
  numerique: 'Numérique',
  mobilite: 'Mobilité',
  energie: 'Énergie',
  culture_loisirs: 'Culture, loisirs, sport',
  insertion_emploi: 'Insertion, emploi',
  autre: 'Autre',
};
export const PROJECT_TYPE_LABELS: Record<ProjectType, string> = {
  individuel: 'Seul ou seule',
  collectif: 'En groupe, en association',
  multi_acteurs: 'Avec plusieurs structures',
};
export const NEED_LABELS: Record<Need, string> = {
  financement: 'Financement',
  juridique: 'Statut juridique',
  gouvernance: 'Gouvernance',
  modele_economique: 'Modèle économique',
  local: 'Local, lieu',
  emploi: 'Recrutement, emploi',
  reseau: 'Partenaires, réseau',
  formation: 'Formation',
};
export const TRADE_LABELS: Record<Trade, string> = {
  artisanat: 'Artisanat',
  commerce: 'Commerce',
  autre: 'Ni l’un ni l’autre',
};
/** Labels of the yes/no facts, as a statement about the project (staff and summaries). */
export const BOOLEAN_FACT_LABELS: Record<BooleanFact, string> = {
  agriculturalInstallation: 'Installation agricole ou viticole',
  takeover: 'Reprise ou transmission d’entreprise',
  cooperativeForm: 'Forme coopérative (Scop, Scic, CAE)',
  employerStructure: 'Structure qui emploie déjà des salariés',
  youngHolder: 'Porteur ou porteuse de moins de 26 ans',
};

/** « à Vallet », « au Landreau », « aux Sorinières »: the commune's article contracts with à. */
export function atCommune(nom: string): string {
  if (nom.startsWith('Le ')) return `au ${nom.slice(3)}`;
  if (nom.startsWith('Les ')) return `aux ${nom.slice(4)}`;
  return `à ${nom}`;
}
