// Default locations of the shipped rules and actors, relative to the project root.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_RULES_DIR = `${root}rules`;
export const DEFAULT_ACTORS_FILE = `${root}data/actors.json`;
