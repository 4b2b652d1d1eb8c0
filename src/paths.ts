// Where the project's files are (rules, data, web-widget, the sources' own assets), found once
// by walking up to our package.json: the same answer whether the code runs from src/ through
// tsx or from the bundle in dist/ that `npm start` builds.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'aiguillage') return dir;
    if (dirname(dir) === dir) throw new Error(`racine du projet Aiguillage introuvable au-dessus de ${from}`);
  }
}

export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project: projectPath('data', 'actors.json'). */
export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
