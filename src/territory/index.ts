// The official geography, loaded once per process and shared by every module.
import { SERVED_DEPARTEMENTS, type Geography } from './geography.js';
import { PlaceFinder } from './finder.js';
import { DEFAULT_TERRITORY_DIR, loadTerritoryLexicon } from './lexicon.js';
import { PlaceIndex } from './place-index.js';
import { loadOfficial } from './snapshot.js';
import type { Commune, Epci, NamedTerritory, PlaceMatch, TerritoryIndex } from './types.js';

export type { Commune, Epci, NamedTerritory, PlaceMatch, TerritoryIndex } from './types.js';
export { normalizeText } from './normalize.js';
export { SERVED_DEPARTEMENTS } from './geography.js';
export { TerritoryDataError } from './lexicon.js';

class Territory implements TerritoryIndex {
  readonly servedDepartements: readonly string[];

  constructor(
    private readonly geo: Geography,
    private readonly places: PlaceIndex,
    private readonly finder: PlaceFinder,
  ) {
    this.servedDepartements = Object.freeze([...SERVED_DEPARTEMENTS]);
  }

  commune(code: string): Commune | undefined {
    const id = this.geo.communeId(code);
    return id < 0 ? undefined : this.geo.commune(id);
  }

  epci(code: string): Epci | undefined {
    const idx = this.geo.epciByCode.get(code);
    return idx === undefined ? undefined : this.geo.epci(idx);
  }

  departement(code: string): { code: string; nom: string; region: string } | undefined {
    return this.geo.departements.get(code);
  }

  communesOfEpci(epciCode: string): Commune[] {
    const idx = this.geo.epciByCode.get(epciCode);
    return idx === undefined ? [] : Array.from(this.geo.epciMembers[idx]!, (id) => this.geo.commune(id));
  }

  communesOfDepartement(code: string): Commune[] {
    const out: Commune[] = [];
    for (let r = 0; r < this.geo.count; r++) {
      if (!this.geo.isCommune(r)) continue;
      const c = this.geo.commune(r);
      if (c.departement === code) out.push(c);
    }
    return out;
  }

  namedTerritory(id: string): NamedTerritory | undefined {
    return this.places.territories.get(id);
  }

  namedTerritoriesOfEpci(epciCode: string): NamedTerritory[] {
    return [...(this.places.territoriesOfEpci.get(epciCode) ?? [])];
  }

  resolve(query: string): PlaceMatch | null {
    return this.finder.resolve(query);
  }

  findInText(text: string): PlaceMatch | null {
    return this.finder.findInText(text);
  }
}

/**
 * Builds an index from the official data and the data files of `dataDir` (tests, tools).
 * `cache: false` rebuilds the official part instead of reading it from the cache (snapshot.ts).
 */
export function buildTerritory(dataDir: string = DEFAULT_TERRITORY_DIR, options: { cache?: boolean } = {}): TerritoryIndex {
  const lexicon = loadTerritoryLexicon(dataDir);
  const { geo, tables } = loadOfficial(options);
  const places = new PlaceIndex(geo, tables, lexicon);
  return new Territory(geo, places, new PlaceFinder(geo, places, lexicon.words));
}

let shared: TerritoryIndex | null = null;

/** The shared index, built on first call (~0.1–0.3 s); synchronous. */
export function loadTerritory(): TerritoryIndex {
  shared ??= buildTerritory();
  return shared;
}
