// Names and codes the offer needs beyond the territory index: regions (an actor's `region:52`
// zone), the departments of a region (data·inclusion lists a region as its departments), and a
// French label for each zone code. Read once from the official package, pure after that.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { zoneKind } from '../domain/actor.js';
import { officialDataDir } from '../territory/official.js';
import type { TerritoryIndex } from '../territory/types.js';

interface Official {
  regions: Map<string, string>;
  departementsOf: Map<string, string[]>;
}

let official: Official | undefined;
function load(): Official {
  if (official) return official;
  const dir = officialDataDir();
  const regions = JSON.parse(readFileSync(join(dir, 'regions.json'), 'utf8')) as Array<{ code: string; nom: string }>;
  const deps = JSON.parse(readFileSync(join(dir, 'departements.json'), 'utf8')) as Array<{ code: string; region: string }>;
  const departementsOf = new Map<string, string[]>();
  for (const d of deps) departementsOf.set(d.region, [...(departementsOf.get(d.region) ?? []), d.code]);
  official = { regions: new Map(regions.map((r) => [r.code, r.nom])), departementsOf };
  return official;
}

export function regionName(code: string): string | undefined {
  return load().regions.get(code);
}

/** Department codes of a region, in the official order (`52` → 44, 49, 53, 72, 85). */
export function departementsOfRegion(code: string): string[] {
  return [...(load().departementsOf.get(code) ?? [])];
}

/** « Loire-Atlantique », « CA Clisson Sèvre et Maine Agglo », « région Pays de la Loire »… */
export function zoneLabel(zone: string, territory: TerritoryIndex): string {
  switch (zoneKind(zone)) {
    case 'commune':
      return territory.commune(zone)?.nom ?? zone;
    case 'epci':
      return territory.epci(zone)?.nom ?? zone;
    case 'departement': {
      const dep = territory.departement(zone);
      return dep ? `${dep.nom} (${zone})` : zone;
    }
    case 'region': {
      const code = zone.slice('region:'.length);
      const name = regionName(code);
      return name ? `région ${name}` : zone;
    }
  }
}
