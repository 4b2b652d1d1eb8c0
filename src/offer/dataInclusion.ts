// The offer in the national data·inclusion format, schema v1 (structures and services):
// one structure and one service (« accompagnement ») per structure of the offer. Mapping:
// stages → thématiques « créer une entreprise », zones → zone_eligibilite (INSEE codes; a
// region is listed as its departments, as the schema asks), the actor's specific public →
// publics. What has no counterpart (sectors, excluded zones, the promised delay…) goes into the
// description or precision texts, or nowhere: see the README. Notification addresses are never
// exported. Pure; the tests validate the output against the official JSON Schemas.
import { SECTOR_LABELS, STAGE_LABELS, type Stage } from '../domain/profile.js';
import { zoneKind } from '../domain/actor.js';
import { departementsOfRegion } from './geography.js';
import type { OfferModel, OfferStructure } from './model.js';

/** data·inclusion's `source`: the producer of the data. */
export const DI_SOURCE = 'aiguillage';
export const LICENCE = {
  name: 'Licence Ouverte / Open Licence version 2.0',
  url: 'https://www.etalab.gouv.fr/licence-ouverte-open-licence/',
} as const;

/** Address and public contact: the same fields in a structure and in a service (schema v1). */
interface DiPlace {
  adresse: string | null;
  complement_adresse: string | null;
  code_postal: string | null;
  code_insee: string | null;
  commune: string | null;
  latitude: number | null;
  longitude: number | null;
  telephone: string | null;
  courriel: string | null;
}

export interface DiStructure extends DiPlace {
  source: string;
  id: string;
  nom: string;
  date_maj: string;
  description: string | null;
  siret: string | null;
  site_web: string | null;
  lien_source: string | null;
  horaires_accueil: string | null;
  accessibilite_lieu: string | null;
  reseaux_porteurs: string[] | null;
}

export interface DiService extends DiPlace {
  source: string;
  structure_id: string;
  id: string;
  nom: string;
  description: string;
  date_maj: string;
  type: string | null;
  thematiques: string[] | null;
  publics: string[] | null;
  publics_precisions: string | null;
  conditions_acces: string | null;
  frais: string | null;
  frais_precisions: string | null;
  modes_accueil: string[] | null;
  modes_mobilisation: string[] | null;
  mobilisable_par: string[] | null;
  mobilisation_precisions: string | null;
  lien_mobilisation: string | null;
  lien_source: string | null;
  zone_eligibilite: string[] | null;
  contact_nom_prenom: string | null;
  horaires_accueil: string | null;
  nombre_semaines: number | null;
  volume_horaire_hebdomadaire: number | null;
}

/** Stages of a project → data·inclusion thématiques (référentiel « thematiques », v1). */
export const STAGE_THEMATIQUES: Record<Stage, string> = {
  idee: 'creer-une-entreprise--definir-son-projet-de-creation-dentreprise',
  creation: 'creer-une-entreprise--structurer-son-projet-de-creation-dentreprise',
  developpement: 'creer-une-entreprise--developper-son-entreprise',
};

/**
 * Networks of the directory's structures (référentiel « reseaux-porteurs »). Kept here until the
 * directory has a field for it; a structure not listed has no network (null).
 */
export const NETWORKS: Record<string, string[]> = {
  'mission-locale-vignoble': ['mission-locale'],
  'initiative-vignoble': ['initiative-france'],
  'initiative-nantes': ['initiative-france'],
  'bge-loire-atlantique': ['reseau-bge'],
  'cci-nantes-st-nazaire': ['chambres-consulaires'],
  'cma-pays-de-la-loire-44': ['chambres-consulaires'],
  'chambre-agriculture-pdl': ['chambres-consulaires'],
  'france-active-pdl': ['france-active'],
};

export interface ExportOptions {
  /** The bot server's public address: `lien_source` points to the structure on /offre. */
  publicUrl: string;
  /** Last change of the directory (YYYY-MM-DD): `date_maj`. */
  updated: string;
}

const structureId = (s: OfferStructure) => `${DI_SOURCE}--${s.id}`;
const sourceLink = (s: OfferStructure, publicUrl: string) => `${publicUrl.replace(/\/+$/, '')}/offre#structure-${s.id}`;

export function diStructures(model: OfferModel, options: ExportOptions): DiStructure[] {
  return model.structures.map((s) => ({
    source: DI_SOURCE,
    id: structureId(s),
    nom: s.name,
    date_maj: options.updated,
    description: s.offer,
    siret: null,
    adresse: null,
    complement_adresse: null,
    code_postal: null,
    code_insee: null,
    commune: null,
    latitude: null,
    longitude: null,
    telephone: null,
    courriel: null,
    site_web: s.website,
    lien_source: sourceLink(s, options.publicUrl),
    horaires_accueil: null,
    accessibilite_lieu: null,
    reseaux_porteurs: NETWORKS[s.id] ?? null,
  }));
}

export function diServices(model: OfferModel, options: ExportOptions): DiService[] {
  return model.structures.map((s) => ({
    source: DI_SOURCE,
    structure_id: structureId(s),
    id: `${structureId(s)}--accompagnement`,
    nom: serviceName(s),
    description: serviceDescription(s),
    date_maj: options.updated,
    type: 'accompagnement',
    thematiques: s.stages.map((stage) => STAGE_THEMATIQUES[stage]),
    publics: publicsOf(s.publics),
    publics_precisions: s.publics,
    conditions_acces: s.excludedZones.length ? `Sauf pour les projets situés : ${s.excludedZones.map((z) => z.label).join(', ')}.` : null,
    frais: null,
    frais_precisions: null,
    modes_accueil: null,
    modes_mobilisation: null,
    mobilisable_par: null,
    mobilisation_precisions: s.website
      ? `Prendre contact depuis le site de la structure (${s.website}), ou décrire son projet à Aiguillage, qui transmet la demande avec l’accord du porteur.`
      : 'Décrire son projet à Aiguillage, qui transmet la demande à la structure avec l’accord du porteur.',
    lien_mobilisation: null,
    lien_source: sourceLink(s, options.publicUrl),
    zone_eligibilite: zonesOf(s),
    adresse: null,
    complement_adresse: null,
    code_postal: null,
    code_insee: null,
    commune: null,
    latitude: null,
    longitude: null,
    telephone: null,
    courriel: null,
    contact_nom_prenom: null,
    horaires_accueil: null,
    nombre_semaines: null,
    volume_horaire_hebdomadaire: null,
  }));
}

/** « Accompagnement des projets de l’ESS, de l’idée au développement » (3 to 150 characters). */
function serviceName(s: OfferStructure): string {
  const from: Record<Stage, string> = { idee: 'de l’idée', creation: 'de la création', developpement: 'du développement' };
  const to: Record<Stage, string> = { idee: 'à l’idée', creation: 'à la création', developpement: 'au développement' };
  const first = s.stages[0]!;
  const last = s.stages[s.stages.length - 1]!;
  const span = first === last ? `au stade ${STAGE_LABELS[first].split(',')[0]!.toLowerCase()}` : `${from[first]} ${to[last]}`;
  return `Accompagnement des porteurs de projet, ${span}`;
}

function serviceDescription(s: OfferStructure): string {
  const stages = s.stages.map((st) => STAGE_LABELS[st].toLowerCase()).join(' ; ');
  const sectors = s.sectors === 'all' ? 'tous secteurs' : s.sectors.map((x) => SECTOR_LABELS[x].toLowerCase()).join(' ; ');
  const lines = [s.offer, `Stades du projet : ${stages}.`, `Secteurs : ${sectors}.`];
  if (s.publics) lines.push(`Public : ${s.publics}.`);
  return lines.join(' ');
}

/** The référentiel « publics » has no category for project holders: everyone, unless the actor names young people. */
function publicsOf(publics: string | null): string[] {
  if (publics && /\bjeunes?\b/i.test(publics)) return ['jeunes'];
  return ['tous-publics'];
}

/** INSEE codes as the schema wants them; `region:52` becomes the region's departments. */
function zonesOf(s: OfferStructure): string[] {
  const codes = s.zones.flatMap((z) => (zoneKind(z.code) === 'region' ? departementsOfRegion(z.code.slice('region:'.length)) : [z.code]));
  return [...new Set(codes)];
}

// ── CSV: the same records, one column per schema field ───────────────────────────────────────

export const STRUCTURE_COLUMNS: Array<keyof DiStructure> = [
  'source', 'id', 'nom', 'date_maj', 'description', 'siret', 'adresse', 'complement_adresse', 'code_postal', 'code_insee', 'commune',
  'latitude', 'longitude', 'telephone', 'courriel', 'site_web', 'lien_source', 'horaires_accueil', 'accessibilite_lieu', 'reseaux_porteurs',
];

export const SERVICE_COLUMNS: Array<keyof DiService> = [
  'source', 'structure_id', 'id', 'nom', 'description', 'date_maj', 'type', 'thematiques', 'publics', 'publics_precisions', 'conditions_acces',
  'frais', 'frais_precisions', 'modes_accueil', 'modes_mobilisation', 'mobilisable_par', 'mobilisation_precisions', 'lien_mobilisation',
  'lien_source', 'zone_eligibilite', 'adresse', 'complement_adresse', 'code_postal', 'code_insee', 'commune', 'latitude', 'longitude',
  'telephone', 'courriel', 'contact_nom_prenom', 'horaires_accueil', 'nombre_semaines', 'volume_horaire_hebdomadaire',
];
