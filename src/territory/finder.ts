// Finds the place a person wrote: in a free sentence (findInText) or as the whole answer to
// "Dans quelle commune ?" (resolve). Every run of words is looked up; the candidates must pass
// the rules below, then the longest run wins where runs overlap, and the most useful place wins
// overall (served first, then a commune over an EPCI over a department).
//
// Why the rules: many French words are a commune somewhere (Mer, Bourg, Vue, Pas, Place…), and
// many more are one letter away from a word of a served commune (faire → Vairé). So:
// - a name outside the served departments needs a sign that a place is meant: a place word
//   before it (à, sur, près de, commune de…), a capital that does not start the sentence, or
//   nothing else in the message;
// - a partial name alone ("Divatte") needs a capital or nothing else in the message; a typo
//   alone too, or a place word before a word of 6 letters or more with one letter wrong
//   ("près de clison");
// - a common word (data/territory/words.json) needs to be written as a name, with its capital,
//   after a place word or alone ("à Vue", "La Planche"); a word that is in many names ("Loire")
//   never stands alone for a place.
// resolve() is more tolerant: a few communes sharing a partial name are offered ("Goulaine"),
// and an answer with its spaces or one letter wrong is compared with every served name.
import type { Geography } from './geography.js';
import type { Words } from './lexicon.js';
import { ARTICLES, editDistance, placeKey, typoBudget } from './normalize.js';
import { LEGAL_FORM, MAX_PARTIAL, stripLegalForm, type PlaceIndex, type PlaceTarget } from './place-index.js';
import { phoneticName } from './phonetic.js';
import { tokenize, type Token } from './text.js';
import type { Commune, PlaceMatch } from './types.js';

const MAX_CANDIDATES = 8;

// How specific a match is: a commune answers the question, a department only narrows it.
const RANK_COMMUNE = 5;
const RANK_AMBIGUOUS = 4;
const RANK_GROUP = 3; // EPCI, named territory
const RANK_DEPARTEMENT = 1;

/** How a run of words was read; the order is the trust we give it. */
type How = 'exact' | 'skeleton' | 'partial' | 'typo' | 'typo-partial' | 'sound';
const QUALITY: Record<How, number> = { exact: 4, skeleton: 3, partial: 2, typo: 2, 'typo-partial': 1, sound: 1 };

interface Reading {
  how: How;
  /** Letters corrected. */
  cost: number;
  /** Through a name of data/territory (alias, named territory): deliberate, trusted. */
  alias?: boolean;
  /** Official communes of the same name that an alias hides. */
  hidden?: number[];
}

const EXACT: Reading = { how: 'exact', cost: 0 };

interface Candidate {
  start: number;
  end: number;
  match: PlaceMatch;
  served: boolean;
  rank: number;
  reading: Reading;
  /** "en Mayenne": read as the department rather than the commune of the same name. */
  cued?: boolean;
}

interface Scan {
  text: string;
  toks: Token[];
  /** resolve(): the whole message is meant to be a place. */
  answer: boolean;
  /** filler[k]: token k is a small or place word ("à", "le", "commune"…). */
  filler: boolean[];
  cands: Candidate[];
}

type Ambiguous = Extract<PlaceMatch, { kind: 'ambiguous' }>;

export class PlaceFinder {
  /** Served communes by the sound of their name (built on first need). */
  private phonetic: Map<string, { target: number; key: string }[]> | null = null;

  constructor(
    private readonly geo: Geography,
    private readonly index: PlaceIndex,
    private readonly words: Words,
  ) {}

  findInText(text: string): PlaceMatch | null {
    return this.scan(text, false);
  }

  resolve(query: string): PlaceMatch | null {
    return this.scan(query, true) ?? this.resolveByTypo(query);
  }

  // -------------------------------------------------------------------------------------------
  // Scanning

  private scan(text: string, answer: boolean): PlaceMatch | null {
    if (!text) return null;
    const toks = tokenize(text);
    if (toks.length === 0) return null;
    const w = this.words;
    const s: Scan = {
      text,
      toks,
      answer,
      filler: toks.map((t) => w.functionWords.has(t.norm) || w.context.has(t.norm) || w.departementCue.has(t.norm)),
      cands: [],
    };
    const { index } = this;
    for (let i = 0; i < toks.length; i++) {
      if (toks[i]!.digits || /^2[ab]$/.test(toks[i]!.norm)) {
        this.numberAt(s, i);
        continue;
      }
      const longest = index.longestFrom(toks[i]!.norm);
      let key = '';
      for (let j = i; j < toks.length && j - i < longest && !toks[j]!.digits; j++) {
        key = j === i ? toks[j]!.norm : `${key} ${toks[j]!.norm}`;
        this.lookup(s, key, i, j + 1, 0);
      }
    }
    this.typoCandidates(s);
    if (s.cands.length === 0) this.phoneticCandidates(s);
    return this.choose(s);
  }

  // -------------------------------------------------------------------------------------------
  // Sound: « Cliçon » is Clisson when no other reading found a commune and one commune fits

  private phoneticIndex(): Map<string, { target: number; key: string }[]> {
    if (this.phonetic) return this.phonetic;
    const geo = this.geo;
    const map = new Map<string, { target: number; key: string }[]>();
    for (let r = 0; r < geo.count; r++) {
      const target = geo.target[r]!;
      if (target < 0 || geo.served[r] !== 1) continue;
      const name = geo.nom(r);
      const sound = phoneticName(name);
      const list = map.get(sound) ?? [];
      list.push({ target, key: placeKey(name) });
      map.set(sound, list);
    }
    return (this.phonetic = map);
  }

  private phoneticCandidates(s: Scan): void {
    const { toks } = s;
    const w = this.words;
    // Acronyms (« CCAS ») and short words sound like too many things.
    const unknown = (t: Token) => !t.digits && !/^[A-Z]{2,}$/.test(t.raw) && t.norm.length >= 5 && ![w.functionWords, w.common, w.context].some((l) => l.has(t.norm));
    if (!toks.some(unknown)) return;
    const index = this.phoneticIndex();
    for (let start = 0; start < toks.length; start++) {
      for (let end = start + 1; end <= Math.min(toks.length, start + 5); end++) {
        const span = toks.slice(start, end);
        if (span.some((t) => t.digits) || !span.some(unknown)) continue;
        const typed = span.map((t) => t.norm).join(' ');
        // Same sound and close spelling (« cliçon »/« clisson »), not the sound alone
        // (« touristes » sounds like Thourie).
        const fits = (index.get(phoneticName(span.map((t) => t.raw).join(' '))) ?? []).filter((f) => editDistance(typed, f.key, 3) <= 3);
        const targets = new Set(fits.map((f) => f.target));
        if (targets.size === 1) this.addCommunes(s, [...targets], start, end, { how: 'sound', cost: 2 }, 'homonym');
      }
    }
  }

  /** Candidates for the words toks[start, end) read as `key`; cost > 0 when typos were corrected. */
  private lookup(s: Scan, key: string, start: number, end: number, cost: number): void {
    const { index, geo } = this;
    const typo = cost > 0;
    const reading: Reading = typo ? { how: 'typo', cost } : EXACT;
    const places = index.places.get(key);
    const refs = index.nameRefs(key);
    let aliasedCommune = false;
    for (const p of places ?? []) {
      if (p.kind === 'commune') aliasedCommune = true;
      // An alias of a commune is a deliberate local usage: it hides official homonyms, unless a
      // department or postal code in the text points to one of them ("Le Loroux (35)").
      const hidden = p.kind === 'commune' && !typo ? refs : undefined;
      this.addTarget(s, p, start, end, p.alias ? { ...reading, alias: true, hidden } : reading);
    }
    if (!aliasedCommune) {
      const usable = typo ? refs.filter((r) => geo.served[r] === 1) : refs;
      if (usable.length) this.addCommunes(s, usable, start, end, reading, 'homonym');
    }
    const legal = LEGAL_FORM.has(s.toks[start]!.norm) || LEGAL_FORM.has(s.toks[end - 1]!.norm);
    if (end - start >= 2 && !typo && legal) this.legalForm(s, start, end);
    // Tolerant readings only lead to served communes: not needed when the name is one already.
    if (places || index.nameRefs(key).some((r) => geo.served[r] === 1)) return;
    const skeleton = index.skeleton.get(key) ?? [];
    if (skeleton.length) {
      this.addCommunes(s, skeleton, start, end, typo ? reading : { how: 'skeleton', cost }, 'homonym');
      return;
    }
    const partial = index.partial.get(key);
    if (!partial) return;
    // A partial name is a lead when one commune has it, or, for a whole answer, a few ("Goulaine").
    if (partial.length === 1 || (s.answer && this.whole(s, start, end) && partial.length <= MAX_PARTIAL)) {
      this.addCommunes(s, partial, start, end, { how: typo ? 'typo-partial' : 'partial', cost }, 'homonym');
    }
  }

  private addTarget(s: Scan, p: PlaceTarget, start: number, end: number, reading: Reading): void {
    const { geo, index } = this;
    const typo = reading.cost > 0;
    switch (p.kind) {
      case 'commune':
        this.addCommunes(s, [p.ref], start, end, reading, 'homonym');
        return;
      case 'epci': {
        const served = geo.epciServed[p.idx]!;
        if (typo && !served) return;
        this.push(s, { start, end, match: this.epciMatch(p.idx), served, rank: RANK_GROUP, reading });
        return;
      }
      case 'territory': {
        const territory = index.territories.get(p.id)!;
        this.push(s, { start, end, match: { kind: 'territory', territory }, served: true, rank: RANK_GROUP, reading });
        return;
      }
      case 'departement': {
        const d = geo.departements.get(p.code)!;
        const served = geo.servedDepartements.has(d.code);
        if (typo && !served) return;
        const match: PlaceMatch = { kind: 'departement', departement: { code: d.code, nom: d.nom }, served };
        this.push(s, { start, end, match, served, rank: RANK_DEPARTEMENT, reading, cued: this.cuedDepartement(s, start) });
        return;
      }
    }
  }

  private epciMatch(idx: number): PlaceMatch {
    const geo = this.geo;
    return { kind: 'epci', epci: geo.epci(idx), departement: geo.epciDepartement[idx] ?? null, served: geo.epciServed[idx]! };
  }

  /** "agglo de Clisson", "Redon agglo": the EPCI named after that commune. */
  private legalForm(s: Scan, start: number, end: number): void {
    const span = s.toks.slice(start, end);
    if (span.some((t) => t.norm === 'ca' && /ç/i.test(t.raw))) return; // "ça", not "CA"
    const core = stripLegalForm(span.map((t) => t.norm));
    if (!core) return;
    const key = core.join(' ');
    const geo = this.geo;
    for (const ref of this.index.nameRefs(key)) {
      const e = geo.epciOf[geo.target[ref]!]!;
      if (e < 0 || !` ${placeKey(geo.epciNom[e]!)} `.includes(` ${key} `)) continue;
      this.push(s, { start, end, match: this.epciMatch(e), served: geo.epciServed[e]!, rank: RANK_GROUP, reading: EXACT });
      return;
    }
  }

  /** One commune, or several read the same way (homonyms, a postal code): ask which. */
  private addCommunes(s: Scan, refs: number[], start: number, end: number, reading: Reading, reason: Ambiguous['reason']): void {
    const match = this.communeMatch(refs, reason, s.text.slice(s.toks[start]!.from, s.toks[end - 1]!.to));
    const served =
      match.kind === 'commune' ? match.served : match.kind === 'ambiguous' && match.candidates.some((c) => this.geo.servedDepartements.has(c.departement));
    const rank = match.kind === 'commune' ? RANK_COMMUNE : RANK_AMBIGUOUS;
    this.push(s, { start, end, match, served, rank, reading });
  }

  private communeMatch(refs: number[], reason: Ambiguous['reason'], query: string): PlaceMatch {
    const geo = this.geo;
    // Each commune once; a direct name beats the name of one of its communes déléguées.
    const via = new Map<number, number>();
    for (const ref of refs) {
      const id = geo.target[ref]!;
      const had = via.get(id);
      if (had === undefined || (had !== id && ref === id)) via.set(id, ref);
    }
    const ids = [...via.keys()];
    const servedIds = ids.filter((id) => geo.served[id] === 1);
    const pool = servedIds.length ? servedIds : ids;
    if (pool.length === 1) return this.communeOf(pool[0]!, via.get(pool[0]!)!);
    const candidates = ids.sort((a, b) => geo.compareCandidates(a, b)).slice(0, MAX_CANDIDATES).map((id) => geo.commune(id));
    return { kind: 'ambiguous', reason, query, candidates };
  }

  private communeOf(id: number, ref: number): PlaceMatch {
    const geo = this.geo;
    const delegated = ref !== id ? { code: geo.code(ref), nom: geo.nom(ref) } : null;
    return { kind: 'commune', commune: geo.commune(id), delegated, served: geo.served[id] === 1 };
  }

  // -------------------------------------------------------------------------------------------
  // Numbers: postal codes and department numbers

  private numberAt(s: Scan, i: number): void {
    const t = s.toks[i]!;
    const next = s.toks[i + 1];
    if (next && this.words.notAfterNumber.has(next.norm)) return;
    if (/^\s*[€$%]/.test(s.text.slice(t.to))) return;
    if (t.norm.length === 5) {
      // "44190", "à 44115", "code postal 44140", "…, 44190, …"; not "besoin de 35000".
      const refs = this.index.postal.get(Number(t.norm)) ?? [];
      if (!refs.length) return;
      const apart = i === 0 || /[,;:(/]/.test(s.text.slice(s.toks[i - 1]!.to, t.from));
      const round = t.norm.endsWith('000'); // 35000, 44000: amounts as often as postal codes
      if (!this.whole(s, i, i + 1) && !this.cuedBy(s, i, this.words.postalCue) && !(apart && !round)) return;
      this.addCommunes(s, refs, i, i + 1, EXACT, 'postal_code');
      return;
    }
    if (t.norm.length < 2 || t.norm.length > 3) return;
    if (next && ['au', 'a', 'et', 'ou'].includes(next.norm) && s.toks[i + 2]?.digits) return; // "du 12 au 15"
    const d = this.geo.departements.get(t.norm.toUpperCase());
    if (!d) return;
    // "dans le 44", "du 85", "(49)", or the number alone: not "44 bénévoles".
    const bracketed = /\(\s*$/.test(s.text.slice(0, t.from)) && /^\s*\)/.test(s.text.slice(t.to));
    if (!this.cuedDepartement(s, i) && !bracketed && !this.whole(s, i, i + 1)) return;
    const served = this.geo.servedDepartements.has(d.code);
    const match: PlaceMatch = { kind: 'departement', departement: { code: d.code, nom: d.nom }, served };
    this.push(s, { start: i, end: i + 1, match, served, rank: RANK_DEPARTEMENT, reading: EXACT });
  }

  // -------------------------------------------------------------------------------------------
  // Typos: words not found are corrected against the words of served names

  private typoCandidates(s: Scan): void {
    const { toks } = s;
    const w = this.words;
    const fixes = toks.map((t) => {
      if (t.digits || t.norm.length < 5) return undefined;
      const known = [w.functionWords, w.common, w.neverAlone, w.context, w.notAfterNumber].some((list) => list.has(t.norm));
      if (known) return undefined;
      const found = this.index.corrections(t.norm);
      return found.length ? found : undefined;
    });
    if (!fixes.some(Boolean)) return;
    const max = Math.min(this.index.maxTokens, 6);
    const seen = new Set<number>();
    for (let p = 0; p < toks.length; p++) {
      if (!fixes[p]) continue;
      for (let start = Math.max(0, p - max + 1); start <= p; start++) {
        // Only runs as long as a key that one reading of their first word opens.
        let longest = this.index.longestFrom(toks[start]!.norm);
        for (const f of fixes[start] ?? []) longest = Math.max(longest, this.index.longestFrom(f.word));
        for (let end = p + 1; end <= Math.min(toks.length, start + Math.min(max, longest)); end++) {
          if (toks[end - 1]!.digits) break;
          if (seen.has(start * 1000 + end)) continue;
          seen.add(start * 1000 + end);
          this.typoVariants(s, fixes, start, end);
        }
      }
    }
  }

  private typoVariants(s: Scan, fixes: ({ word: string; cost: number }[] | undefined)[], start: number, end: number): void {
    let variants: { words: string[]; cost: number }[] = [{ words: [], cost: 0 }];
    for (let k = start; k < end; k++) {
      const options = [{ word: s.toks[k]!.norm, cost: 0 }, ...(fixes[k] ?? [])];
      variants = variants.flatMap((v) => options.map((o) => ({ words: [...v.words, o.word], cost: v.cost + o.cost })));
      if (variants.length > 16) return;
    }
    for (const v of variants) {
      if (v.cost === 0 || this.index.longestFrom(v.words[0]!) < v.words.length) continue;
      const key = v.words.join(' ');
      if (v.cost > typoBudget(key.length - v.words.length + 1)) continue;
      this.lookup(s, key, start, end, v.cost);
    }
  }

  /** Whole-answer typo search over the served names, spaces ignored ("lorouxbottereau"). */
  private resolveByTypo(query: string): PlaceMatch | null {
    const toks = tokenize(query);
    const w = this.words;
    let a = 0;
    let b = toks.length;
    while (a < b && (w.functionWords.has(toks[a]!.norm) || w.context.has(toks[a]!.norm))) a++;
    while (b > a && w.functionWords.has(toks[b - 1]!.norm)) b--;
    // A name typed with its spaces or letters wrong, not a sentence: a few words at most, none
    // of them a common word ("pas encore", "aucune idée").
    const words = toks.slice(a, b);
    if (a === b || b - a > 3 || words.some((t) => t.digits || w.common.has(t.norm) || w.neverAlone.has(t.norm))) return null;
    const compact = words.map((t) => t.norm).join('');
    // One letter wrong, two in a long name (12 letters and more: several words).
    const budget = compact.length >= 12 ? 2 : compact.length >= 6 ? 1 : 0;
    if (budget === 0) return null;
    let best = budget + 1;
    let keys: string[] = [];
    const { servedCompact, servedKeys } = this.index;
    for (let k = 0; k < servedCompact.length; k++) {
      const candidate = servedCompact[k]!;
      // The first letters are rarely the wrong ones; it spares most of the comparisons too.
      if (Math.abs(candidate.length - compact.length) > budget || !candidate.startsWith(compact.slice(0, 2))) continue;
      const d = editDistance(compact, candidate, Math.min(best, typoBudget(candidate.length)));
      if (d < best) {
        best = d;
        keys = [servedKeys[k]!];
      } else if (d === best) keys.push(servedKeys[k]!);
    }
    if (best > budget) return null;
    const s: Scan = { text: query, toks: [{ ...toks[a]!, norm: compact }], answer: true, filler: [false], cands: [] };
    for (const key of keys) this.lookup(s, key, 0, 1, best);
    return this.choose(s);
  }

  // -------------------------------------------------------------------------------------------
  // Rules and choice

  private push(s: Scan, c: Candidate): void {
    if (this.acceptable(s, c)) s.cands.push(c);
  }

  private acceptable(s: Scan, c: Candidate): boolean {
    const w = this.words;
    const content = s.toks.slice(c.start, c.end).filter((t) => !w.functionWords.has(t.norm));
    if (content.length === 0) return false;
    const first = content[0]!;
    if (first.digits || /^2[ab]$/.test(first.norm)) return true;
    const whole = this.whole(s, c.start, c.end);
    const context = this.contextBefore(s, c.start);
    const { how, alias } = c.reading;
    if (content.length === 1) {
      const word = first.norm;
      if (w.neverAlone.has(word) && !alias) return false;
      // A common word is a place only when written as a name, capital included ("à Vue", "La
      // Planche"), or when the answer is that name and nothing else ("la planche", not "en ligne").
      if (w.common.has(word) || word.length <= 3) {
        return (first.upper && (whole || context)) || (s.answer && c.served && c.start === 0 && c.end === s.toks.length);
      }
      if (how === 'partial' || how === 'typo-partial') return whole || first.cap;
      if (how === 'typo') return whole || first.cap || (context && c.reading.cost === 1 && first.norm.length >= 6);
      // A name typed by ear, after « à », « sur »… or alone: only one served commune sounds so.
      if (how === 'sound') return whole || first.cap || context;
    }
    if (alias || c.served) return true;
    return whole || first.cap || context || this.standsApart(s, c, first) || (s.answer && this.withNumber(s, c));
  }

  /** An answer that is the name and a number: "Marseille 13e", "Paris 11", "Lyon 3ème". */
  private withNumber(s: Scan, c: Candidate): boolean {
    for (let k = 0; k < s.toks.length; k++) {
      if (k >= c.start && k < c.end) continue;
      if (!s.filler[k] && !(k >= c.end && /^\d+(?:e|er|eme)?$/.test(s.toks[k]!.norm))) return false;
    }
    return true;
  }

  /** "Lyon, coopérative d'habitants": a capitalised name set apart by a comma at the start. */
  private standsApart(s: Scan, c: Candidate, first: Token): boolean {
    return first.upper && c.start === 0 && /^\s*[,:;)]/.test(s.text.slice(s.toks[c.end - 1]!.to));
  }

  /** A place word just before, an article allowed in between ("sur le Loroux"). */
  private contextBefore(s: Scan, start: number): boolean {
    return this.cuedBy(s, start, this.words.context);
  }

  private cuedDepartement(s: Scan, start: number): boolean {
    return this.cuedBy(s, start, this.words.departementCue);
  }

  private cuedBy(s: Scan, start: number, cues: ReadonlySet<string>): boolean {
    let k = start - 1;
    if (k >= 0 && ARTICLES.has(s.toks[k]!.norm)) k--;
    return k >= 0 && cues.has(s.toks[k]!.norm);
  }

  /** Nothing but small or place words outside toks[start, end). */
  private whole(s: Scan, start: number, end: number): boolean {
    for (let k = 0; k < s.toks.length; k++) if ((k < start || k >= end) && !s.filler[k]) return false;
    return true;
  }

  private choose(s: Scan): PlaceMatch | null {
    const cands = s.cands;
    if (cands.length === 0) return null;
    const quality = (c: Candidate): number => QUALITY[c.reading.how] * 10 - c.reading.cost;
    const length = (c: Candidate): number => c.end - c.start;
    // Where runs overlap, the longest reading wins ("Saint-Julien-de-Concelles" over "Concelles",
    // "Clisson agglo" over "Clisson").
    cands.sort(
      (a, b) =>
        length(b) - length(a) ||
        Number(b.served) - Number(a.served) ||
        Number(b.cued === true) - Number(a.cued === true) ||
        b.rank - a.rank ||
        quality(b) - quality(a) ||
        a.start - b.start,
    );
    const kept: Candidate[] = [];
    for (const c of cands) if (!kept.some((k) => k.start < c.end && c.start < k.end)) kept.push(c);
    kept.sort(
      (a, b) => Number(b.served) - Number(a.served) || b.rank - a.rank || quality(b) - quality(a) || length(b) - length(a) || a.start - b.start,
    );
    const best = kept[0]!;
    if (best.match.kind === 'ambiguous') return this.narrow(best, best.match.candidates, s) ?? best.match;
    const hidden = best.reading.hidden;
    if (best.match.kind === 'commune' && hidden?.length) {
      // The alias's commune unless the numbers in the text name one of the official homonyms.
      const official = hidden.map((r) => this.geo.commune(this.geo.target[r]!));
      if (!this.narrow(best, [best.match.commune], s)) return this.narrow(best, official, s) ?? best.match;
    }
    return best.match;
  }

  /**
   * "Saint-Mars-du-Désert (53)", "Vallet 44330": the one candidate that a department or postal
   * code written elsewhere in the text points to; null when none or several.
   */
  private narrow(best: Candidate, candidates: readonly Commune[], s: Scan): PlaceMatch | null {
    const outside = (k: number): boolean => k < best.start || k >= best.end;
    const numbers = new Set(s.toks.filter((t, k) => t.digits && outside(k)).map((t) => t.norm));
    for (const c of s.cands) {
      if (c.match.kind === 'departement' && (c.end <= best.start || c.start >= best.end)) numbers.add(c.match.departement.code);
    }
    if (numbers.size === 0) return null;
    const fits = candidates.filter((c) => numbers.has(c.departement) || c.codesPostaux.some((p) => numbers.has(p)));
    if (fits.length !== 1) return null;
    const id = this.geo.communeId(fits[0]!.code);
    return this.communeOf(id, id);
  }
}
