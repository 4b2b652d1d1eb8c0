// French reasons a holder can read, rendered from a rule's template and the holder's profile.
// Every placeholder has a neutral wording when the value is unknown, so a sentence never shows
// "null" or an empty hole.
import { atCommune, NEED_LABELS, SECTOR_LABELS, type ProjectType, type Stage } from '../domain/profile.js';
import type { HolderContext } from './facts.js';

const STAGE_PHRASES: Record<Stage, string> = {
  idee: 'au stade de l’idée',
  creation: 'en création',
  developpement: 'en développement',
};

const PROJECT_TYPE_PHRASES: Record<ProjectType, string> = {
  individuel: 'porté par une seule personne',
  collectif: 'porté par un collectif',
  multi_acteurs: 'porté par plusieurs structures',
};

// "en Vendée", "dans le Morbihan": the article depends on the name; served departments first.
const DEPARTEMENT_PHRASES: Record<string, string> = {
  '44': 'en Loire-Atlantique',
  '85': 'en Vendée',
  '49': 'en Maine-et-Loire',
  '53': 'en Mayenne',
  '72': 'dans la Sarthe',
  '35': 'en Ille-et-Vilaine',
  '56': 'dans le Morbihan',
};

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function frenchList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} et ${items[items.length - 1]}`;
}

type Placeholder = (holder: HolderContext, actorName: string) => string;

export const PLACEHOLDERS: Record<string, Placeholder> = {
  lieu: ({ names, place }) => {
    if (names.commune) return atCommune(names.commune);
    if (names.epci) return `sur le territoire de ${names.epci}`;
    if (place.departement) return DEPARTEMENT_PHRASES[place.departement] ?? `dans le département ${names.departement ?? place.departement}`;
    return 'sur votre territoire';
  },
  commune: ({ names }) => names.commune ?? 'votre commune',
  epci: ({ names }) => names.epci ?? 'votre intercommunalité',
  departement: ({ names, place }) =>
    place.departement ? (DEPARTEMENT_PHRASES[place.departement] ?? `dans le département ${names.departement ?? place.departement}`) : 'dans votre département',
  stade: ({ profile }) => (profile.stage ? STAGE_PHRASES[profile.stage] : 'à un stade encore à préciser'),
  secteur: ({ profile }) => (profile.sector ? lowerFirst(SECTOR_LABELS[profile.sector]) : 'votre domaine d’activité'),
  besoins: ({ profile }) => (profile.needs.length ? frenchList(profile.needs.map((n) => lowerFirst(NEED_LABELS[n]))) : 'vos besoins'),
  forme: ({ profile }) => (profile.projectType ? PROJECT_TYPE_PHRASES[profile.projectType] : 'tel que vous le portez'),
  acteur: (_holder, actorName) => actorName,
};

const PLACEHOLDER_RE = /\{([a-zA-Z]+)\}/g;

/** Placeholders of a template that the renderer does not know (checked when rules load). */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_RE)].map((m) => m[1]!).filter((name) => !(name in PLACEHOLDERS));
}

export function renderReason(template: string, holder: HolderContext, actorName: string): string {
  const text = template.replace(PLACEHOLDER_RE, (whole, name: string) => PLACEHOLDERS[name]?.(holder, actorName) ?? whole);
  return text.charAt(0).toUpperCase() + text.slice(1);
}
