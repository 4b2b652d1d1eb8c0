// Lexicons: the words that coordinators maintain in data/lexicons/*.json, validated at load
// (a French message names the file and the entry) and compiled once into matchers.
//
// Term syntax, inside a JSON string (accents, case and apostrophes do not matter):
//   "habitat partagé"     consecutive words; plurals and feminines are tolerated (see stem())
//   "on|nous veut|voulons" one word among several
//   "dévelop*"            any word starting with "dévelop" (at least 4 letters before the *)
//   "la? mairie"          an optional word
//   "depuis # ans"        # is a number, in digits or in words ("10", "dix", "une dizaine")
import { readFileSync } from 'node:fs';
import { projectPath } from '../paths.js';
import { z } from 'zod';
import {
  NEED_LABELS,
  NEEDS,
  PROJECT_TYPE_LABELS,
  PROJECT_TYPES,
  SECTOR_LABELS,
  SECTORS,
  STAGE_LABELS,
  STAGES,
  TRADE_LABELS,
  TRADES,
} from '../domain/profile.js';
import { normalizeText } from '../territory/index.js';
import { stem, type Shorthands } from './text.js';

export type FieldName = 'stage' | 'sector' | 'projectType' | 'needs';

/** The facts of data/lexicons/facts.json: yes/no facts (codes oui/non) and the chamber's trade. */
export const LEXICON_FACTS = ['agriculturalInstallation', 'takeover', 'cooperativeForm', 'employerStructure', 'youngHolder', 'trade'] as const;
export type LexiconFact = (typeof LEXICON_FACTS)[number];
const YES_NO_CODES = ['oui', 'non'] as const;
const FACT_CODES: Record<LexiconFact, readonly string[]> = {
  agriculturalInstallation: YES_NO_CODES,
  takeover: YES_NO_CODES,
  cooperativeForm: YES_NO_CODES,
  employerStructure: YES_NO_CODES,
  youngHolder: YES_NO_CODES,
  trade: TRADES,
};

const FIELD_CODES: Record<FieldName, readonly string[]> = {
  stage: STAGES,
  sector: SECTORS,
  projectType: PROJECT_TYPES,
  needs: NEEDS,
};
const FIELD_LABELS: Record<FieldName, Record<string, string>> = {
  stage: STAGE_LABELS,
  sector: SECTOR_LABELS,
  projectType: PROJECT_TYPE_LABELS,
  needs: NEED_LABELS,
};

/**
 * How much a term weighs: a strong term settles the field, a weak one yields to any other, a
 * decisive one wins even against another strong term (an insertion structure's status).
 */
export const WEIGHTS = { decisive: 4, strong: 3, terms: 2, weak: 1, answers: 2 } as const;

// ---------------------------------------------------------------------------------------------
// Schemas (what a coordinator may write)

const termList = z.array(z.string().trim().min(1)).default([]);
const notes = z.union([z.string(), z.array(z.string())]).optional();

const entrySchema = z
  .object({ code: z.string(), notes, decisive: termList, strong: termList, terms: termList, weak: termList, answers: termList })
  .strict();

const fieldLexiconSchema = z
  .object({
    field: z.enum(['stage', 'sector', 'projectType', 'needs']),
    notes,
    /** Codes in order of preference when two codes score the same; absent: unknown (null). */
    tieBreak: z.array(z.string()).optional(),
    /** Phrases that consume their words without meaning anything here ("au lieu de"). */
    ignore: termList,
    entries: z.array(entrySchema).min(1),
  })
  .strict();

const negationsSchema = z
  .object({
    notes,
    /** How many meaningful words before a term a negation may stand. */
    window: z.number().int().min(1).max(8),
    negators: termList,
    notNegations: termList,
    needNegators: termList,
    needNegatorsAfter: termList,
    needOwned: termList,
    lackWords: termList,
    barriers: termList,
    skip: termList,
  })
  .strict();

const emojiList = z.array(z.string().min(1)).default([]);
const yesNoSchema = z
  .object({
    notes,
    yes: termList,
    no: termList,
    unsure: termList,
    /** Emoji vanish in normalisation: matched on the raw text. */
    emoji: z.object({ yes: emojiList, no: emojiList, unsure: emojiList }).strict().default({ yes: [], no: [], unsure: [] }),
  })
  .strict();

const shorthandsSchema = z
  .object({ notes, shorthands: z.record(z.string().regex(/^[a-z0-9]+$/, 'un seul mot, minuscules sans accents'), z.string().min(1)) })
  .strict();

const countsSchema = z
  .object({
    notes,
    numberWords: z.array(z.string().regex(/^[a-z]+$/)).min(1),
    approximations: z.record(z.string().regex(/^[a-z]+$/), z.number().int().positive()),
    teamVerbs: termList,
    teamNouns: termList,
    companionNouns: termList,
    employeeNouns: termList,
    hiringWords: termList,
    noneWords: termList,
    /** Before a number of years: the holder's age (« j'ai 22 ans », « âgée de 19 ans »). */
    ageVerbs: termList,
  })
  .strict();

export type FieldLexiconFile = z.infer<typeof fieldLexiconSchema>;

const factLexiconSchema = fieldLexiconSchema.omit({ field: true }).extend({ fact: z.enum(LEXICON_FACTS) }).strict();
const factsFileSchema = z.object({ notes, facts: z.array(factLexiconSchema).min(1) }).strict();


// ---------------------------------------------------------------------------------------------
// Compiled forms

export interface TokenPattern {
  /** Exact stems accepted at this position. */
  stems: ReadonlySet<string>;
  /** Word prefixes accepted at this position. */
  prefixes: readonly string[];
  /** True for #: any number. */
  number: boolean;
}

export interface CompiledTerm {
  /** null for an `ignore` phrase. */
  code: string | null;
  weight: number;
  /** Only when answering the question about this field ("autre", the buttons' labels). */
  answerOnly: boolean;
  /** The term as the coordinator wrote it, for explanations. */
  source: string;
  tokens: readonly TokenPattern[];
}

export interface PhraseSet {
  terms: readonly CompiledTerm[];
  /** Terms indexed by the stems their first token accepts. */
  byFirstStem: ReadonlyMap<string, readonly CompiledTerm[]>;
  /** Terms whose first token is a prefix or a number: tried at every position. */
  scanned: readonly CompiledTerm[];
}

export interface FieldLexicon {
  field: FieldName | LexiconFact;
  file: string;
  tieBreak: readonly string[] | null;
  phrases: PhraseSet;
}

export interface Negations {
  window: number;
  negators: PhraseSet;
  notNegations: PhraseSet;
  needNegators: PhraseSet;
  /** Dismissals that follow the need ("le statut, on verra plus tard"). */
  needNegatorsAfter: PhraseSet;
  /** Owning dismisses a need only right before it ("on a un local"). */
  needOwned: PhraseSet;
  /** A need said as a lack ("pas d'argent", "0 euros") is never dismissed by owning. */
  lackWords: ReadonlySet<string>;
  barriers: PhraseSet;
  skip: ReadonlySet<string>;
}

export type YesNoKind = 'yes' | 'no' | 'unsure';

export interface YesNo {
  phrases: PhraseSet;
  emoji: ReadonlyArray<readonly [string, YesNoKind]>;
}

export interface Counts {
  numberWords: ReadonlySet<string>;
  approximations: ReadonlyMap<string, number>;
  teamVerbs: PhraseSet;
  teamNouns: ReadonlySet<string>;
  companionNouns: ReadonlySet<string>;
  employeeNouns: ReadonlySet<string>;
  hiringWords: ReadonlySet<string>;
  noneWords: PhraseSet;
  ageVerbs: PhraseSet;
}

export interface Lexicons {
  fields: Record<FieldName, FieldLexicon>;
  /** data/lexicons/facts.json: what a receptionist distinguishes (installation, reprise…). */
  facts: Record<LexiconFact, FieldLexicon>;
  negations: Negations;
  yesNo: YesNo;
  counts: Counts;
  shorthands: Shorthands;
  /** Every exact stem of every field lexicon: what a typo may be corrected to. */
  vocabulary: ReadonlySet<string>;
}

// ---------------------------------------------------------------------------------------------
// Errors

export class LexiconError extends Error {
  override readonly name = 'LexiconError';
}

function fail(file: string, where: string, problem: string): never {
  throw new LexiconError(`Lexique ${file}${where ? `, ${where}` : ''} : ${problem}`);
}

/** "entrée « idee », terms[3]" from a zod path, naming the entry by its code when it has one. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  let node: unknown = raw;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const next = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (key === 'entries' && typeof path[i + 1] === 'number') {
      const entry = (next as unknown[] | undefined)?.[path[i + 1] as number] as { code?: unknown } | undefined;
      parts.push(typeof entry?.code === 'string' ? `entrée « ${entry.code} »` : `entrée n° ${(path[i + 1] as number) + 1}`);
      node = (next as unknown[] | undefined)?.[path[i + 1] as number];
      i++;
      continue;
    }
    parts.push(typeof key === 'number' ? `[${key}]` : String(key));
    node = next;
  }
  return parts.join(', ').replace(/, \[/g, '[');
}

function parseFile<T>(schema: z.ZodType<T>, file: string, text: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    fail(file, '', `JSON invalide (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = schema.safeParse(raw, { error: z.locales.fr().localeError });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    fail(file, describePath(raw, issue.path), issue.message);
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Compiling terms

export interface CompileContext {
  file: string;
  where: string;
  shorthands: Shorthands;
}

/** One written token (maybe "a|b", "x*", "y?", "#") → one or more positions. */
function compileToken(raw: string, ctx: CompileContext, term: string): { patterns: TokenPattern[]; optional: boolean } {
  let token = raw;
  const optional = token.endsWith('?') && token.length > 1;
  if (optional) token = token.slice(0, -1);
  if (token === '#') return { patterns: [{ stems: new Set(), prefixes: [], number: true }], optional };
  const alternatives = token.split('|');
  if (alternatives.some((a) => a === '')) fail(ctx.file, ctx.where, `« ${term} » : alternative vide dans « ${raw} »`);
  const stems = new Set<string>();
  const prefixes: string[] = [];
  const sequence: string[][] = [];
  for (const alternative of alternatives) {
    const isPrefix = alternative.endsWith('*');
    const words = normalizeText(isPrefix ? alternative.slice(0, -1) : alternative).split(' ').filter(Boolean);
    const expanded = words.flatMap((w) => ctx.shorthands.get(w) ?? [w]);
    if (expanded.length === 0) fail(ctx.file, ctx.where, `« ${term} » : « ${alternative} » ne contient aucun mot`);
    if (isPrefix) {
      const prefix = expanded.join('');
      if (expanded.length > 1 || prefix.length < 4)
        fail(ctx.file, ctx.where, `« ${term} » : un préfixe (mot*) doit être un seul mot d’au moins 4 lettres`);
      prefixes.push(prefix);
    } else if (expanded.length > 1) {
      // "j'aimerais", "micro-crèche": several words; allowed only outside an alternation.
      if (alternatives.length > 1 || optional)
        fail(ctx.file, ctx.where, `« ${term} » : « ${alternative} » fait plusieurs mots, impossible dans une alternative (a|b) ou avec ?`);
      sequence.push(expanded);
    } else {
      stems.add(stem(expanded[0]!));
    }
  }
  if (sequence.length > 0) {
    return { patterns: sequence[0]!.map((w) => ({ stems: new Set([stem(w)]), prefixes: [], number: false })), optional };
  }
  return { patterns: [{ stems, prefixes, number: false }], optional };
}

export function compileTerm(
  term: string,
  code: string | null,
  weight: number,
  answerOnly: boolean,
  ctx: CompileContext,
): CompiledTerm[] {
  // Spaces separate positions; inside one, apostrophes and hyphens make several words
  // ("j'aimerais", "tiers-lieu"), which an alternative may not ("l'|la" is fine: one word each).
  const rawTokens = term.split(/\s+/).filter(Boolean);
  let variants: TokenPattern[][] = [[]];
  for (const raw of rawTokens) {
    const { patterns, optional } = compileToken(raw, ctx, term);
    const withToken = variants.map((v) => [...v, ...patterns]);
    variants = optional ? [...withToken, ...variants] : withToken;
  }
  variants = variants.filter((v) => v.length > 0);
  if (variants.length === 0) fail(ctx.file, ctx.where, `« ${term} » ne contient aucun mot`);
  return variants.map((tokens) => ({ code, weight, answerOnly, source: term, tokens }));
}

export function phraseSet(terms: readonly CompiledTerm[]): PhraseSet {
  const byFirstStem = new Map<string, CompiledTerm[]>();
  const scanned: CompiledTerm[] = [];
  for (const term of terms) {
    const first = term.tokens[0]!;
    if (first.number || first.prefixes.length > 0) scanned.push(term);
    else
      for (const s of first.stems) {
        const list = byFirstStem.get(s);
        if (list) list.push(term);
        else byFirstStem.set(s, [term]);
      }
  }
  return { terms, byFirstStem, scanned };
}

function compileList(list: readonly string[], ctx: CompileContext, field: string): PhraseSet {
  return phraseSet(list.flatMap((t, i) => compileTerm(t, null, 1, false, { ...ctx, where: `${field}[${i}]` })));
}

function compileField(file: string, data: FieldLexiconFile, shorthands: Shorthands, expected: FieldName): FieldLexicon {
  if (data.field !== expected) fail(file, 'field', `attendu « ${expected} », trouvé « ${data.field} »`);
  return compileEntries(file, data, shorthands, expected, FIELD_CODES[expected], FIELD_LABELS[expected], '');
}

/** One fact of facts.json; yes/no facts answer through the yes/no lexicon, not their labels. */
function compileFact(file: string, data: z.infer<typeof factLexiconSchema>, shorthands: Shorthands): FieldLexicon {
  const labels: Record<string, string> = data.fact === 'trade' ? TRADE_LABELS : {};
  return compileEntries(file, data, shorthands, data.fact, FACT_CODES[data.fact], labels, `fait « ${data.fact} », `);
}

function compileEntries(
  file: string,
  data: Omit<FieldLexiconFile, 'field'>,
  shorthands: Shorthands,
  expected: FieldName | LexiconFact,
  codes: readonly string[],
  labels: Record<string, string>,
  prefix: string,
): FieldLexicon {
  const seen = new Set<string>();
  const terms: CompiledTerm[] = [];
  for (const entry of data.entries) {
    const where = `${prefix}entrée « ${entry.code} »`;
    if (!codes.includes(entry.code)) fail(file, where, `code inconnu ; codes possibles : ${codes.join(', ')}`);
    if (seen.has(entry.code)) fail(file, where, 'code en double');
    seen.add(entry.code);
    for (const group of ['decisive', 'strong', 'terms', 'weak', 'answers'] as const) {
      entry[group].forEach((t, i) => {
        terms.push(...compileTerm(t, entry.code, WEIGHTS[group], group === 'answers', { file, where: `${where}, ${group}[${i}]`, shorthands }));
      });
    }
  }
  // The labels the bot shows on buttons, and the codes themselves, always answer the question.
  for (const code of Object.keys(labels)) {
    const label = labels[code];
    const answers = [code.replace(/_/g, ' '), ...(label ? label.split(',') : [])];
    for (const a of answers) terms.push(...compileTerm(a, code, WEIGHTS.answers, true, { file, where: `libellé de « ${code} »`, shorthands }));
  }
  data.ignore.forEach((t, i) => terms.push(...compileTerm(t, null, 0, false, { file, where: `${prefix}ignore[${i}]`, shorthands })));
  const tieBreak = data.tieBreak ?? null;
  tieBreak?.forEach((c, i) => {
    if (!codes.includes(c)) fail(file, `${prefix}tieBreak[${i}]`, `code inconnu « ${c} »`);
  });
  return { field: expected, file, tieBreak, phrases: phraseSet(terms) };
}

// ---------------------------------------------------------------------------------------------
// Loading (once)

const DEFAULT_DIR = projectPath('data', 'lexicons') + '/';

function read(dir: string, name: string): { file: string; text: string } {
  const path = `${dir.replace(/\/?$/, '/')}${name}`;
  const file = `data/lexicons/${name}`;
  try {
    return { file, text: readFileSync(path, 'utf8') };
  } catch (error) {
    fail(file, '', `fichier illisible (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Reads and validates every lexicon of a directory; throws LexiconError in French. */
export function loadLexiconsFrom(dir: string): Lexicons {
  const sh = read(dir, 'shorthands.json');
  const shorthandsData = parseFile(shorthandsSchema, sh.file, sh.text);
  const shorthands = new Map<string, string[]>();
  for (const [key, value] of Object.entries(shorthandsData.shorthands)) {
    shorthands.set(key, normalizeText(value).split(' ').filter(Boolean));
  }

  const fieldFiles: Record<FieldName, string> = {
    stage: 'stage.json',
    sector: 'sector.json',
    projectType: 'projectType.json',
    needs: 'needs.json',
  };
  const fields = {} as Record<FieldName, FieldLexicon>;
  for (const field of Object.keys(fieldFiles) as FieldName[]) {
    const { file, text } = read(dir, fieldFiles[field]);
    fields[field] = compileField(file, parseFile(fieldLexiconSchema, file, text), shorthands, field);
  }

  const factsRead = read(dir, 'facts.json');
  const factsData = parseFile(factsFileSchema, factsRead.file, factsRead.text);
  const facts = {} as Record<LexiconFact, FieldLexicon>;
  for (const f of factsData.facts) {
    if (facts[f.fact]) fail(factsRead.file, `fait « ${f.fact} »`, 'fait en double');
    facts[f.fact] = compileFact(factsRead.file, f, shorthands);
  }
  for (const name of LEXICON_FACTS) if (!facts[name]) fail(factsRead.file, '', `fait « ${name} » absent`);

  const neg = read(dir, 'negations.json');
  const n = parseFile(negationsSchema, neg.file, neg.text);
  const nctx = { file: neg.file, where: '', shorthands };
  const negations: Negations = {
    window: n.window,
    negators: compileList(n.negators, nctx, 'negators'),
    notNegations: compileList(n.notNegations, nctx, 'notNegations'),
    needNegators: compileList(n.needNegators, nctx, 'needNegators'),
    needNegatorsAfter: compileList(n.needNegatorsAfter, nctx, 'needNegatorsAfter'),
    needOwned: compileList(n.needOwned, nctx, 'needOwned'),
    lackWords: new Set(n.lackWords.flatMap((w) => normalizeText(w).split(' ').filter(Boolean))),
    barriers: compileList(n.barriers, nctx, 'barriers'),
    skip: new Set(n.skip.flatMap((w) => normalizeText(w).split(' ').filter(Boolean))),
  };

  const yn = read(dir, 'yesno.json');
  const y = parseFile(yesNoSchema, yn.file, yn.text);
  const yctx = { file: yn.file, shorthands };
  const yesNo: YesNo = {
    phrases: phraseSet(
      (['yes', 'no', 'unsure'] as const).flatMap((kind) =>
        y[kind].flatMap((t, i) => compileTerm(t, kind, 1, false, { ...yctx, where: `${kind}[${i}]` })),
      ),
    ),
    emoji: (['yes', 'no', 'unsure'] as const).flatMap((kind) => y.emoji[kind].map((e) => [e, kind] as const)),
  };

  const ct = read(dir, 'counts.json');
  const c = parseFile(countsSchema, ct.file, ct.text);
  const cctx = { file: ct.file, where: '', shorthands };
  const wordSet = (list: readonly string[], key: string) =>
    new Set(
      list.map((w, i) => {
        const ws = normalizeText(w).split(' ').filter(Boolean);
        if (ws.length !== 1) fail(ct.file, `${key}[${i}]`, `« ${w} » doit être un seul mot`);
        return ws[0]!;
      }),
    );
  const counts: Counts = {
    numberWords: new Set(c.numberWords),
    approximations: new Map(Object.entries(c.approximations)),
    teamVerbs: compileList(c.teamVerbs, cctx, 'teamVerbs'),
    teamNouns: wordSet(c.teamNouns, 'teamNouns'),
    companionNouns: wordSet(c.companionNouns, 'companionNouns'),
    employeeNouns: wordSet(c.employeeNouns, 'employeeNouns'),
    hiringWords: wordSet(c.hiringWords, 'hiringWords'),
    noneWords: compileList(c.noneWords, cctx, 'noneWords'),
    ageVerbs: compileList(c.ageVerbs, cctx, 'ageVerbs'),
  };

  const vocabulary = new Set<string>();
  for (const f of [...Object.values(fields), ...Object.values(facts)])
    for (const t of f.phrases.terms) for (const tok of t.tokens) for (const s of tok.stems) vocabulary.add(s);

  return { fields, facts, negations, yesNo, counts, shorthands, vocabulary };
}

let cached: Lexicons | null = null;

/** The lexicons of data/lexicons, loaded and compiled on first use. */
export function lexicons(): Lexicons {
  cached ??= loadLexiconsFrom(DEFAULT_DIR);
  return cached;
}
