// Answers to precise questions (yes/no, e-mail, phone, a number) through Microsoft's
// recognizers, with the lexicons first where the French models fall short. The first call of
// each recognizer builds its models: warmUp() pays that once at start-up.
import { createRequire } from 'node:module';
import { lexicons, type Lexicons, type YesNoKind } from './lexicon.js';
import { bestMatches, prepare } from './matcher.js';
import { clauses, MAX_TEXT_LENGTH, words } from './text.js';

type ChoicePackage = typeof import('@microsoft/recognizers-text-choice');
type SequencePackage = typeof import('@microsoft/recognizers-text-sequence');
type NumberPackage = typeof import('@microsoft/recognizers-text-number');

const requireHere = createRequire(import.meta.url);
// The suite's packages, each required on first use: choice (yes/no), sequence (e-mail, phone),
// number (cardinals). Not the suite's umbrella module: it also loads the date-time and
// number-with-unit models (≈ 20 MB) that Aiguillage never uses.
let choice: ChoicePackage | null = null;
let sequence: SequencePackage | null = null;
const choices = (): ChoicePackage => (choice ??= requireHere('@microsoft/recognizers-text-choice') as ChoicePackage);
const sequences = (): SequencePackage => (sequence ??= requireHere('@microsoft/recognizers-text-sequence') as SequencePackage);
const FRENCH = 'fr-fr';
const ENGLISH = 'en-us';

/** A number found in a text by the French cardinal model. */
interface FoundNumber {
  text: string;
  value: number;
}
let frenchCardinals: ((text: string) => FoundNumber[]) | null = null;

/**
 * Microsoft's French number recognizer, cardinals only (integers and decimals, in digits or in
 * words), from the suite's number package. Why not the suite's whole number model: it also
 * carries the fraction model ("trois quarts"), whose two 120 KB regular expressions take V8
 * 2.5 s to compile on first use and blocked the server for that long at every start; a team
 * size or a head count is never a fraction.
 */
function readFrenchCardinals(text: string): FoundNumber[] {
  if (!frenchCardinals) {
    const numbers = requireHere('@microsoft/recognizers-text-number') as NumberPackage;
    const extractor = new numbers.FrenchCardinalExtractor();
    const parser = numbers.AgnosticNumberParserFactory.getParser(numbers.AgnosticNumberParserType.Number, new numbers.FrenchNumberParserConfiguration());
    frenchCardinals = (input) =>
      extractor.extract(input).map((found) => {
        const value = parser.parse(found)?.value as unknown;
        return { text: found.text, value: typeof value === 'number' ? value : Number.parseFloat(String(value).replace(',', '.')) };
      });
  }
  return frenchCardinals(text);
}
// ---------------------------------------------------------------------------------------------
// Numbers

const numberCache = new Map<string, number | null>();

/** Value of a number written alone ("4", "quatre", "vingt cinq", "une dizaine"), or null. */
export function numberValue(phrase: string, lex: Lexicons = lexicons()): number | null {
  const ws = words(phrase, lex.shorthands);
  if (ws.length === 0) return null;
  if (ws.length === 1 && /^\d+$/.test(ws[0]!)) return Number.parseInt(ws[0]!, 10);
  if (ws.length === 1 && (ws[0] === 'un' || ws[0] === 'une')) return 1;
  const approx = ws.map((w) => lex.counts.approximations.get(w)).find((v) => v !== undefined);
  if (approx !== undefined) return approx;
  const key = ws.join(' ');
  if (!numberCache.has(key)) {
    const value = readFrenchCardinals(key)[0]?.value ?? Number.NaN;
    numberCache.set(key, Number.isFinite(value) ? value : null);
  }
  return numberCache.get(key) ?? null;
}

/**
 * The first number of an answer ("on est 4" → 4, "une dizaine" → 10, "vingt-cinq" → 25).
 * "un"/"une" is an article, not 1 (DESIGN §6), unless it is the whole answer ("une", "un seul").
 */
export function recognizeNumber(text: string): number | null {
  const lex = lexicons();
  const input = text.slice(0, MAX_TEXT_LENGTH);
  const ws = words(input, lex.shorthands);
  const approx = ws.find((w) => lex.counts.approximations.has(w));
  if (approx !== undefined) return lex.counts.approximations.get(approx)!;
  const article = (w: string | undefined) => w === 'un' || w === 'une';
  if (article(ws[0]) && (ws.length === 1 || (ws.length === 2 && (ws[1] === 'seul' || ws[1] === 'seule')))) return 1;
  // The recognizer only runs when there is something to read.
  if (!/\d/.test(input) && !ws.some((w) => lex.counts.numberWords.has(w) && !article(w))) return null;
  for (const found of readFrenchCardinals(input)) {
    if (article(found.text.trim().toLowerCase())) continue;
    if (Number.isFinite(found.value)) return found.value;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// E-mail and phone: the French culture has no sequence models, the English ones (ENGLISH) read
// French text fine (DESIGN §6).

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/i;

export function recognizeEmail(text: string): string | null {
  if (!text.includes('@')) return null;
  const input = text.slice(0, MAX_TEXT_LENGTH);
  for (const r of sequences().recognizeEmail(input, ENGLISH)) {
    const value = String(r.resolution.value).replace(/[.,;]+$/, '');
    if (EMAIL_SHAPE.test(value)) return value;
  }
  return null;
}

/** A French number in its usual written form ("06 12 34 56 78"), or null. */
function frenchPhone(raw: string): string | null {
  let digits = raw.replace(/\(0\)/g, '').replace(/[^\d+]/g, '');
  if (digits.startsWith('+33')) digits = `0${digits.slice(3)}`;
  else if (digits.startsWith('0033')) digits = `0${digits.slice(4)}`;
  if (!/^0[1-9]\d{8}$/.test(digits)) return null;
  return digits.replace(/(\d{2})(?=\d)/g, '$1 ');
}

/** What the recognizer misses: "06.12.34.56.78", "06/12/34/56/78". */
const FRENCH_PHONE = /(?:\+33\s?(?:\(0\)\s?)?|0033\s?|\b0)[1-9](?:[\s./-]?\d{2}){4}\b/g;

/**
 * A phone number: French forms ("06 12 34 56 78", "0612345678", "+33 6 12 34 56 78",
 * "06.12.34.56.78") come back as "06 12 34 56 78"; another country's number as typed.
 */
export function recognizePhone(text: string): string | null {
  const input = text.slice(0, MAX_TEXT_LENGTH);
  if (input.replace(/\D/g, '').length < 9) return null;
  const candidates = [
    ...sequences().recognizePhoneNumber(input, ENGLISH).map((r) => String(r.resolution.value)),
    ...(input.match(FRENCH_PHONE) ?? []),
  ];
  for (const c of candidates) {
    const french = frenchPhone(c);
    if (french) return french;
  }
  const international = candidates.find((c) => /^\+\d[\d\s.-]{7,}$/.test(c.trim()));
  return international ? international.trim() : null;
}

// ---------------------------------------------------------------------------------------------
// Yes / no

/**
 * true for yes, false for no, null when unsure or not an answer. The lexicon goes first (the
 * recognizer reads "pas de problème" as no and "je sais pas" as no); any hesitation wins.
 * When yes and no are both said, the word that opens the answer decides ("non, c'est à Vallet").
 */
function yesNoTerms(text: string) {
  const lex = lexicons();
  const input = text.slice(0, MAX_TEXT_LENGTH);
  const prepared = clauses(input, lex.shorthands).map((c) => prepare(c, lex, null));
  const found = bestMatches(lex.yesNo.phrases, prepared, false).sort((a, b) => a.clause - b.clause || a.start - b.start);
  const kinds = found.map((m) => m.term.code as YesNoKind);
  for (const [emoji, kind] of lex.yesNo.emoji) if (input.includes(emoji)) kinds.push(kind);
  return { input, prepared, found, kinds };
}

/** "Je ne sais pas (encore)", "aucune idée"…: the yes/no lexicon's hesitations, as a short answer. */
export function recognizeUnsure(text: string): boolean {
  return text.length <= 80 && yesNoTerms(text).kinds.includes('unsure');
}

export function recognizeYesNo(text: string): boolean | null {
  const { input, prepared, found, kinds } = yesNoTerms(text);
  if (kinds.includes('unsure')) return null;
  if (kinds.length > 0) {
    const first = found[0];
    const opens = first !== undefined && first.clause === 0 && first.start === 0;
    if (opens || kinds.every((k) => k === kinds[0])) return kinds[0] === 'yes';
    return null;
  }
  if (prepared.length === 0 || input.length > 80) return null;
  const results = choices().recognizeBoolean(input, FRENCH);
  const r = results.length === 1 ? results[0] : undefined;
  const resolution = r?.resolution as { value?: unknown; score?: unknown } | undefined;
  if (resolution && typeof resolution.value === 'boolean' && Number(resolution.score) >= 0.7) return resolution.value;
  return null;
}

// ---------------------------------------------------------------------------------------------

/**
 * Builds every recognizer's models once. Their regular expressions compile on first use, and
 * some inputs reach their own ("une" alone costs as much as a whole sentence): one of each.
 */
/** The warm-up, as separate steps so that a server can answer between them. */
export function recognizerWarmSteps(): Array<() => void> {
  const { recognizeBoolean } = choices();
  const { recognizeEmail, recognizePhoneNumber } = sequences();
  return [
    ...['une', 'un', 'nous sommes quatre, avec 3 amis, vingt-cinq personnes, 1,5 salarié', 'dix sept', 'une dizaine'].map(
      (text) => () => void readFrenchCardinals(text),
    ),
    () => ['oui', 'non merci', 'pas du tout'].forEach((text) => recognizeBoolean(text, FRENCH)),
    () => void recognizeEmail('contact : jean.dupont@example.org', ENGLISH),
    () => void recognizePhoneNumber('06 12 34 56 78 ou +33 6 12 34 56 78', ENGLISH),
  ];
}

export function warmRecognizers(): void {
  for (const step of recognizerWarmSteps()) step();
}
