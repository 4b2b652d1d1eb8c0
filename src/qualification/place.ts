// What a territory match puts in the profile. Only what the match states for sure: a named
// territory or an ambiguous name leaves the commune to be asked.
import type { Profile } from '../domain/profile.js';
import type { PlaceMatch, TerritoryIndex } from '../territory/types.js';

export type PlaceFields = Pick<Profile, 'commune' | 'epci' | 'departement'>;

export function placeToProfile(place: PlaceMatch | null, territory: TerritoryIndex | null = null): PlaceFields {
  const none: PlaceFields = { commune: null, epci: null, departement: null };
  if (!place) return none;
  switch (place.kind) {
    case 'commune': {
      const c = place.commune;
      return {
        commune: { code: c.code, nom: c.nom },
        epci: c.epci ? { code: c.epci.code, nom: c.epci.nom } : null,
        departement: c.departement,
      };
    }
    case 'epci':
      return { commune: null, epci: { code: place.epci.code, nom: place.epci.nom }, departement: place.departement };
    case 'territory':
      // The commune will be asked; the department is known when all the territory lies in one.
      return { ...none, departement: territory ? departementOf(place.territory.epcis, territory) : null };
    case 'departement':
      return { ...none, departement: place.departement.code };
    case 'ambiguous':
      return none;
  }
}

function departementOf(epcis: readonly string[], territory: TerritoryIndex): string | null {
  const found = new Set(epcis.flatMap((code) => territory.communesOfEpci(code).map((c) => c.departement)));
  return found.size === 1 ? [...found][0]! : null;
}
