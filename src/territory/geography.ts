// The official geography kept in compact columns: ~35,000 communes cost a few MB this way, and
// Commune/Epci objects are made only when asked for (then cached, frozen: every caller shares
// them). Communes déléguées, associées and municipal arrondissements are kept as names that
// point to their commune.
import { CommuneType, type OfficialData } from './official.js';
import type { Commune, Epci } from './types.js';

/** Departments served first, in this order of closeness (DESIGN.md §4). */
export const SERVED_DEPARTEMENTS = ['44', '85', '49', '53', '72', '35', '56'] as const;

/** References at or above this value point to a commune déléguée (ref - DELEGATE). */
export const DELEGATE = 1 << 20;

export interface Departement {
  code: string;
  nom: string;
  region: string;
}

export class Geography {
  readonly size: number;
  readonly code: string[] = [];
  readonly nom: string[] = [];
  readonly departement: string[] = [];
  /** Postal codes joined by ','. */
  readonly postal: string[] = [];
  readonly population: Float64Array;
  /** Index of the commune's EPCI, -1 when none. */
  readonly epciOf: Int32Array;
  readonly served: Uint8Array;
  readonly byCode = new Map<string, number>();

  readonly delegateCode: string[] = [];
  readonly delegateNom: string[] = [];
  readonly delegateTarget: number[] = [];

  readonly epciCode: string[] = [];
  readonly epciNom: string[] = [];
  readonly epciMembers: Int32Array[] = [];
  readonly epciDepartement: (string | null)[] = [];
  readonly epciServed: boolean[] = [];
  readonly epciByCode = new Map<string, number>();

  readonly departements = new Map<string, Departement>();
  readonly servedDepartements: ReadonlySet<string>;

  private readonly communeCache = new Map<number, Commune>();
  private readonly epciCache = new Map<number, Epci>();

  constructor(data: OfficialData, served: readonly string[] = SERVED_DEPARTEMENTS) {
    this.servedDepartements = new Set(served);
    for (const d of data.departements) this.departements.set(d.code, { code: d.code, nom: d.nom, region: d.region });

    const c = data.communes;
    const pending: number[] = [];
    for (let i = 0; i < c.length; i++) {
      if (c.type[i] === CommuneType.Actuelle) {
        this.byCode.set(c.code[i]!, this.code.length);
        this.code.push(c.code[i]!);
        this.nom.push(c.nom[i]!);
        this.departement.push(c.departement[i]!);
        this.postal.push(c.postal[i]!);
      } else {
        pending.push(i);
      }
    }
    this.size = this.code.length;
    this.population = new Float64Array(this.size);
    this.served = new Uint8Array(this.size);
    for (let i = 0, k = 0; i < c.length; i++) {
      if (c.type[i] !== CommuneType.Actuelle) continue;
      this.population[k] = c.population[i]!;
      this.served[k] = this.servedDepartements.has(c.departement[i]!) ? 1 : 0;
      k++;
    }
    for (const i of pending) {
      const target = this.byCode.get(c.parent[i]!);
      if (target === undefined) continue;
      this.delegateCode.push(c.code[i]!);
      this.delegateNom.push(c.nom[i]!);
      this.delegateTarget.push(target);
      // Paris, Lyon, Marseille carry no postal code of their own: their arrondissements do.
      if (c.type[i] === CommuneType.Arrondissement && c.postal[i]) {
        const own = this.postal[target]!;
        const add = c.postal[i]!.split(',').filter((p) => !own.split(',').includes(p));
        if (add.length) this.postal[target] = own ? `${own},${add.join(',')}` : add.join(',');
      }
    }

    this.epciOf = new Int32Array(this.size).fill(-1);
    for (const e of data.epci) {
      const idx = this.epciCode.length;
      const members = e.membres.map((m) => this.byCode.get(m)).filter((m): m is number => m !== undefined);
      this.epciByCode.set(e.code, idx);
      this.epciCode.push(e.code);
      this.epciNom.push(e.nom);
      this.epciMembers.push(Int32Array.from(members));
      const count = new Map<string, number>();
      for (const m of members) {
        this.epciOf[m] = idx;
        const dep = this.departement[m]!;
        count.set(dep, (count.get(dep) ?? 0) + 1);
      }
      const main = [...count].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
      this.epciDepartement.push(main);
      this.epciServed.push(main !== null && this.servedDepartements.has(main));
    }
  }

  /** The commune a reference (commune or commune déléguée) stands for. */
  target(ref: number): number {
    return ref >= DELEGATE ? this.delegateTarget[ref - DELEGATE]! : ref;
  }

  commune(id: number): Commune {
    let made = this.communeCache.get(id);
    if (!made) {
      const dep = this.departement[id]!;
      const e = this.epciOf[id]!;
      const postal = this.postal[id]!;
      made = Object.freeze({
        code: this.code[id]!,
        nom: this.nom[id]!,
        departement: dep,
        region: this.departements.get(dep)?.region ?? '',
        codesPostaux: Object.freeze(postal ? postal.split(',') : []) as string[],
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
        membres: Object.freeze(Array.from(this.epciMembers[idx]!, (m) => this.code[m]!)) as string[],
      });
      this.epciCache.set(idx, made);
    }
    return made;
  }

  /** Served first, then by population: the order in which candidates are offered. */
  compareCandidates = (a: number, b: number): number =>
    this.served[b]! - this.served[a]! || this.population[b]! - this.population[a]! || a - b;
}
