// `cli -- validate-rules [dir]`: exit 0 when the rule set is valid, else 1 with a French message
// naming the file, the rule and the problem. `--write-schema` regenerates rules.schema.json.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, loadRuleSet, RulesError, rulesJsonSchema } from '../routing/index.js';
import { SCHEMA_FILE } from '../routing/load.js';
import { loadTerritory } from '../territory/index.js';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { actors: { type: 'string' }, 'write-schema': { type: 'boolean' } },
  });
  const rulesDir = positionals[0] ?? DEFAULT_RULES_DIR;
  if (values['write-schema']) {
    const path = join(rulesDir, SCHEMA_FILE);
    await writeFile(path, `${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
    process.stderr.write(`Schéma écrit : ${path}\n`);
  }
  const territory = await loadTerritory();
  try {
    const set = await loadRuleSet({ rulesDir, actorsFile: values.actors ?? DEFAULT_ACTORS_FILE, territory });
    process.stdout.write(`Règles valides : ${set.rules.length} règles, ${set.actors.length} acteurs, version ${set.version}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    process.stdout.write(`${error.message}\n`);
    return 1;
  }
}
