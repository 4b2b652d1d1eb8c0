// Turning a holder's message into tokens the lexicons can match: clauses, normalised words,
// light stems. Pure functions, no I/O.
import { normalizeText } from '../territory/index.js';

/** A clause: the words between two punctuation marks, normalised (lowercase, no accents). */
export interface Clause {
  /** Normalised words, after shorthand expansion ("jai" → "j", "ai"). */
  words: string[];
  /** Light stems of `words`, what lexicon terms are compared with. */
  stems: string[];
}

/**
 * Punctuation closes a clause: negation and phrases never reach across a comma or a full stop
 * ("pas besoin de financement, on cherche un local" must keep the local). Apostrophes, hyphens,
 * slashes and @ stay inside words and are turned into spaces by the normaliser.
 */
const CLAUSE_BREAK = /[.,;:!?\n\r()[\]{}«»"“”…|]+/u;

/** Holders' messages can be long; nothing useful hides after this many characters. */
export const MAX_TEXT_LENGTH = 4000;

/**
 * Stems make plurals and feminines meet: a final s/x, then final e's, are dropped from words
 * longer than three letters ("idées" → "ide", "idee" → "ide", "locales" → "local"), and a few
 * feminine endings meet their masculine ("associative" → "associatif", "porteuse" → "porteur").
 * Irregular plurals ("locaux") are listed in the lexicons.
 */
/** Feminines that dropping the final e does not bring back: associative → associatif. */
const FEMININE_ENDINGS: ReadonlyArray<readonly [string, string]> = [
  ['ive', 'if'],
  ['euse', 'eur'],
  ['elle', 'el'],
  ['onne', 'on'],
  ['enne', 'en'],
];

export function stem(word: string): string {
  let w = word;
  if (w.length > 3 && (w.endsWith('s') || w.endsWith('x'))) w = w.slice(0, -1);
  for (const [feminine, masculine] of FEMININE_ENDINGS) {
    if (w.length > feminine.length + 2 && w.endsWith(feminine)) return w.slice(0, -feminine.length) + masculine;
  }
  while (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

export type Shorthands = ReadonlyMap<string, readonly string[]>;

/** Normalised words of a piece of text, with SMS shorthands expanded. */
export function words(text: string, shorthands: Shorthands): string[] {
  const out: string[] = [];
  for (const w of normalizeText(text).split(' ')) {
    if (!w) continue;
    const expansion = shorthands.get(w);
    if (expansion) out.push(...expansion);
    else out.push(w);
  }
  return out;
}

export function clauses(text: string, shorthands: Shorthands): Clause[] {
  const result: Clause[] = [];
  for (const part of text.slice(0, MAX_TEXT_LENGTH).split(CLAUSE_BREAK)) {
    const ws = words(part, shorthands);
    if (ws.length > 0) result.push({ words: ws, stems: ws.map(stem) });
  }
  return result;
}
