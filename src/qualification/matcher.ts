// Finding lexicon terms in clauses: heaviest then longest match first, typo tolerance, negation.
import type { Clause } from './text.js';
import type { CompiledTerm, Lexicons, Negations, PhraseSet, TokenPattern } from './lexicon.js';

/** A clause ready for matching: stems possibly corrected for typos, numbers flagged. */
export interface PreparedClause extends Clause {
  isNumber: readonly boolean[];
}

export interface Match {
  term: CompiledTerm;
  clause: number;
  start: number;
  /** Exclusive. */
  end: number;
}

// ---------------------------------------------------------------------------------------------
// Typos: a word unknown to the lexicons, long enough, one edit away from exactly one known stem
// (a letter missing, added, replaced, or two letters swapped) is read as that stem.

/** Shorter words are only corrected for swapped letters: too many real words sit one edit apart. */
const MIN_FUZZY_LENGTH = 7;
const MIN_SWAP_LENGTH = 5;

export interface TypoIndex {
  /** Deletion variants → known stems they come from. */
  deletions: ReadonlyMap<string, readonly string[]>;
  vocabulary: ReadonlySet<string>;
  /** Known stems of 5–6 letters, for swapped letters. */
  short: ReadonlySet<string>;
}

function deletionsOf(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** Known short stems that `word` becomes with two neighbouring letters swapped ("lcoal" → "local"). */
function swapsOf(index: TypoIndex, word: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < word.length - 1; i++) {
    const swapped = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    if (swapped !== word && index.short.has(swapped) && !found.includes(swapped)) found.push(swapped);
  }
  return found;
}

export function buildTypoIndex(vocabulary: ReadonlySet<string>): TypoIndex {
  const short = new Set([...vocabulary].filter((w) => w.length >= MIN_SWAP_LENGTH && w.length < MIN_FUZZY_LENGTH));
  const deletions = new Map<string, string[]>();
  const add = (key: string, word: string) => {
    const list = deletions.get(key);
    if (!list) deletions.set(key, [word]);
    else if (!list.includes(word)) list.push(word);
  };
  for (const word of vocabulary) {
    if (word.length < MIN_FUZZY_LENGTH - 1) continue;
    add(word, word);
    for (const d of deletionsOf(word)) add(d, word);
  }
  return { deletions, vocabulary, short };
}

/** At most one edit apart: a letter missing, added, replaced, or two neighbours swapped. */
function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (i === a.length && i === b.length) return true;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // replaced
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swapped
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

export function correctTypo(index: TypoIndex, word: string): string | null {
  if (index.vocabulary.has(word) || /\d/.test(word)) return null;
  if (word.length >= MIN_SWAP_LENGTH && word.length < MIN_FUZZY_LENGTH) {
    const swaps = swapsOf(index, word);
    return swaps.length === 1 ? swaps[0]! : null;
  }
  if (word.length < MIN_FUZZY_LENGTH) return null;
  const found = new Set<string>();
  for (const key of [word, ...deletionsOf(word)]) {
    for (const candidate of index.deletions.get(key) ?? []) {
      if (Math.max(candidate.length, word.length) >= MIN_FUZZY_LENGTH && withinOneEdit(word, candidate)) found.add(candidate);
    }
  }
  return found.size === 1 ? [...found][0]! : null;
}

// ---------------------------------------------------------------------------------------------
// Matching

const DIGITS = /^\d+$/;

/** For `#` in terms. "un"/"une" are read as articles: "une ferme" is not "# fermes". */
export function isNumberWord(word: string, lex: Lexicons): boolean {
  if (word === 'un' || word === 'une') return false;
  return DIGITS.test(word) || lex.counts.numberWords.has(word) || lex.counts.approximations.has(word);
}

export function prepare(clause: Clause, lex: Lexicons, typos: TypoIndex | null): PreparedClause {
  const stems = typos ? clause.stems.map((s) => correctTypo(typos, s) ?? s) : clause.stems;
  return { words: clause.words, stems, isNumber: clause.words.map((w) => isNumberWord(w, lex)) };
}

function tokenMatches(p: TokenPattern, c: PreparedClause, i: number): boolean {
  if (p.number) return c.isNumber[i]!;
  const s = c.stems[i]!;
  if (p.stems.has(s)) return true;
  if (p.prefixes.length === 0) return false;
  const w = c.words[i]!;
  return p.prefixes.some((prefix) => w.startsWith(prefix) || s.startsWith(prefix));
}

function termMatchesAt(term: CompiledTerm, c: PreparedClause, start: number): boolean {
  if (start + term.tokens.length > c.stems.length) return false;
  return term.tokens.every((p, k) => tokenMatches(p, c, start + k));
}

/** Every occurrence of every term of the set in one clause (overlaps included). */
export function allMatches(set: PhraseSet, c: PreparedClause, clauseIndex: number, answerMode: boolean): Match[] {
  const out: Match[] = [];
  for (let i = 0; i < c.stems.length; i++) {
    const candidates = set.byFirstStem.get(c.stems[i]!);
    for (const list of candidates ? [candidates, set.scanned] : [set.scanned]) {
      for (const term of list) {
        if (term.answerOnly && !answerMode) continue;
        if (termMatchesAt(term, c, i)) out.push({ term, clause: clauseIndex, start: i, end: i + term.tokens.length });
      }
    }
  }
  return out;
}

/**
 * Each word serves one term. `ignore` phrases go first ("au lieu de" hides "lieu"), then the
 * heavier term, then the longer one: "café associatif" (strong) hides "café" (weak), "existe
 * depuis" (strong) is not swallowed by the longer but weak "depuis # ans".
 */
export function bestMatches(set: PhraseSet, clauses: readonly PreparedClause[], answerMode: boolean): Match[] {
  const accepted: Match[] = [];
  clauses.forEach((c, ci) => {
    const rank = (m: Match) => (m.term.code === null ? Number.POSITIVE_INFINITY : m.term.weight);
    const found = allMatches(set, c, ci, answerMode).sort(
      (a, b) => rank(b) - rank(a) || b.end - b.start - (a.end - a.start) || a.start - b.start,
    );
    const used = new Array<boolean>(c.stems.length).fill(false);
    for (const m of found) {
      let free = true;
      for (let k = m.start; k < m.end; k++) if (used[k]) free = false;
      if (!free) continue;
      for (let k = m.start; k < m.end; k++) used[k] = true;
      accepted.push(m);
    }
  });
  return accepted;
}

// ---------------------------------------------------------------------------------------------
// Negation

const memo = new WeakMap<PreparedClause, Map<PhraseSet, Match[]>>();

/** allMatches, computed once per clause and phrase set (negation looks at many positions). */
function matchesOf(set: PhraseSet, c: PreparedClause): Match[] {
  let bySet = memo.get(c);
  if (!bySet) memo.set(c, (bySet = new Map()));
  let found = bySet.get(set);
  if (!found) bySet.set(set, (found = allMatches(set, c, 0, false)));
  return found;
}

/** Does some phrase of the set end exactly at word `end - 1` of the clause? */
function phraseEndingAt(set: PhraseSet, c: PreparedClause, end: number): Match | null {
  return matchesOf(set, c).find((m) => m.end === end) ?? null;
}

function phraseStartingAt(set: PhraseSet, c: PreparedClause, start: number): boolean {
  return matchesOf(set, c).some((m) => m.start === start);
}

/**
 * The positions a negation may stand at before `start`: up to `window` meaningful words
 * (articles and the like are skipped), stopping at a barrier ("mais", "par contre").
 */
function windowBefore(neg: Negations, c: PreparedClause, start: number): number[] {
  const positions: number[] = [];
  let counted = 0;
  for (let j = start - 1; j >= 0 && counted < neg.window; j--) {
    if (phraseEndingAt(neg.barriers, c, j + 1)) break;
    positions.push(j);
    if (!neg.skip.has(c.words[j]!)) counted++;
  }
  return positions;
}

/** The same after a term ending at `end`: the positions a dismissal may start at. */
function windowAfter(neg: Negations, c: PreparedClause, end: number): number[] {
  const positions: number[] = [];
  let counted = 0;
  for (let j = end; j < c.words.length && counted < neg.window; j++) {
    if (matchesOf(neg.barriers, c).some((m) => m.start === j)) break;
    positions.push(j);
    if (!neg.skip.has(c.words[j]!)) counted++;
  }
  return positions;
}

/**
 * Plain negation, for stage, sector and project type: "pas encore créé", "je ne suis pas seul".
 * "plus de 10 ans", "pas mal de", "non lucratif" are not negations (notNegations).
 */
export function isNegated(neg: Negations, c: PreparedClause, start: number): boolean {
  for (const j of windowBefore(neg, c, start)) {
    const m = phraseEndingAt(neg.negators, c, j + 1);
    if (m && !phraseStartingAt(neg.notNegations, c, m.start)) return true;
  }
  return false;
}

/**
 * For needs, lacking is needing: "pas de local", "sans financement" state a need. Only words
 * that dismiss the need negate it: "pas besoin de", "on a déjà", "on a obtenu".
 */
export function isNeedNegated(neg: Negations, c: PreparedClause, start: number, end: number): boolean {
  if (neg.lackWords.has(c.words[start]!)) return false;
  for (const j of windowBefore(neg, c, start)) {
    if (phraseEndingAt(neg.needNegators, c, j + 1)) return true;
  }
  const after = new Set(windowAfter(neg, c, end));
  if (matchesOf(neg.needNegatorsAfter, c).some((m) => after.has(m.start))) return true;
  // "on a un local", "nous avons des financements": only articles between owning and the need.
  for (let k = start - 1; k >= 0; k--) {
    if (phraseEndingAt(neg.needOwned, c, k + 1)) return true;
    if (!neg.skip.has(c.words[k]!)) break;
  }
  return false;
}
