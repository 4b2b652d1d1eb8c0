// `cli -- route`: one Profile JSON per line on stdin → one decision JSON per line on stdout.
// A bad line prints {"error": "…"} in its place (line counts match) and the exit code is 1.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { profileSchema } from '../domain/profile.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR } from '../routing/index.js';
import { loadTerritory } from '../territory/index.js';

const frenchErrors = { error: z.locales.fr().localeError } as unknown as z.core.ParseContext<z.core.$ZodIssue>;

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { rules: { type: 'string' }, actors: { type: 'string' } } });
  const territory = await loadTerritory();
  const router = await createRouter({ rulesDir: values.rules ?? DEFAULT_RULES_DIR, actorsFile: values.actors ?? DEFAULT_ACTORS_FILE, territory });
  process.stderr.write(`Règles ${router.rulesVersion} : ${router.ruleCount} règles, ${router.actors().length} acteurs\n`);

  let failed = false;
  let lineNumber = 0;
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    lineNumber += 1;
    if (!line.trim()) continue;
    let output: unknown;
    try {
      const parsed = profileSchema.safeParse(JSON.parse(line), frenchErrors);
      if (parsed.success) output = await router.route(parsed.data);
      else output = { error: `Ligne ${lineNumber} : profil invalide : ${parsed.error.issues.map((i) => `${i.path.join('.') || 'racine'} : ${i.message}`).join(' ; ')}` };
    } catch (error) {
      output = { error: `Ligne ${lineNumber} : JSON illisible (${(error as Error).message})` };
    }
    if ('error' in (output as object)) failed = true;
    process.stdout.write(`${JSON.stringify(output)}\n`);
  }
  return failed ? 1 : 0;
}
