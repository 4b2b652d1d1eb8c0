// `cli -- coverage`: for every commune of the served EPCIs (or of the region's five departments
// with --region, or of named departments with --departement) × 3 stages × 10 sectors, the actors
// a holder would get today, then the holes: only a fallback answered, or no structure of the ESS
// was proposed (chambers and local generalists alone). Exit 0; summary on stderr.
import { parseArgs } from 'node:util';
import {
  coverage,
  coverageOfDepartements,
  createRouter,
  DEFAULT_ACTORS_FILE,
  DEFAULT_RULES_DIR,
  REGION_DEPARTEMENTS,
  servedEpcis,
  type CoverageReport,
} from '../routing/index.js';
import { loadTerritory } from '../territory/index.js';
import type { CoverageCombo } from '../routing/coverage.js';

function line(c: CoverageCombo): string {
  return [c.commune.code, c.commune.nom, c.stage, c.sector, c.actorIds.join(','), c.ruleIds.join(','), c.fallback ? 'recours' : ''].join('\t');
}

/** « 44 Loire-Atlantique : 0 trou sans structure de l’ESS sur 621 combinaisons » per area. */
function essHolesByDepartement(report: CoverageReport): string[] {
  const deps = [...new Set(report.combos.map((c) => c.departement))].sort();
  return deps.map((d) => {
    const combos = report.combos.filter((c) => c.departement === d).length;
    const holes = report.essHoles.filter((c) => c.departement === d).length;
    return `# ${d} : ${holes} trou${holes > 1 ? 's' : ''} sans structure de l’ESS sur ${combos} combinaisons`;
  });
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      json: { type: 'boolean' },
      rules: { type: 'string' },
      actors: { type: 'string' },
      territoire: { type: 'string' },
      epci: { type: 'string', multiple: true },
      region: { type: 'boolean' },
      departement: { type: 'string', multiple: true },
    },
  });
  const territory = await loadTerritory();
  const router = await createRouter({ rulesDir: values.rules ?? DEFAULT_RULES_DIR, actorsFile: values.actors ?? DEFAULT_ACTORS_FILE, territory });
  let report: CoverageReport;
  const departements = values.region ? [...REGION_DEPARTEMENTS] : values.departement;
  if (departements?.length) {
    const unknown = departements.filter((d) => !territory.departement(d));
    if (unknown.length) {
      process.stderr.write(`Département inconnu : ${unknown.join(', ')}\n`);
      return 2;
    }
    process.stderr.write(`Couverture de ${departements.join(', ')} en cours (quelques secondes)…\n`);
    report = await coverageOfDepartements(router, territory, departements);
  } else {
    let epcis = values.epci ?? servedEpcis(router.actors());
    if (values.territoire) {
      const named = territory.namedTerritory(values.territoire);
      if (!named) {
        process.stderr.write(`Territoire nommé inconnu : ${values.territoire}\n`);
        return 2;
      }
      epcis = named.epcis;
    }
    report = await coverage(router, territory, epcis);
  }

  if (values.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const out: string[] = [`# Couverture, règles ${report.rulesVersion} : ${report.epcis.map((e) => `${e.nom} (${e.communes} communes)`).join(', ')}`];
    out.push(['commune', 'nom', 'stade', 'secteur', 'acteurs', 'règles', 'recours'].join('\t'));
    for (const c of report.combos) out.push(line(c));
    out.push(report.holes.length ? `# Trous (${report.holes.length}) : seul un recours répond` : '# Trous : aucun');
    for (const c of report.holes) out.push(line(c));
    out.push(report.essHoles.length ? `# Trous sans structure de l’ESS (${report.essHoles.length}) : seules des chambres ou la proximité répondent` : '# Trous sans structure de l’ESS : aucun');
    out.push(...essHolesByDepartement(report));
    for (const c of report.essHoles) out.push(line(c));
    if (report.mismatches.length) {
      out.push(`# Incohérences (${report.mismatches.length}) : acteur orienté hors de ses stades ou secteurs déclarés`);
      for (const m of report.mismatches) out.push([m.commune, m.stage, m.sector, m.actorId, m.ruleId, m.why === 'stage' ? 'stade' : 'secteur'].join('\t'));
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  const communes = report.epcis.reduce((n, e) => n + e.communes, 0);
  const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;
  process.stderr.write(
    `Couverture : ${report.combos.length} combinaisons (${communes} communes × 3 stades × 10 secteurs), ${plural(report.holes.length, 'trou')}, ${plural(report.essHoles.length, 'trou')} sans structure de l’ESS, ${plural(report.mismatches.length, 'incohérence')}, règles ${report.rulesVersion}\n`,
  );
  return 0;
}
