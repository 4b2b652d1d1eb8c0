// Temporary stand-in for src/territory/index.ts (being written elsewhere): official data, same interface.
import { createRequire } from 'node:module';
import type { Commune, Epci, NamedTerritory, TerritoryIndex } from '../../src/territory/types.js';
const require = createRequire(import.meta.url);
const dir = '@etalab/decoupage-administratif/data/';
export function loadTerritory(): TerritoryIndex {
  const communes = require(dir + 'communes.json') as Array<Record<string, any>>;
  const epcis = require(dir + 'epci.json') as Array<{ code: string; nom: string; membres: Array<{ code: string }> }>;
  const deps = require(dir + 'departements.json') as Array<{ code: string; nom: string; region: string }>;
  const epciOf = new Map<string, { code: string; nom: string }>();
  const epciMap = new Map<string, Epci>();
  for (const e of epcis) {
    epciMap.set(e.code, { code: e.code, nom: e.nom, membres: e.membres.map((m) => m.code) });
    for (const m of e.membres) epciOf.set(m.code, { code: e.code, nom: e.nom });
  }
  const communeMap = new Map<string, Commune>();
  for (const c of communes) {
    if (c.type !== 'commune-actuelle') continue;
    communeMap.set(c.code, { code: c.code, nom: c.nom, departement: c.departement, region: c.region, codesPostaux: c.codesPostaux ?? [], population: c.population ?? 0, epci: epciOf.get(c.code) ?? null });
  }
  const depMap = new Map(deps.map((d) => [d.code, d]));
  const named: NamedTerritory[] = [{ id: 'vignoble-nantais', nom: 'Pays du Vignoble Nantais', epcis: ['200067635', '200067866'] }];
  return {
    servedDepartements: ['44', '85', '49', '53', '72', '35', '56'],
    commune: (code) => communeMap.get(code),
    epci: (code) => epciMap.get(code),
    departement: (code) => depMap.get(code),
    communesOfEpci: (code) => (epciMap.get(code)?.membres ?? []).map((m) => communeMap.get(m)!).filter(Boolean),
    namedTerritory: (id) => named.find((t) => t.id === id),
    namedTerritoriesOfEpci: (code) => named.filter((t) => t.epcis.includes(code)),
    resolve: () => null,
    findInText: () => null,
  };
}
