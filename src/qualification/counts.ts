// How many people carry the project, how many employees it has: "nous sommes 4",
// "avec 3 amis" (4 with the writer), "un groupe d'une dizaine", "2 salariés", "aucun salarié".
import type { Lexicons } from './lexicon.js';
import { allMatches, type PreparedClause } from './matcher.js';
import { numberValue } from './recognizers.js';

export interface Count {
  value: number;
  /** The words that said it, for explanations. */
  term: string;
}

/** After a number, these words make it a distance or a duration, not people. */
const UNITS = new Set(['ans', 'an', 'mois', 'jours', 'jour', 'semaines', 'heures', 'heure', 'h', 'minutes', 'min', 'km', 'kilometres', 'metres', 'm', 'm2', 'euros', 'eur', 'k', 'pourcent', 'fois', 'ha', 'hectares']);

const MAX_TEAM = 500;

/**
 * A number starting at word i: digits, words ("vingt et un"), or "une dizaine". The value of
 * words is read by the French number recognizer, only once a pattern around it has matched.
 */
function numberAt(c: PreparedClause, i: number, lex: Lexicons): { value: () => number | null; end: number } | null {
  const w = c.words;
  const approx = (k: number) => (w[k] === undefined ? undefined : lex.counts.approximations.get(w[k]!));
  const known = (value: number | undefined, end: number) => (value === undefined ? null : { value: () => value, end });
  if ((w[i] === 'un' || w[i] === 'une') && approx(i + 1) !== undefined) return known(approx(i + 1), i + 2);
  if (approx(i) !== undefined) return known(approx(i), i + 1);
  if (/^\d+$/.test(w[i] ?? '')) return known(Number.parseInt(w[i]!, 10), i + 1);
  let j = i;
  while (j < w.length && (lex.counts.numberWords.has(w[j]!) || (w[j] === 'et' && j > i && lex.counts.numberWords.has(w[j + 1] ?? '')))) j++;
  if (j === i) return null;
  const phrase = w.slice(i, j).join(' ');
  return { value: () => numberValue(phrase, lex), end: j };
}

/** The value when it lies in [min, max]. */
function within(n: { value: () => number | null }, min: number, max: number): number | null {
  const v = n.value();
  return v !== null && v >= min && v <= max ? v : null;
}

function text(c: PreparedClause, start: number, end: number): string {
  return c.words.slice(start, end).join(' ');
}

/** People carrying the project, or null when the text does not say. */
export function teamSize(clauses: readonly PreparedClause[], lex: Lexicons): Count | null {
  const { counts } = lex;
  for (const c of clauses) {
    const w = c.words;
    // "nous sommes 4", "on est une dizaine"
    for (const m of allMatches(counts.teamVerbs, c, 0, false).sort((a, b) => a.start - b.start || b.end - a.end)) {
      const n = numberAt(c, m.end, lex);
      const v = n && !UNITS.has(w[n.end] ?? '') ? within(n, 2, MAX_TEAM) : null;
      if (n && v !== null) return { value: v, term: text(c, m.start, n.end) };
    }
    for (let i = 0; i < w.length; i++) {
      // "avec 3 amis", "avec une amie", "avec deux autres personnes": the writer makes one more.
      if (w[i] === 'avec') {
        const n = numberAt(c, i + 1, lex);
        const v = n && counts.companionNouns.has(w[n.end] ?? '') ? within(n, 1, MAX_TEAM - 1) : null;
        if (n && v !== null) return { value: v + 1, term: text(c, i, n.end + 1) };
      }
      // "un groupe de 6", "un collectif d'une dizaine de personnes"
      if (counts.teamNouns.has(w[i]!) && (w[i + 1] === 'de' || w[i + 1] === 'd')) {
        const n = numberAt(c, i + 2, lex);
        const v = n && !UNITS.has(w[n.end] ?? '') ? within(n, 2, MAX_TEAM) : null;
        if (n && v !== null) return { value: v, term: text(c, i, n.end) };
      }
      // "moi et 2 amies"
      if (w[i] === 'moi' && w[i + 1] === 'et') {
        const n = numberAt(c, i + 2, lex);
        const v = n && counts.companionNouns.has(w[n.end] ?? '') ? within(n, 1, MAX_TEAM - 1) : null;
        if (n && v !== null) return { value: v + 1, term: text(c, i, n.end + 1) };
      }
      // "3 amis et moi"
      if (w[i] === 'et' && w[i + 1] === 'moi' && i >= 2 && counts.companionNouns.has(w[i - 1]!)) {
        for (let s = Math.max(0, i - 4); s < i - 1; s++) {
          const n = numberAt(c, s, lex);
          const v = n && n.end === i - 1 ? within(n, 1, MAX_TEAM - 1) : null;
          if (n && v !== null) return { value: v + 1, term: text(c, s, i + 2) };
        }
      }
    }
  }
  return null;
}

/** Current employees, or null when the text does not say ("embaucher 2 salariés" is not a count). */
export function employees(clauses: readonly PreparedClause[], lex: Lexicons): Count | null {
  const { counts } = lex;
  for (const c of clauses) {
    const w = c.words;
    for (const m of allMatches(counts.noneWords, c, 0, false)) {
      if (counts.employeeNouns.has(w[m.end] ?? '')) return { value: 0, term: text(c, m.start, m.end + 1) };
    }
    for (let i = 0; i < w.length; i++) {
      const n = numberAt(c, i, lex);
      if (!n || !counts.employeeNouns.has(w[n.end] ?? '')) continue;
      // "embaucher 2 salariés", "3 ETP prévus": a plan, not the payroll.
      const around = [...w.slice(Math.max(0, i - 3), i), w[n.end + 1] ?? ''];
      if (around.some((b) => counts.hiringWords.has(b))) continue;
      const v = within(n, 0, 100000);
      if (v !== null) return { value: v, term: text(c, i, n.end + 1) };
    }
  }
  return null;
}

/**
 * The holder's age when the text says it (« j'ai 22 ans », « 24 ans, je m'installe »), or null.
 * « j'ai 3 ans d'expérience » is a duration, not an age: a following « de/d' » rules it out.
 */
export function age(clauses: readonly PreparedClause[], lex: Lexicons): Count | null {
  for (const c of clauses) {
    const w = c.words;
    const isAge = (start: number, n: { end: number }) => (w[n.end] === 'ans' || w[n.end] === 'an') && w[n.end + 1] !== 'de' && w[n.end + 1] !== 'd' && start >= 0;
    for (const m of allMatches(lex.counts.ageVerbs, c, 0, false)) {
      const n = numberAt(c, m.end, lex);
      const v = n && isAge(m.start, n) ? within(n, 12, 99) : null;
      if (n && v !== null) return { value: v, term: text(c, m.start, n.end + 1) };
    }
    // A number of years opening the message or a clause: « 24 ans, je m'installe ».
    const n = numberAt(c, 0, lex);
    const v = n && isAge(0, n) && /^\d+$/.test(w[0] ?? '') ? within(n, 15, 99) : null;
    if (n && v !== null) return { value: v, term: text(c, 0, n.end + 1) };
  }
  return null;
}
