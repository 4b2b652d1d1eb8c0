// Name indexes over the geography. Every commune of France is findable by its exact name (a
// compact table over one string of all the names); the served departments get the tolerant
// indexes on top: names without their small words, partial names, and the vocabulary that
// typos are corrected against.
import type { Geography } from './geography.js';
import { KeyTableBuilder, type KeyTable } from './key-table.js';
import { TerritoryDataError, type TerritoryLexicon, type Words } from './lexicon.js';
import { ARTICLES, editDistance, placeKey, placeKeysJoined, placeTokens } from './normalize.js';
import type { NamedTerritory } from './types.js';

/** What a name other than a commune's official one stands for. */
export type PlaceTarget = (
  | { kind: 'commune'; ref: number }
  | { kind: 'epci'; idx: number }
  | { kind: 'departement'; code: string }
  | { kind: 'territory'; id: string }
) & {
  /** Named in data/territory (an alias, a named territory), not derived from official names. */
  alias?: boolean;
};

/** A partial name shared by more communes than this is no lead at all ("Saint", "Chapelle"). */
export const MAX_PARTIAL = 6;
/** A word found in more names of France than this is an ordinary word, not a partial name. */
const MAX_NAMES_FOR_PARTIAL = 3;

/** Words of an EPCI's legal form, dropped to get its usual name ("CC Sèvre et Loire"). */
export const LEGAL_FORM: ReadonlySet<string> = new Set([
  'cc', 'ca', 'cu', 'communaute', 'communautes', 'communes', 'agglo', 'agglomeration', 'metropole', 'urbaine', 'com', 'comcom',
  'interco', 'intercommunalite', 'epci',
]);
const LEGAL_GLUE: ReadonlySet<string> = new Set(['de', 'du', 'des', 'd', 'la', 'l', 'le', 'les']);

/** Drops the legal-form words around an EPCI name; null when there were none. */
export function stripLegalForm(tokens: readonly string[]): string[] | null {
  let a = 0;
  let b = tokens.length;
  let legal = false;
  while (a < b && (LEGAL_FORM.has(tokens[a]!) || (LEGAL_GLUE.has(tokens[a]!) && legal))) {
    if (LEGAL_FORM.has(tokens[a]!)) legal = true;
    a++;
  }
  while (b > a && LEGAL_FORM.has(tokens[b - 1]!)) {
    legal = true;
    b--;
  }
  return legal && b > a ? tokens.slice(a, b) : null;
}

/** Records (see Geography) by key, for the small served indexes. */
type Refs = number[];

function addRef(map: Map<string, Refs>, key: string, ref: number): void {
  const had = map.get(key);
  if (had === undefined) map.set(key, [ref]);
  else if (!had.includes(ref)) had.push(ref);
}

/** The official names of France as lookup tables; depends on the official data only. */
export interface NameTables {
  /** Keys of all records (see placeKey), joined by '\n' in record order. */
  keys: string;
  /** Record r's key is keys.slice(lineStart[r], lineStart[r + 1] - 1). */
  lineStart: Int32Array;
  /** 1 when the record's name is indexed (a commune, or a déléguée named otherwise than its commune). */
  indexed: Uint8Array;
  names: KeyTable;
  firstWords: KeyTable;
  maxTokens: number;
  /** Communes by postal code, as a number (see Geography.communesByPostalCode). */
  postal: Map<number, number[]>;
  /** For each word of a served name: in how many names of France it appears. */
  wordNames: Map<string, number>;
  /** Keys of each EPCI's name: official, without brackets, the bracketed acronym, without legal form. */
  epciKeys: string[][];
}

/** All the names of France keyed in one pass over one string; the keys stay ranges of it. */
export function buildNameTables(geo: Geography): NameTables {
  const keys = placeKeysJoined(geo.names);
  const names = new KeyTableBuilder(keys, geo.count * 2);
  const firstWords = new KeyTableBuilder(keys, geo.count * 2);
  const lineStart = new Int32Array(geo.count + 1);
  const indexed = new Uint8Array(geo.count);
  let maxTokens = 1;
  for (let r = 0, at = 0; r <= geo.count; r++) {
    lineStart[r] = at;
    const nl = keys.indexOf('\n', at);
    at = nl < 0 ? keys.length + 1 : nl + 1;
  }
  const end = (r: number): number => lineStart[r + 1]! - 1;
  const wordEnd = (from: number, to: number): number => {
    const space = keys.indexOf(' ', from);
    return space < 0 || space > to ? to : space;
  };
  for (let r = 0; r < geo.count; r++) {
    const target = geo.target[r]!;
    const from = lineStart[r]!;
    const to = end(r);
    if (target < 0 || to <= from) continue;
    // A commune déléguée named like its commune adds nothing.
    const sameAsCommune = (): boolean => to - from === end(target) - lineStart[target]! && keys.startsWith(keys.slice(from, to), lineStart[target]!);
    if (target !== r && sameAsCommune()) continue;
    indexed[r] = 1;
    const first = wordEnd(from, to);
    let count = 1;
    for (let i = keys.indexOf(' ', from); i >= 0 && i < to; i = keys.indexOf(' ', i + 1)) count++;
    if (count > maxTokens) maxTokens = count;
    names.add(from, to, r);
    firstWords.add(from, first, count);
    // The same name without its article: "loroux bottereau".
    if (first < to && ARTICLES.has(keys.slice(from, first))) {
      names.add(first + 1, to, r);
      firstWords.add(first + 1, wordEnd(first + 1, to), count - 1);
    }
  }
  const nameTable = names.build();

  const postal = geo.communesByPostalCode();

  const wordNames = new Map<string, number>();
  for (let r = 0; r < geo.count; r++) {
    if (!geo.served[r] || !indexed[r]) continue;
    for (const w of keys.slice(lineStart[r]!, end(r)).split(' ')) wordNames.set(w, 0);
  }
  for (const w of keys.split(/[ \n]/)) {
    const n = wordNames.get(w);
    if (n !== undefined) wordNames.set(w, n + 1);
  }

  const departementKeys = new Set([...geo.departements.values()].map((d) => placeKey(d.nom)));
  // Names without the bracketed part ("(CARENE)"), keyed in one pass; the brackets apart.
  const bare = placeKeysJoined(geo.epciNom.map((nom) => nom.replace(/\([^)]*\)/g, ' ')).join('\n')).split('\n');
  const epciKeys = geo.epciNom.map((nom, idx) => {
    const out = new Set<string>([bare[idx]!]);
    const inBrackets = /\(([^)]*)\)/.exec(nom)?.[1];
    if (inBrackets) {
      out.add(placeKey(nom));
      out.add(placeKey(inBrackets));
    }
    const core = stripLegalForm(bare[idx]!.split(' '));
    // "Nantes Métropole" without its legal form is Nantes, the commune: keep the commune.
    if (core) {
      const k = core.join(' ');
      if (!nameTable.has(k) && !departementKeys.has(k)) out.add(k);
    }
    return [...out].filter(Boolean);
  });

  return { keys, lineStart, indexed, names: nameTable, firstWords: firstWords.build(true), maxTokens, postal, wordNames, epciKeys };
}

export class PlaceIndex {
  /** Official names (and names without their leading article) of every commune and commune déléguée. */
  private readonly names: KeyTable;
  /** First words of those names, with the length in words of the longest name they open. */
  private readonly firstWords: KeyTable;
  /** The same for every other key (aliases, EPCI, departments, partial names…). */
  private readonly otherFirstWords = new Map<string, number>();
  /** The longest key, in words. */
  maxTokens = 1;
  /** Served communes: names without their small words ("saint julien concelles"). */
  readonly skeleton = new Map<string, Refs>();
  /** Served communes: runs of words of a name; null when more than MAX_PARTIAL communes share it. */
  readonly partial = new Map<string, Refs | null>();
  /** Aliases, EPCI, departments, named territories. */
  readonly places = new Map<string, PlaceTarget[]>();
  readonly postal: Map<number, Refs>;
  /** Words of served names, for typo correction: one-deletion neighbourhoods, and the long words. */
  readonly vocabulary = new Set<string>();
  readonly deletions = new Map<string, string | string[]>();
  readonly longWords: string[] = [];
  /** Served keys, and the same without spaces, for the whole-answer typo search of resolve(). */
  readonly servedKeys: string[] = [];
  readonly servedCompact: string[] = [];

  readonly territories = new Map<string, NamedTerritory>();
  readonly territoriesOfEpci = new Map<string, NamedTerritory[]>();

  constructor(
    readonly geo: Geography,
    tables: NameTables,
    lexicon: TerritoryLexicon,
  ) {
    const words = lexicon.words;
    const served = new Set<string>();

    this.names = tables.names;
    this.firstWords = tables.firstWords;
    this.maxTokens = tables.maxTokens;
    const { keys, lineStart } = tables;
    for (let r = 0; r < geo.count; r++) {
      if (!geo.served[r] || !tables.indexed[r]) continue;
      const key = keys.slice(lineStart[r]!, lineStart[r + 1]! - 1);
      this.addServedName(key, withoutArticle(key), r, words, served);
    }

    // Partial names that are the name of a served commune themselves are found exactly; a name
    // only found outside ("Aigrefeuille", 31) stays a lead towards the served one.
    for (const key of this.partial.keys()) {
      if (this.skeleton.has(key) || this.nameRefs(key).some((r) => geo.served[r] === 1)) this.partial.delete(key);
    }
    this.dropCommonPartials(words, tables.wordNames);
    this.postal = tables.postal;

    this.addPlaces(tables, lexicon, served);

    for (const key of served) {
      this.servedKeys.push(key);
      this.servedCompact.push(key.replace(/ /g, ''));
      for (const t of key.split(' ')) if (t.length >= 4 && !words.functionWords.has(t)) this.vocabulary.add(t);
    }
    for (const word of this.vocabulary) {
      if (word.length >= 7) this.longWords.push(word);
      for (const d of deletionsOf(word)) {
        const had = this.deletions.get(d);
        if (had === undefined) this.deletions.set(d, word);
        else if (typeof had === 'string') {
          if (had !== word) this.deletions.set(d, [had, word]);
        } else if (!had.includes(word)) had.push(word);
      }
    }
  }

  /** Records (communes and communes déléguées) with this official name, article optional. */
  nameRefs(key: string): number[] {
    return this.names.get(key);
  }

  /** How many words the longest key that starts with this word has; 0: it opens no key. */
  longestFrom(word: string): number {
    return Math.max(this.firstWords.max(word), this.otherFirstWords.get(word) ?? 0);
  }

  private noteKey(key: string): void {
    const space = key.indexOf(' ');
    const first = space < 0 ? key : key.slice(0, space);
    let count = 1;
    for (let i = space; i >= 0; i = key.indexOf(' ', i + 1)) count++;
    this.otherFirstWords.set(first, Math.max(count, this.otherFirstWords.get(first) ?? 0));
    if (count > this.maxTokens) this.maxTokens = count;
  }

  /** The tolerant readings of a served name: without small words, and its partial names. */
  private addServedName(key: string, stripped: string, ref: number, words: Words, served: Set<string>): void {
    served.add(key);
    served.add(stripped);
    const tokens = key.split(' ');
    const skeleton = tokens.filter((t) => !words.functionWords.has(t));
    const sk = skeleton.join(' ');
    if (skeleton.length > 0 && sk !== key && sk !== stripped) {
      addRef(this.skeleton, sk, ref);
      this.noteKey(sk);
    }
    this.addPartials(tokens, key, stripped, ref, words);
  }

  /** Every run of words of a served name that does not start or end with a small word. */
  private addPartials(tokens: string[], key: string, stripped: string, ref: number, words: Words): void {
    const target = this.geo.target[ref]!;
    for (let a = 0; a < tokens.length; a++) {
      if (words.functionWords.has(tokens[a]!)) continue;
      for (let b = a + 1; b <= tokens.length; b++) {
        if (words.functionWords.has(tokens[b - 1]!)) continue;
        const k = tokens.slice(a, b).join(' ');
        if (k === key || k === stripped) continue;
        const had = this.partial.get(k);
        if (had === null) continue;
        if (had === undefined) {
          this.partial.set(k, [ref]);
          this.noteKey(k);
        } else if (!had.some((r) => this.geo.target[r] === target)) {
          if (had.length >= MAX_PARTIAL) this.partial.set(k, null);
          else had.push(ref);
        }
      }
    }
  }

  /**
   * A single word is a partial name only when it is rare across all the names of France:
   * "Divatte", "Bottereau" are; "Plage", "Moulin", "Haute", "Trois" (in dozens of names) are not.
   */
  private dropCommonPartials(words: Words, wordNames: Map<string, number>): void {
    for (const w of [...this.partial.keys()]) {
      if (w.includes(' ')) continue;
      if (w.length < 4 || (wordNames.get(w) ?? 0) > MAX_NAMES_FOR_PARTIAL || words.common.has(w)) this.partial.delete(w);
    }
  }

  private addPlace(key: string, target: PlaceTarget): void {
    if (!key) return;
    const list = this.places.get(key);
    const id = (t: PlaceTarget): string | number => (t.kind === 'commune' ? t.ref : t.kind === 'epci' ? t.idx : t.kind === 'departement' ? t.code : t.id);
    const same = (t: PlaceTarget): boolean => t.kind === target.kind && id(t) === id(target) && t.alias === target.alias;
    if (!list) this.places.set(key, [target]);
    else if (!list.some(same)) list.push(target);
    this.noteKey(key);
  }

  private addPlaces(tables: NameTables, lexicon: TerritoryLexicon, served: Set<string>): void {
    const geo = this.geo;
    const dataError = (file: string, message: string): never => {
      throw new TerritoryDataError(`data/territory/${file} : ${message}`);
    };
    for (const d of geo.departements.values()) {
      const key = placeKey(d.nom);
      this.addPlace(key, { kind: 'departement', code: d.code });
      if (geo.servedDepartements.has(d.code)) served.add(key);
    }
    tables.epciKeys.forEach((keys, idx) => {
      for (const k of keys) {
        this.addPlace(k, { kind: 'epci', idx });
        if (geo.epciServed[idx]) served.add(k);
      }
    });
    for (const [code, names] of Object.entries(lexicon.aliases.epci)) {
      const idx = geo.epciByCode.get(code);
      if (idx === undefined) dataError('aliases.json', `EPCI inconnu « ${code} » (SIREN)`);
      for (const n of names) {
        this.addPlace(placeKey(n), { kind: 'epci', idx: idx!, alias: true });
        if (geo.epciServed[idx!]) served.add(placeKey(n));
      }
    }
    for (const [code, names] of Object.entries(lexicon.aliases.communes)) {
      const id = geo.communeId(code);
      if (id < 0) dataError('aliases.json', `commune inconnue « ${code} » (code INSEE)`);
      for (const n of names) {
        this.addPlace(placeKey(n), { kind: 'commune', ref: id, alias: true });
        if (geo.served[id]) served.add(placeKey(n));
      }
    }
    for (const t of lexicon.territories) {
      for (const e of t.epcis) if (!geo.epciByCode.has(e)) dataError('named-territories.json', `« ${t.id} » : EPCI inconnu « ${e} » (SIREN)`);
      const territory: NamedTerritory = Object.freeze({ id: t.id, nom: t.nom, epcis: Object.freeze([...t.epcis]) as string[] });
      this.territories.set(t.id, territory);
      for (const e of t.epcis) this.territoriesOfEpci.set(e, [...(this.territoriesOfEpci.get(e) ?? []), territory]);
      for (const n of [t.nom, ...t.aliases]) {
        this.addPlace(placeKey(n), { kind: 'territory', id: t.id, alias: true });
        served.add(placeKey(n));
      }
    }
  }

  /**
   * Words of served names within the typo budget of a word: distance 1 from 5 letters, 2 from 9.
   * Only the closest ones, at most 3.
   */
  corrections(word: string): { word: string; cost: number }[] {
    if (word.length < 5 || this.vocabulary.has(word)) return [];
    // People repeat their words ("solidaire", "association"): remember the last few thousand.
    let found = this.corrected.get(word);
    if (!found) {
      if (this.corrected.size >= 5000) this.corrected.clear();
      this.corrected.set(word, (found = this.correct(word)));
    }
    return found;
  }

  private readonly corrected = new Map<string, { word: string; cost: number }[]>();

  private correct(word: string): { word: string; cost: number }[] {
    const found = new Map<string, number>();
    for (const d of [word, ...deletionsOf(word)]) {
      const hit = this.deletions.get(d);
      if (hit === undefined) continue;
      for (const w of typeof hit === 'string' ? [hit] : hit) {
        if (found.has(w)) continue;
        const cost = editDistance(word, w, 1);
        if (cost <= 1) found.set(w, cost);
      }
    }
    if (found.size === 0 && word.length >= 9) {
      // Two typos: among long words that keep the first letter or the last two.
      for (const w of this.longWords) {
        if (Math.abs(w.length - word.length) > 2) continue;
        if (w.charCodeAt(0) !== word.charCodeAt(0) && !w.endsWith(word.slice(-2))) continue;
        const cost = editDistance(word, w, 2);
        if (cost <= 2) found.set(w, cost);
      }
    }
    const best = Math.min(...found.values());
    return [...found]
      .filter(([, cost]) => cost === best)
      .slice(0, 3)
      .map(([w, cost]) => ({ word: w, cost }));
  }
}

/** "le loroux bottereau" → "loroux bottereau"; a name that is only an article stays. */
function withoutArticle(key: string): string {
  const space = key.indexOf(' ');
  return space > 0 && ARTICLES.has(key.slice(0, space)) ? key.slice(space + 1) : key;
}

function deletionsOf(word: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < word.length; i++) out.push(word.slice(0, i) + word.slice(i + 1));
  return out;
}
