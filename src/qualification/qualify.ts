// Free text → the facts it states, as a partial Profile. Unknown stays null: a weak or
// contradictory hint is not turned into a guess (see the notes in data/lexicons/*.json).
import {
  emptyProfile,
  NEEDS,
  type Need,
  type Profile,
  type ProjectType,
  type Sector,
  type Stage,
} from '../domain/profile.js';
import type { PlaceMatch, TerritoryIndex } from '../territory/types.js';
import { age, employees, teamSize } from './counts.js';
import { LEXICON_FACTS, lexicons, type FieldLexicon, type FieldName, type LexiconFact, type Lexicons } from './lexicon.js';
import { buildTypoIndex, isNeedNegated, isNegated, bestMatches, prepare, type PreparedClause, type TypoIndex } from './matcher.js';
import { placeToProfile } from './place.js';
import { recognizeEmail, recognizePhone } from './recognizers.js';
import { clauses, MAX_TEXT_LENGTH } from './text.js';

export interface MatchedTerm {
  field: FieldName | LexiconFact | 'teamSize' | 'employees' | 'age';
  /** The code the term gave (null for counts). */
  code: string | null;
  /** The lexicon term as written in data/lexicons (what to edit), or the counted words. */
  term: string;
  /** The holder's words that matched, normalised. */
  text: string;
}

export interface Qualification {
  /** Partial: what the text did not say stays null / []. */
  profile: Profile;
  /** The raw territory match (the bot asks "which one?" when it is ambiguous). */
  place: PlaceMatch | null;
  teamSize: number | null;
  employees: number | null;
  email: string | null;
  phone: string | null;
  matched: MatchedTerm[];
}


// ---------------------------------------------------------------------------------------------

const typoIndexes = new WeakMap<Lexicons, TypoIndex>();

function typoIndex(lex: Lexicons): TypoIndex {
  let index = typoIndexes.get(lex);
  if (!index) typoIndexes.set(lex, (index = buildTypoIndex(lex.vocabulary)));
  return index;
}

export function prepareText(text: string, lex: Lexicons = lexicons()): PreparedClause[] {
  const typos = typoIndex(lex);
  return clauses(text, lex.shorthands).map((c) => prepare(c, lex, typos));
}

interface Hit {
  code: string;
  weight: number;
  term: string;
  text: string;
}

/**
 * The terms of one field that the text states (`ignore` phrases left out). A negated term is
 * left out too, except for a yes/no fact, where « pas d'installation agricole » says « non ».
 */
function hits(field: FieldLexicon, prepared: readonly PreparedClause[], lex: Lexicons, answerMode: boolean): Hit[] {
  const out: Hit[] = [];
  for (const m of bestMatches(field.phrases, prepared, answerMode)) {
    if (m.term.code === null) continue;
    const c = prepared[m.clause]!;
    const negated = field.field === 'needs' ? isNeedNegated(lex.negations, c, m.start, m.end) : isNegated(lex.negations, c, m.start);
    const text = c.words.slice(m.start, m.end).join(' ');
    if (!negated) out.push({ code: m.term.code, weight: m.term.weight, term: m.term.source, text });
    else if (m.term.code === 'oui') out.push({ code: 'non', weight: m.term.weight, term: m.term.source, text });
  }
  return out;
}

/** The facts of facts.json that the text states; counts (employees, age) weigh as strong terms. */
function factsOf(
  prepared: readonly PreparedClause[],
  lex: Lexicons,
  counted: { employees: number | null; age: number | null },
  matched: MatchedTerm[],
): Pick<Profile, LexiconFact> {
  const out = {} as Pick<Profile, LexiconFact>;
  for (const fact of LEXICON_FACTS) {
    const field = lex.facts[fact];
    const found = hits(field, prepared, lex, false);
    for (const x of found) matched.push({ field: fact, code: x.code, term: x.term, text: x.text });
    if (fact === 'employerStructure' && counted.employees !== null)
      found.push({ code: counted.employees > 0 ? 'oui' : 'non', weight: 3, term: 'effectif', text: String(counted.employees) });
    if (fact === 'youngHolder' && counted.age !== null)
      found.push({ code: counted.age < 26 ? 'oui' : 'non', weight: 4, term: 'âge', text: 'âge' });
    const code = pick(field, found);
    if (fact === 'trade') out.trade = code as Profile['trade'];
    else out[fact] = code === null ? null : code === 'oui';
  }
  return out;
}

/**
 * One value for a single-valued field: the code whose strongest term weighs most, then the
 * highest total; a remaining tie goes to the lexicon's tieBreak order, or stays unknown.
 */
function pick(field: FieldLexicon, found: readonly Hit[]): string | null {
  const scores = new Map<string, { max: number; sum: number }>();
  for (const h of found) {
    const s = scores.get(h.code) ?? { max: 0, sum: 0 };
    s.max = Math.max(s.max, h.weight);
    s.sum += h.weight;
    scores.set(h.code, s);
  }
  const ranked = [...scores.entries()].sort((a, b) => b[1].max - a[1].max || b[1].sum - a[1].sum);
  const best = ranked[0];
  if (!best) return null;
  const tied = ranked.filter(([, s]) => s.max === best[1].max && s.sum === best[1].sum).map(([code]) => code);
  if (tied.length === 1) return best[0];
  return field.tieBreak?.find((code) => tied.includes(code)) ?? null;
}

function needsOf(found: readonly Hit[]): Need[] {
  const codes = new Set(found.map((h) => h.code));
  return NEEDS.filter((n) => codes.has(n));
}

// ---------------------------------------------------------------------------------------------

/**
 * Everything a free message states about the project, places looked up in `territory` (null:
 * none). Synchronous and fast. The public `qualify` (index.ts) passes the official territory.
 */
export function qualifyWith(text: string, territory: TerritoryIndex | null): Qualification {
  const lex = lexicons();
  const input = text.slice(0, MAX_TEXT_LENGTH);
  const prepared = prepareText(input, lex);
  const matched: MatchedTerm[] = [];
  const profile = emptyProfile();

  const team = teamSize(prepared, lex);
  const staff = employees(prepared, lex);
  const holderAge = age(prepared, lex);
  if (team) matched.push({ field: 'teamSize', code: null, term: team.term, text: team.term });
  if (staff) matched.push({ field: 'employees', code: null, term: staff.term, text: staff.term });
  // The age itself is never kept: only whether the holder is under 26 (minimal collection).
  if (holderAge) matched.push({ field: 'age', code: null, term: 'âge', text: 'âge' });

  const found = (name: FieldName) => {
    const h = hits(lex.fields[name], prepared, lex, false);
    for (const x of h) matched.push({ field: name, code: x.code, term: x.term, text: x.text });
    return h;
  };
  const stageHits = found('stage');
  // Employees on the payroll today are a fact: the structure exists.
  if (staff && staff.value > 0) stageHits.push({ code: 'developpement', weight: 3, term: staff.term, text: staff.term });
  profile.stage = pick(lex.fields.stage, stageHits) as Stage | null;
  profile.sector = pick(lex.fields.sector, found('sector')) as Sector | null;
  const typeHits = found('projectType');
  // Two people or more make a group, as much as the word "collectif" does.
  if (team && team.value >= 2) typeHits.push({ code: 'collectif', weight: 2, term: team.term, text: team.term });
  profile.projectType = pick(lex.fields.projectType, typeHits) as ProjectType | null;
  profile.needs = needsOf(found('needs'));
  Object.assign(profile, factsOf(prepared, lex, { employees: staff?.value ?? null, age: holderAge?.value ?? null }, matched));

  const place = territory && prepared.length > 0 ? territory.findInText(input) : null;
  Object.assign(profile, placeToProfile(place, territory));

  return {
    profile,
    place,
    teamSize: team?.value ?? null,
    employees: staff?.value ?? null,
    // The sequence recognizers only run when the text can hold what they look for.
    email: input.includes('@') ? recognizeEmail(input) : null,
    phone: recognizePhone(input),
    matched,
  };
}

// ---------------------------------------------------------------------------------------------
// Answers to one question: the buttons' labels and short answers ("autre", "seul") count too.

export type FieldValue<F extends FieldName> = F extends 'stage'
  ? Stage | null
  : F extends 'sector'
    ? Sector | null
    : F extends 'projectType'
      ? ProjectType | null
      : Need[];

/** The answer to the question about `field` ("Quel est le stade de votre projet ?"). */
export function qualifyField<F extends FieldName>(field: F, text: string): FieldValue<F> {
  const lex = lexicons();
  const prepared = prepareText(text.slice(0, MAX_TEXT_LENGTH), lex);
  const found = hits(lex.fields[field], prepared, lex, true);
  if (field === 'needs') return needsOf(found) as FieldValue<F>;
  if (field === 'projectType') {
    const team = teamSize(prepared, lex);
    if (team && team.value >= 2) found.push({ code: 'collectif', weight: 2, term: team.term, text: team.term });
  }
  return pick(lex.fields[field], found) as FieldValue<F>;
}

export const qualifyStage = (text: string): Stage | null => qualifyField('stage', text);
export const qualifySector = (text: string): Sector | null => qualifyField('sector', text);
export const qualifyProjectType = (text: string): ProjectType | null => qualifyField('projectType', text);
export const qualifyNeeds = (text: string): Need[] => qualifyField('needs', text);
