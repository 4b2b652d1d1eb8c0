// `cli -- coverage`: for every commune of the served EPCIs × 3 stages × 10 sectors, the actors a
// holder would get today, then the holes (only a fallback answered). Exit 0; summary on stderr.
import { parseArgs } from 'node:util';
import { coverage, createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, servedEpcis } from '../routing/index.js';
import { loadTerritory } from '../territory/index.js';
import type { CoverageCombo } from '../routing/coverage.js';

function line(c: CoverageCombo): string {
  return [c.commune.code, c.commune.nom, c.stage, c.sector, c.actorIds.join(','), c.ruleIds.join(','), c.fallback ? 'recours' : ''].join('\t');
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
    },
  });
  const territory = await loadTerritory();
  const router = await createRouter({ rulesDir: values.rules ?? DEFAULT_RULES_DIR, actorsFile: values.actors ?? DEFAULT_ACTORS_FILE, territory });
  let epcis = values.epci ?? servedEpcis(router.actors());
  if (values.territoire) {
    const named = territory.namedTerritory(values.territoire);
    if (!named) {
      process.stderr.write(`Territoire nommé inconnu : ${values.territoire}\n`);
      return 2;
    }
    epcis = named.epcis;
  }
  const report = await coverage(router, territory, epcis);

  if (values.json) {
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } else {
    const out: string[] = [`# Couverture, règles ${report.rulesVersion} : ${report.epcis.map((e) => `${e.nom} (${e.communes} communes)`).join(', ')}`];
    out.push(['commune', 'nom', 'stade', 'secteur', 'acteurs', 'règles', 'recours'].join('\t'));
    for (const c of report.combos) out.push(line(c));
    out.push(report.holes.length ? `# Trous (${report.holes.length}) : seul un recours répond` : '# Trous : aucun');
    for (const c of report.holes) out.push(line(c));
    if (report.mismatches.length) {
      out.push(`# Incohérences (${report.mismatches.length}) : acteur orienté hors de ses stades ou secteurs déclarés`);
      for (const m of report.mismatches) out.push([m.commune, m.stage, m.sector, m.actorId, m.ruleId, m.why === 'stage' ? 'stade' : 'secteur'].join('\t'));
    }
    process.stdout.write(`${out.join('\n')}\n`);
  }
  const communes = report.epcis.reduce((n, e) => n + e.communes, 0);
  process.stderr.write(
    `Couverture : ${report.combos.length} combinaisons (${communes} communes × 3 stades × 10 secteurs), ${report.holes.length} trou${report.holes.length > 1 ? 's' : ''}, ${report.mismatches.length} incohérence${report.mismatches.length > 1 ? 's' : ''}, règles ${report.rulesVersion}\n`,
  );
  return 0;
}
