// What a territory match puts in the profile. Only what the match states for sure: a named
// territory or an ambiguous name leaves the commune to be asked.
import type { Profile } from '../domain/profile.js';
import type { Commune, PlaceMatch, TerritoryIndex } from '../territory/types.js';

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
      return place.reason === 'postal_code' ? sharedByCandidates(place.candidates) : none;
  }
}

/**
 * « 44190 - … »: a postal code of several communes. When they all lie in one intercommunality
 * (and one department), that much is certain; the commune is asked only if it matters.
 */
function sharedByCandidates(candidates: readonly Commune[]): PlaceFields {
  // The finder lists at most 8 candidates: a full list may hide a commune of another EPCI.
  if (candidates.length >= 8) return { commune: null, epci: null, departement: null };
  const epcis = new Set(candidates.map((c) => c.epci?.code ?? ''));
  const departements = new Set(candidates.map((c) => c.departement));
  const first = candidates[0];
  const epci = epcis.size === 1 && first?.epci ? { code: first.epci.code, nom: first.epci.nom } : null;
  return { commune: null, epci, departement: departements.size === 1 && first ? first.departement : null };
}

function departementOf(epcis: readonly string[], territory: TerritoryIndex): string | null {
  const found = new Set(epcis.flatMap((code) => territory.communesOfEpci(code).map((c) => c.departement)));
  return found.size === 1 ? [...found][0]! : null;
}
