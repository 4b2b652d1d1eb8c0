// The official geography kept in compact columns: one index per record of communes.json
// (communes actuelles, and the communes déléguées, associées and municipal arrondissements that
// point to one), names and codes in single strings, numbers in typed arrays. Commune and Epci
// objects are made only when asked for, then cached and frozen: every caller shares them.
import { CommuneType, type OfficialData, type RawCommunes } from './official.js';
import type { Commune, Epci } from './types.js';

/** Departments served first, in this order of closeness (DESIGN.md §4). */
export const SERVED_DEPARTEMENTS = ['44', '85', '49', '53', '72', '35', '56'] as const;

/**
 * An INSEE code as an array index: its digits, Corsica's 2A and 2B after all the others
 * (100000 + the commune number, 101000 + …); 0 (no commune) for anything else.
 */
function codeNumber(s: string, at: number): number {
  let n = 0;
  for (let i = 0; i < 5; i++) {
    const c = s.charCodeAt(at + i) - 48;
    if (c >= 0 && c <= 9) n = n * 10 + c;
    else if (i === 1 && s.charCodeAt(at) === 50 && (c === 17 || c === 18)) n = 100 + (c - 17) * 10; // 2A → 100, 2B → 110
    else return 0;
  }
  return n;
}
const CODE_NUMBERS = 112000;

export interface Departement {
  code: string;
  nom: string;
  region: string;
}

export class Geography {
  /** Number of records (not all are communes: see isCommune). */
  readonly count: number;
  readonly type: Uint8Array;
  /** Record → the commune actuelle it stands for (itself for a commune), -1 when unknown. */
  readonly target: Int32Array;
  readonly population: Float64Array;
  /** Served department, by record (a déléguée's is its commune's). */
  readonly served: Uint8Array;
  /** Index of the commune's EPCI, -1 when none. */
  readonly epciOf: Int32Array;
  /** Communes actuelles by INSEE code (see codeNumber): 1 + record, 0 when none. */
  private readonly byCode: Int32Array;
  /** Names joined by '\n', in record order. */
  readonly names: string;

  readonly epciCode: string[] = [];
  readonly epciNom: string[] = [];
  readonly epciMembers: Int32Array[] = [];
  readonly epciDepartement: (string | null)[] = [];
  readonly epciServed: boolean[] = [];
  readonly epciByCode = new Map<string, number>();

  readonly departements = new Map<string, Departement>();
  readonly servedDepartements: ReadonlySet<string>;

  private readonly codes: string;
  private readonly nameStart: Int32Array;
  private readonly departementOf: Uint16Array;
  private readonly departementCodes: string[];
  private readonly postal: Int32Array;
  private readonly postalMore: Map<number, string[]>;
  private readonly communeCache = new Map<number, Commune>();
  private readonly epciCache = new Map<number, Epci>();

  constructor(data: OfficialData, served: readonly string[] = SERVED_DEPARTEMENTS) {
    this.servedDepartements = new Set(served);
    for (const d of data.departements) this.departements.set(d.code, { code: d.code, nom: d.nom, region: d.region });
    const c: RawCommunes = data.communes;
    const n = c.length;
    this.count = n;
    this.type = c.type;
    this.population = c.population;
    this.codes = c.codes;
    this.names = c.names;
    this.departementOf = c.departement;
    this.departementCodes = c.departements;
    this.postal = c.postal;
    this.postalMore = c.postalMore;

    this.nameStart = new Int32Array(n + 1);
    for (let i = 0, at = 0; i < n; i++) {
      this.nameStart[i] = at;
      const nl = this.names.indexOf('\n', at);
      at = nl < 0 ? this.names.length + 1 : nl + 1;
    }
    this.nameStart[n] = this.names.length + 1;

    this.byCode = new Int32Array(CODE_NUMBERS);
    for (let i = 0; i < n; i++) if (c.type[i] === CommuneType.Actuelle) this.byCode[codeNumber(this.codes, 5 * i)] = i + 1;

    this.target = new Int32Array(n).fill(-1);
    const servedDep = Uint8Array.from(this.departementCodes, (d) => (this.servedDepartements.has(d) ? 1 : 0));
    this.served = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const parent = c.type[i] === CommuneType.Actuelle ? i : this.communeId(c.parent.get(i) ?? '');
      this.target[i] = parent;
      this.served[i] = parent >= 0 ? servedDep[c.departement[parent]!]! : 0;
      // Paris, Lyon, Marseille carry no postal code of their own: their arrondissements do.
      if (c.type[i] === CommuneType.Arrondissement && parent >= 0) {
        const own = this.postalCodes(parent);
        const more = this.postalCodes(i).filter((p) => !own.includes(p));
        if (more.length) this.setPostalCodes(parent, [...own, ...more]);
      }
    }

    this.epciOf = new Int32Array(n).fill(-1);
    for (const e of data.epci) {
      const idx = this.epciCode.length;
      const members: number[] = [];
      for (let k = 0; k < e.membres.length; k += 5) {
        const id = this.communeId(e.membres.slice(k, k + 5));
        if (id >= 0) members.push(id);
      }
      this.epciByCode.set(e.code, idx);
      this.epciCode.push(e.code);
      this.epciNom.push(e.nom);
      this.epciMembers.push(Int32Array.from(members));
      const count = new Map<string, number>();
      for (const m of members) {
        this.epciOf[m] = idx;
        const dep = this.departement(m);
        count.set(dep, (count.get(dep) ?? 0) + 1);
      }
      let main: string | null = null;
      for (const [dep, k] of count) if (main === null || k > count.get(main)!) main = dep;
      this.epciDepartement.push(main);
      this.epciServed.push(main !== null && this.servedDepartements.has(main));
    }
  }

  isCommune(record: number): boolean {
    return this.type[record] === CommuneType.Actuelle;
  }

  /** The commune actuelle with this INSEE code, -1 when none. */
  communeId(code: string): number {
    return code.length === 5 ? this.byCode[codeNumber(code, 0)]! - 1 : -1;
  }

  code(record: number): string {
    return this.codes.slice(5 * record, 5 * record + 5);
  }

  nom(record: number): string {
    return this.names.slice(this.nameStart[record]!, this.nameStart[record + 1]! - 1);
  }

  departement(record: number): string {
    return this.departementCodes[this.departementOf[record]!]!;
  }

  postalCodes(record: number): string[] {
    const more = this.postalMore.get(record);
    if (more) return more;
    const first = this.postal[record]!;
    return first < 0 ? [] : [String(first).padStart(5, '0')];
  }

  private setPostalCodes(record: number, codes: string[]): void {
    this.postal[record] = Number(codes[0]);
    if (codes.length > 1) this.postalMore.set(record, codes);
  }

  /** Communes by postal code, the code as a number (44190, 1400 for 01400). */
  communesByPostalCode(): Map<number, number[]> {
    const out = new Map<number, number[]>();
    const add = (code: number, id: number): void => {
      const had = out.get(code);
      if (had) had.push(id);
      else out.set(code, [id]);
    };
    for (let i = 0; i < this.count; i++) {
      if (this.type[i] !== CommuneType.Actuelle) continue;
      const more = this.postalMore.get(i);
      if (more) for (const p of more) add(Number(p), i);
      else if (this.postal[i]! >= 0) add(this.postal[i]!, i);
    }
    return out;
  }

  commune(id: number): Commune {
    let made = this.communeCache.get(id);
    if (!made) {
      const dep = this.departement(id);
      const e = this.epciOf[id]!;
      made = Object.freeze({
        code: this.code(id),
        nom: this.nom(id),
        departement: dep,
        region: this.departements.get(dep)?.region ?? '',
        codesPostaux: Object.freeze([...this.postalCodes(id)]) as string[],
        population: this.population[id]!,
        epci: e >= 0 ? Object.freeze({ code: this.epciCode[e]!, nom: this.epciNom[e]! }) : null,
      });
      this.communeCache.set(id, made);
    }
    return made;
  }

  epci(idx: number): Epci {
    let made = this.epciCache.get(idx);
    if (!made) {
      made = Object.freeze({
        code: this.epciCode[idx]!,
        nom: this.epciNom[idx]!,
        membres: Object.freeze(Array.from(this.epciMembers[idx]!, (m) => this.code(m))) as string[],
      });
      this.epciCache.set(idx, made);
    }
    return made;
  }

  /** Served first, then by population: the order in which candidates are offered. */
  compareCandidates(a: number, b: number): number {
    return this.served[b]! - this.served[a]! || this.population[b]! - this.population[a]! || a - b;
  }
}
