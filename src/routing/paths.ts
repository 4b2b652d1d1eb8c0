// Default locations of the shipped rules and actors, relative to the project root.
import { projectPath } from '../paths.js';

export const DEFAULT_RULES_DIR = projectPath('rules');
export const DEFAULT_ACTORS_FILE = projectPath('data', 'actors.json');
