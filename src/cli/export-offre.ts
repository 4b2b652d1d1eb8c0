// `cli -- export-offre --format data-inclusion [--out DIR] [--territoire ID]`: the published
// offer in the data·inclusion v1 format, the same records as /open-data/data-inclusion/. Without
// --out, one JSON document {structures, services} on stdout; with --out, structures.json,
// services.json, their CSV and a LISEZMOI.md stating the licence. Exit 2 on a bad option.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { createOffer, LICENCE, modifiedAt } from '../offer/index.js';
import { recordsCsv } from '../offer/csv.js';
import { SERVICE_COLUMNS, STRUCTURE_COLUMNS } from '../offer/dataInclusion.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR } from '../routing/index.js';
import { loadTerritory } from '../territory/index.js';

const FORMATS = ['data-inclusion'];

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      territoire: { type: 'string' },
      rules: { type: 'string' },
      actors: { type: 'string' },
    },
  });
  if (!values.format || !FORMATS.includes(values.format)) {
    process.stderr.write(`Format attendu : --format ${FORMATS.join(' | ')}\n`);
    return 2;
  }
  const actorsFile = values.actors ?? DEFAULT_ACTORS_FILE;
  const territory = await loadTerritory();
  const router = await createRouter({ rulesDir: values.rules ?? DEFAULT_RULES_DIR, actorsFile, territory });
  const offer = createOffer({ router, territory, publicUrl: loadConfig().publicUrl, updatedAt: modifiedAt(actorsFile) });
  const scope = offer.scope(values.territoire ?? null);
  if (!scope) {
    process.stderr.write(`Territoire inconnu : ${values.territoire}\n`);
    return 2;
  }
  const { structures, services } = offer.dataInclusion(scope);
  const what = `${structures.length} structures et ${services.length} services (${scope.name})`;
  if (!values.out) {
    process.stdout.write(`${JSON.stringify({ structures, services })}\n`);
    process.stderr.write(`Offre exportée au format data·inclusion : ${what}.\n`);
    return 0;
  }
  mkdirSync(values.out, { recursive: true });
  const files: Array<[string, string]> = [
    ['structures.json', `${JSON.stringify(structures, null, 2)}\n`],
    ['services.json', `${JSON.stringify(services, null, 2)}\n`],
    ['structures.csv', recordsCsv(structures, STRUCTURE_COLUMNS)],
    ['services.csv', recordsCsv(services, SERVICE_COLUMNS)],
    [
      'LISEZMOI.md',
      `# L’offre d’accompagnement des projets de l’ESS — ${scope.name}\n\nExport d’Aiguillage au format data·inclusion (schéma v1 : structures et services), ` +
        `${what}.\n\nLicence : ${LICENCE.name} (${LICENCE.url}). Source : Aiguillage.\n`,
    ],
  ];
  for (const [name, text] of files) writeFileSync(join(values.out, name), text);
  process.stderr.write(`Offre exportée au format data·inclusion dans ${values.out} : ${what}.\n`);
  return 0;
}
