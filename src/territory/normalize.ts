// Text normalisation shared by the territory index and the qualification lexicons.

const DIACRITICS = /[\u0300-\u036f]/g;
const NON_ALNUM = /[^a-z0-9]+/g;

/** The reference definition, character by character; normalizeText is its fast equivalent. */
function slowFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(DIACRITICS, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(NON_ALNUM, ' ');
}

// Non-ASCII characters folded once each: '' = dropped (a combining accent), ' ' = separator.
const folded = new Map<number, string>();

function fold(code: number): string {
  let r = folded.get(code);
  if (r === undefined) {
    r = slowFold(String.fromCharCode(code));
    if (r.trim() === '') r = r === '' ? '' : ' ';
    folded.set(code, r);
  }
  return r;
}

/**
 * Lowercase, accents stripped, ligatures expanded, every apostrophe, hyphen or punctuation
 * turned into one space, spaces collapsed. "L'Île-d'Yeu" → "l ile d yeu".
 * (One pass over the characters: it runs on ~80,000 names at start-up.)
 */
export function normalizeText(s: string): string {
  let out = '';
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let r: string;
    if (c < 128) {
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) r = s[i]!;
      else if (c >= 65 && c <= 90) r = String.fromCharCode(c + 32);
      else r = ' ';
    } else {
      r = fold(c);
      if (r === '') continue;
    }
    if (r === ' ') {
      space = out.length > 0;
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += r;
  }
  return out;
}

/** People write "St"/"Ste" for "Saint"/"Sainte": place keys always use the long form. */
const ABBREVIATIONS: Readonly<Record<string, string>> = { st: 'saint', ste: 'sainte', sts: 'saints', stes: 'saintes' };

export function canonicalToken(token: string): string {
  return ABBREVIATIONS[token] ?? token;
}

const ABBREVIATED = /(?:^| )stes?s?(?: |$)/;

/** The lookup key of a place name: "St-Julien-de-Concelles" → "saint julien de concelles". */
export function placeKey(s: string): string {
  const n = normalizeText(s);
  return ABBREVIATED.test(n) ? n.split(' ').map(canonicalToken).join(' ') : n;
}

/**
 * placeKey of many names at once, joined by '\n' in and out (line i of the result is the key of
 * line i): native string operations over one string instead of ~40,000 short runs of JavaScript.
 */
export function placeKeysJoined(names: string): string {
  let all = names
    .normalize('NFD')
    .replace(DIACRITICS, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[^a-z0-9\n]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/^ +| +$/g, '');
  const abbreviated = /(^|[ \n])(stes?s?)(?=[ \n]|$)/g;
  if (abbreviated.test(all)) all = all.replace(abbreviated, (_, before: string, t: string) => before + canonicalToken(t));
  return all;
}

/** Normalised tokens of a place name, abbreviations expanded. */
export function placeTokens(s: string): string[] {
  const key = placeKey(s);
  return key === '' ? [] : key.split(' ');
}

/** Leading articles that people drop: "Loroux-Bottereau" for "Le Loroux-Bottereau". */
export const ARTICLES: ReadonlySet<string> = new Set(['le', 'la', 'les', 'l']);

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), cut at `max`:
 * returns max + 1 as soon as the distance is known to exceed it.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  let prev2 = new Array<number>(lb + 1).fill(0);
  let prev = new Array<number>(lb + 1);
  let cur = new Array<number>(lb + 1);
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[lb]!, max + 1);
}

/** How many typos a name of this length tolerates: 1 from 5 letters, 2 from 9 (spaces not counted). */
export function typoBudget(letters: number): number {
  return letters >= 9 ? 2 : letters >= 5 ? 1 : 0;
}
