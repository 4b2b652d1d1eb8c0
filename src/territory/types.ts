// Territory vocabulary shared by qualification, routing and the bot. Pure types.
import type { PlaceRef } from '../domain/profile.js';

export interface Commune {
  /** INSEE code, 5 characters. */
  code: string;
  nom: string;
  departement: string;
  region: string;
  codesPostaux: string[];
  population: number;
  epci: PlaceRef | null;
}

export interface Epci {
  /** SIREN, 9 digits. */
  code: string;
  nom: string;
  /** INSEE codes of member communes. */
  membres: string[];
}

/** A named territory made of whole EPCIs (e.g. the Pays du Vignoble Nantais). */
export interface NamedTerritory {
  id: string;
  nom: string;
  epcis: string[];
}

/** How a place typed by a person was understood. */
export type PlaceMatch =
  | {
      kind: 'commune';
      commune: Commune;
      /** Set when the text named a commune déléguée or associée, resolved to its commune nouvelle. */
      delegated: { code: string; nom: string } | null;
      /** True when the commune is in a served department. */
      served: boolean;
    }
  | { kind: 'epci'; epci: Epci; departement: string | null; served: boolean }
  | { kind: 'territory'; territory: NamedTerritory }
  | { kind: 'departement'; departement: { code: string; nom: string }; served: boolean }
  /** Several communes fit (a postal code across EPCIs, a homonym): ask which. At most 8, served first. */
  | { kind: 'ambiguous'; reason: 'postal_code' | 'homonym'; query: string; candidates: Commune[] };

/** The loaded official geography. Pure after load; see src/territory/index.ts. */
export interface TerritoryIndex {
  /** Departments whose communes are served first (44, 85, 49, 53, 72, 35, 56). */
  readonly servedDepartements: readonly string[];
  commune(code: string): Commune | undefined;
  epci(code: string): Epci | undefined;
  departement(code: string): { code: string; nom: string; region: string } | undefined;
  communesOfEpci(epciCode: string): Commune[];
  /** Every commune actuelle of a department (coverage of a whole region). */
  communesOfDepartement(code: string): Commune[];
  namedTerritory(id: string): NamedTerritory | undefined;
  /** Named territories (e.g. vignoble-nantais) that contain this EPCI. */
  namedTerritoriesOfEpci(epciCode: string): NamedTerritory[];
  /** A place typed alone, e.g. the answer to "Dans quelle commune ?": typos tolerated. */
  resolve(query: string): PlaceMatch | null;
  /** A place mentioned inside a free sentence; null when the sentence names none. */
  findInText(text: string): PlaceMatch | null;
}
