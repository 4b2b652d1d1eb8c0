// Reads the official geography shipped by @etalab/decoupage-administratif (its main entry does
// not load: we read the JSON files under data/ directly).
//
// JSON.parse of communes.json + epci.json costs ~200 ms and ~50 MB of short-lived objects for
// ~15 fields per record when we use 7. Both files are machine-written arrays of minified flat
// records, one per line: one regular expression per record (native code, no object per field)
// reads the fields we keep straight into columns. The files are read in pieces as latin1 (one
// byte per character, no decoding); names are decoded from UTF-8 once, all together. Kept
// strings never slice the file text, which would keep it alive. Any surprise in the shape (a new
// package version) makes the scan give up and we fall back to JSON.parse: slower, same data.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Values of RawCommunes.type. */
export const CommuneType = { Actuelle: 0, Deleguee: 1, Associee: 2, Arrondissement: 3 } as const;

const TYPES: Readonly<Record<string, number>> = {
  'commune-actuelle': CommuneType.Actuelle,
  'commune-deleguee': CommuneType.Deleguee,
  'commune-associee': CommuneType.Associee,
  'arrondissement-municipal': CommuneType.Arrondissement,
};

/**
 * communes.json as columns, one index per record, with as few objects as possible (each object
 * that outlives the loading is copied by the garbage collector and costs resident memory).
 */
export interface RawCommunes {
  length: number;
  /** INSEE codes back to back, 5 characters each: record i is codes.slice(5 * i, 5 * i + 5). */
  codes: string;
  /** Names joined by '\n', in record order. */
  names: string;
  type: Uint8Array;
  /** Index in `departements` of the record's department. */
  departement: Uint16Array;
  departements: string[];
  /** Postal codes: the first as a number (-1 when none); all of them when there are several. */
  postal: Int32Array;
  postalMore: Map<number, string[]>;
  population: Float64Array;
  /** chefLieu (déléguée, associée) or commune (arrondissement municipal), by record. */
  parent: Map<number, string>;
}

export interface RawEpci {
  code: string;
  nom: string;
  /** INSEE codes of the members back to back, 5 characters each. */
  membres: string;
}

export interface OfficialData {
  communes: RawCommunes;
  epci: RawEpci[];
  departements: { code: string; nom: string; region: string }[];
  regions: { code: string; nom: string }[];
}

export function officialDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@etalab/decoupage-administratif/package.json')), 'data');
}

export function readOfficialData(options: { fast?: boolean } = {}): OfficialData {
  const dir = officialDataDir();
  const fast = options.fast ?? true;
  const small = <T>(name: string): T[] => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T[];
  const departements = small<{ code: string; nom: string; region: string }>('departements.json').map((d) => ({ code: d.code, nom: d.nom, region: d.region }));
  const regions = small<{ code: string; nom: string }>('regions.json').map((r) => ({ code: r.code, nom: r.nom }));
  const communesFile = join(dir, 'communes.json');
  const communes = (fast && scanCommunes(linesOf(communesFile))) || parseCommunes(readFileSync(communesFile, 'utf8'));
  const epciFile = join(dir, 'epci.json');
  const epci = (fast && scanEpci(linesOf(epciFile))) || parseEpci(readFileSync(epciFile, 'utf8'));
  return { communes, epci, departements, regions };
}

/**
 * The file in pieces of ~256 KB cut at line ends (the package writes one record per line), as
 * latin1 strings. Small pieces keep the memory peak low: no 9 MB buffer nor string, which the
 * allocator would keep as resident memory long after.
 */
function* linesOf(path: string, size = 1 << 18): Generator<string> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(size);
    let carry = '';
    for (;;) {
      const n = readSync(fd, buf, 0, size, null);
      if (n === 0) break;
      const text = carry + buf.toString('latin1', 0, n);
      const cut = text.lastIndexOf('\n') + 1;
      carry = text.slice(cut);
      if (cut > 0) yield text.slice(0, cut);
    }
    if (carry) yield carry;
  } finally {
    closeSync(fd);
  }
}

// code and nom open every record; the other fields are found wherever they are in the record
// (one lookahead each: their order varies).
const RECORD =
  /\{"code":"(\w+)","nom":"([^"\\]*)"(?=[^}]*?"departement":"(\w+)")(?=[^}]*?"type":"([a-z-]+)")(?=(?:[^}]*?"(?:chefLieu|commune)":"(\w+)")?)(?=(?:[^}]*?"codesPostaux":\[([^\]]*)\])?)(?=(?:[^}]*?"population":(\d+))?)[^}]*\}/g;
/** Between two records: the array's punctuation and white space only. */
const BETWEEN = /^[\s,[\]]*$/;

/** Growable columns of numbers. */
class Column<T extends Uint8Array | Uint16Array | Int32Array | Float64Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  done(): T {
    return this.data.slice(0, this.length) as T;
  }
}

const bytes = (n: number) => new Uint8Array(n);

/** Appends a latin1 string (bytes as characters) to a byte column. */
function pushLatin1(col: Column<Uint8Array>, s: string): void {
  for (let i = 0; i < s.length; i++) col.push(s.charCodeAt(i));
}

function scanCommunes(pieces: Iterable<string>): RawCommunes | null {
  const codes = new Column(bytes(1 << 18), bytes);
  const names = new Column(bytes(1 << 20), bytes);
  const type = new Column(bytes(1 << 16), bytes);
  const departement = new Column(new Uint16Array(1 << 16), (n) => new Uint16Array(n));
  const postal = new Column(new Int32Array(1 << 16), (n) => new Int32Array(n));
  const population = new Column(new Float64Array(1 << 16), (n) => new Float64Array(n));
  const postalMore = new Map<number, string[]>();
  const parent = new Map<number, string>();
  const depIndex = new Map<string, number>();
  const departements: string[] = [];
  for (const text of pieces) {
    let last = 0;
    RECORD.lastIndex = 0;
    for (let m = RECORD.exec(text); m; m = RECORD.exec(text)) {
      // A record the expression did not read (another shape) would hide in this gap.
      if (m.index - last > 8 && !BETWEEN.test(text.slice(last, m.index))) return null;
      last = RECORD.lastIndex;
      const t = TYPES[m[4]!];
      const code = m[1]!;
      if (t === undefined || code.length !== 5) return null;
      const record = type.length;
      type.push(t);
      pushLatin1(codes, code);
      if (record > 0) names.push(10);
      pushLatin1(names, m[2]!);
      const dep = m[3]!;
      let d = depIndex.get(dep);
      if (d === undefined) depIndex.set(dep, (d = departements.push(dep) - 1));
      departement.push(d);
      if (m[5] !== undefined) parent.set(record, m[5]);
      const cp = m[6];
      if (cp === undefined || cp === '') postal.push(-1);
      else if (cp.length === 7) postal.push(Number(cp.slice(1, 6)));
      else {
        const all = cp.replace(/"/g, '').split(',');
        postal.push(Number(all[0]));
        postalMore.set(record, all);
      }
      population.push(m[7] === undefined ? 0 : Number(m[7]));
    }
    if (!BETWEEN.test(text.slice(last))) return null;
  }
  if (type.length < 30000) return null;
  return {
    length: type.length,
    codes: Buffer.from(codes.data.buffer, 0, codes.length).toString('latin1'),
    names: Buffer.from(names.data.buffer, 0, names.length).toString('utf8'),
    type: type.done(),
    departement: departement.done(),
    departements,
    postal: postal.done(),
    postalMore,
    population: population.done(),
    parent,
  };
}

function parseCommunes(text: string): RawCommunes {
  const records = JSON.parse(text) as Record<string, unknown>[];
  const departements = [...new Set(records.map((r) => String(r.departement)))];
  const postalMore = new Map<number, string[]>();
  const parent = new Map<number, string>();
  records.forEach((r, i) => {
    const cps = Array.isArray(r.codesPostaux) ? (r.codesPostaux as string[]) : [];
    if (cps.length > 1) postalMore.set(i, cps);
    const p = typeof r.chefLieu === 'string' ? r.chefLieu : typeof r.commune === 'string' ? r.commune : undefined;
    if (p !== undefined) parent.set(i, p);
  });
  return {
    length: records.length,
    codes: records.map((r) => String(r.code)).join(''),
    names: records.map((r) => String(r.nom)).join('\n'),
    type: Uint8Array.from(records.map((r) => TYPES[String(r.type)] ?? 0)),
    departement: Uint16Array.from(records.map((r) => departements.indexOf(String(r.departement)))),
    departements,
    postal: Int32Array.from(records.map((r) => (Array.isArray(r.codesPostaux) && r.codesPostaux.length ? Number(r.codesPostaux[0]) : -1))),
    postalMore,
    population: Float64Array.from(records.map((r) => (typeof r.population === 'number' ? r.population : 0))),
    parent,
  };
}

// An EPCI record opens with its SIREN then its name; its members open with an INSEE code then
// their own SIREN. Nothing else in the file has that shape.
const EPCI_OR_MEMBER = /"code":"(\w+)","(nom|siren)":"((?:[^"\\]|\\.)*)"/g;

function scanEpci(pieces: Iterable<string>): RawEpci[] | null {
  const out: RawEpci[] = [];
  const rawNames: string[] = [];
  let current: string[] = [];
  let total = 0;
  let records = 0;
  let sirens = 0;
  for (const text of pieces) {
    EPCI_OR_MEMBER.lastIndex = 0;
    for (let m = EPCI_OR_MEMBER.exec(text); m; m = EPCI_OR_MEMBER.exec(text)) {
      const code = m[1]!;
      if (m[2] === 'nom') {
        if (code.length !== 9) return null;
        if (out.length) out[out.length - 1]!.membres = current.join('');
        out.push({ code, nom: '', membres: '' });
        rawNames.push(m[3]!);
        current = [];
      } else {
        if (out.length === 0 || code.length !== 5) return null;
        current.push(code);
        total++;
      }
    }
    records += count(text, '"membres":');
    sirens += count(text, '"siren":');
  }
  if (out.length) out[out.length - 1]!.membres = current.join('');
  // Every record and every member was read: as many as the file has "membres" arrays and SIRENs.
  if (out.length < 1000 || records !== out.length || sirens !== total) return null;
  // Decoded together, as for the communes: never slices of the file text.
  const names = Buffer.from(rawNames.join('\n'), 'latin1').toString('utf8').split('\n');
  out.forEach((e, i) => (e.nom = names[i]!.includes('\\') ? (JSON.parse(`"${names[i]}"`) as string) : names[i]!));
  return out;
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

function parseEpci(text: string): RawEpci[] {
  const records = JSON.parse(text) as { code: string; nom: string; membres: { code: string }[] }[];
  return records.map((e) => ({ code: e.code, nom: e.nom, membres: e.membres.map((m) => m.code).join('') }));
}
