// Places a coordinator picks by name (rule zones, structure zones): every commune,
// intercommunality and department of the served departments, the regions and the named
// territories, searchable by the start of their words. A place travels in forms as a token
// « fait:code » (« commune:44212 », « epci:200067866 »), never typed by a person.
import { normalizeText } from '../territory/index.js';
import type { TerritoryIndex } from '../territory/types.js';

export type PlaceFact = 'commune' | 'epci' | 'departement' | 'region' | 'territory' | 'servedArea';

export interface PlaceEntry {
  fact: PlaceFact;
  code: string;
  /** What a person reads: « Vallet », « Communauté de communes Sèvre et Loire ». */
  name: string;
  /** Kind and context: « commune, Loire-Atlantique ». */
  detail: string;
}

const REGION_NAMES: Record<string, string> = { '52': 'Pays de la Loire', '53': 'Bretagne' };
export const regionName = (code: string) => REGION_NAMES[code] ?? `région ${code}`;

const KIND_ORDER: Record<PlaceFact, number> = { servedArea: 0, territory: 1, region: 2, departement: 3, epci: 4, commune: 5 };

export class PlaceIndex {
  private entries: Array<PlaceEntry & { key: string; words: string[] }> | null = null;

  constructor(private readonly territory: TerritoryIndex) {}

  private build() {
    if (this.entries) return this.entries;
    const t = this.territory;
    const out: PlaceEntry[] = [
      { fact: 'servedArea', code: 'true', name: 'Toute la zone desservie', detail: 'les départements où Aiguillage oriente' },
      { fact: 'servedArea', code: 'false', name: 'Hors de la zone desservie', detail: 'projets situés ailleurs' },
    ];
    const epcis = new Map<string, string>();
    const regions = new Set<string>();
    const named = new Map<string, string>();
    for (const dep of t.servedDepartements) {
      const d = t.departement(dep);
      if (!d) continue;
      regions.add(d.region);
      out.push({ fact: 'departement', code: dep, name: d.nom, detail: `département (${dep})` });
      for (const c of t.communesOfDepartement(dep)) {
        out.push({ fact: 'commune', code: c.code, name: c.nom, detail: `commune, ${d.nom}${c.epci ? `, ${c.epci.nom}` : ''}` });
        if (c.epci && !epcis.has(c.epci.code)) epcis.set(c.epci.code, d.nom);
      }
    }
    for (const [code, dep] of epcis) {
      const e = t.epci(code);
      if (!e) continue;
      out.push({ fact: 'epci', code, name: e.nom, detail: `intercommunalité, ${dep} (${e.membres.length} communes)` });
      for (const n of t.namedTerritoriesOfEpci(code)) named.set(n.id, n.nom);
    }
    for (const r of regions) out.push({ fact: 'region', code: r, name: `Région ${regionName(r)}`, detail: 'région' });
    for (const [id, nom] of named) out.push({ fact: 'territory', code: id, name: nom, detail: 'territoire (plusieurs intercommunalités)' });
    this.entries = out.map((e) => {
      const key = normalizeText(e.name);
      return { ...e, key, words: key.split(/[\s-]+/) };
    });
    return this.entries;
  }

  /** The place behind a token, or null when the token names nothing known. */
  get(token: string): PlaceEntry | null {
    const [fact, code] = splitToken(token);
    if (!fact) return null;
    const hit = this.build().find((e) => e.fact === fact && e.code === code);
    if (hit) return hit;
    // Places outside the served departements (a rule may name them): still a name.
    const t = this.territory;
    if (fact === 'commune') {
      const c = t.commune(code);
      return c ? { fact, code, name: c.nom, detail: `commune (${c.departement})` } : null;
    }
    if (fact === 'epci') {
      const e = t.epci(code);
      return e ? { fact, code, name: e.nom, detail: 'intercommunalité' } : null;
    }
    if (fact === 'departement') {
      const d = t.departement(code);
      return d ? { fact, code, name: d.nom, detail: `département (${code})` } : null;
    }
    if (fact === 'territory') {
      const n = t.namedTerritory(code);
      return n ? { fact, code, name: n.nom, detail: 'territoire' } : null;
    }
    if (fact === 'region') return { fact, code, name: `Région ${regionName(code)}`, detail: 'région' };
    return null;
  }

  /** Best matches for what a person typed: whole name, then start of the name, then start of a word. */
  search(query: string, limit = 12, facts?: readonly PlaceFact[]): PlaceEntry[] {
    const q = normalizeText(query).trim();
    if (!q) return [];
    const scored: Array<{ e: PlaceEntry; score: number }> = [];
    for (const e of this.build()) {
      if (facts && !facts.includes(e.fact)) continue;
      let score = -1;
      if (e.key === q || e.code === query.trim()) score = 0;
      else if (e.key.startsWith(q)) score = 1;
      else if (e.words.some((w) => w.startsWith(q))) score = 2;
      else if (q.length >= 4 && e.key.includes(q)) score = 3;
      if (score >= 0) scored.push({ e, score });
    }
    scored.sort((a, b) => a.score - b.score || KIND_ORDER[a.e.fact] - KIND_ORDER[b.e.fact] || a.e.name.length - b.e.name.length || a.e.name.localeCompare(b.e.name, 'fr'));
    const out = scored.slice(0, limit).map((s) => s.e);
    if (out.length === 0) {
      // Typos: the bot's own resolver (« cliçon », « lorou botereau »).
      const m = this.territory.resolve(query);
      const token = m?.kind === 'commune' ? `commune:${m.commune.code}` : m?.kind === 'epci' ? `epci:${m.epci.code}` : m?.kind === 'departement' ? `departement:${m.departement.code}` : m?.kind === 'territory' ? `territory:${m.territory.id}` : null;
      const hit = token ? this.get(token) : null;
      if (hit && (!facts || facts.includes(hit.fact))) out.push(hit);
      if (m?.kind === 'ambiguous') for (const c of m.candidates) out.push(this.get(`commune:${c.code}`)!);
    }
    return out;
  }

  /** What a person typed, resolved to one place: the exact « Nom (détail) » of a suggestion, or a single clear match. */
  resolveTyped(text: string, facts?: readonly PlaceFact[]): PlaceEntry | { candidates: PlaceEntry[] } | null {
    const typed = text.trim();
    if (!typed) return null;
    const exact = this.build().find((e) => optionText(e) === typed && (!facts || facts.includes(e.fact)));
    if (exact) return exact;
    const hits = this.search(typed, 8, facts);
    const whole = hits.filter((h) => normalizeText(h.name) === normalizeText(typed));
    if (whole.length === 1) return whole[0]!;
    if (hits.length === 1) return hits[0]!;
    return hits.length ? { candidates: hits } : null;
  }
}

export const tokenOf = (e: Pick<PlaceEntry, 'fact' | 'code'>) => `${e.fact}:${e.code}`;
/** The text of a suggestion in the list (unique: name and detail). */
export const optionText = (e: PlaceEntry) => `${e.name} (${e.detail})`;

export function splitToken(token: string): [PlaceFact | null, string] {
  const at = token.indexOf(':');
  const fact = token.slice(0, at) as PlaceFact;
  return at > 0 && fact in KIND_ORDER ? [fact, token.slice(at + 1)] : [null, ''];
}

const cache = new WeakMap<TerritoryIndex, PlaceIndex>();
export function placeIndex(territory: TerritoryIndex): PlaceIndex {
  let index = cache.get(territory);
  if (!index) cache.set(territory, (index = new PlaceIndex(territory)));
  return index;
}
