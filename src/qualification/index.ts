// Qualification: free text → partial Profile, and the recognizers behind precise questions.
// No botbuilder here: the bot and the command line both call these functions.
import { loadTerritory } from '../territory/index.js';
import type { TerritoryIndex } from '../territory/types.js';
import { lexicons } from './lexicon.js';
import { prepareText, qualifyWith, type Qualification } from './qualify.js';
import { recognizerWarmSteps, warmRecognizers } from './recognizers.js';

export { qualifyField, qualifyNeeds, qualifyProjectType, qualifySector, qualifyStage, qualifyWith } from './qualify.js';
export type { FieldValue, MatchedTerm, Qualification } from './qualify.js';
export { recognizeEmail, recognizeNumber, recognizePhone, recognizeUnsure, recognizeYesNo } from './recognizers.js';
export { placeToProfile, type PlaceFields } from './place.js';
export { LexiconError, loadLexiconsFrom, type FieldName } from './lexicon.js';

export interface QualifyOptions {
  /** Where places are looked up; default: the official territory (loaded once). null: no lookup. */
  territory?: TerritoryIndex | null;
}

let officialTerritory: TerritoryIndex | null = null;

function territoryFor(options: QualifyOptions | undefined): TerritoryIndex | null {
  if (options && 'territory' in options) return options.territory ?? null;
  officialTerritory ??= loadTerritory();
  return officialTerritory;
}

/** Everything a free message states about the project (a partial Profile, the place, counts…). */
export function qualify(text: string, options?: QualifyOptions): Qualification {
  return qualifyWith(text, territoryFor(options));
}

/** Loads and checks the lexicons and the territory now (throws LexiconError, in French). */
export function loadQualification(): void {
  prepareText('chargement', lexicons());
  territoryFor(undefined);
}

/**
 * loadQualification, then builds every recognizer's models (their first call costs up to a few hundred ms
 * each) so that the first holder does not wait. Synchronous; returns the time it took.
 */
/** Same as warmUp, one step per macrotask: a server keeps answering (health, early turns) meanwhile. */
export async function warmUpInSteps(): Promise<{ ms: number }> {
  const start = performance.now();
  const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
  loadQualification();
  await tick();
  for (const step of recognizerWarmSteps()) {
    step();
    await tick();
  }
  return { ms: performance.now() - start };
}

export function warmUp(): { ms: number } {
  const start = performance.now();
  loadQualification();
  warmRecognizers();
  return { ms: performance.now() - start };
}
