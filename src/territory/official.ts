// Reads the official geography shipped by @etalab/decoupage-administratif (its main entry does
// not load: we read the JSON files under data/ directly).
//
// JSON.parse of communes.json + epci.json costs ~200 ms and ~50 MB of short-lived objects for
// ~15 fields per record when we use 7. Both files are machine-written arrays of minified flat
// records: one regular expression per record (native code, no object per field) reads the
// fields we keep straight into columns. The files are read in pieces as latin1 (one byte per
// character, no decoding); names are decoded from UTF-8 once, all together. Kept strings never slice the
// file text, which would keep its 9 MB alive. Any surprise in the shape (a new package version)
// makes the scan give up and we fall back to JSON.parse: slower, same data (tested).
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

/** communes.json as columns, one index per record. */
export interface RawCommunes {
  length: number;
  code: string[];
  nom: string[];
  type: Uint8Array;
  departement: string[];
  /** Postal codes joined by ',' ('' when none). */
  postal: string[];
  population: Float64Array;
  /** chefLieu (déléguée, associée) or commune (arrondissement municipal); '' otherwise. */
  parent: string[];
}

export interface RawEpci {
  code: string;
  nom: string;
  membres: string[];
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
  const departements = (JSON.parse(readFileSync(join(dir, 'departements.json'), 'utf8')) as { code: string; nom: string; region: string }[]).map(
    (d) => ({ code: d.code, nom: d.nom, region: d.region }),
  );
  const regions = (JSON.parse(readFileSync(join(dir, 'regions.json'), 'utf8')) as { code: string; nom: string }[]).map((r) => ({
    code: r.code,
    nom: r.nom,
  }));
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

function scanCommunes(pieces: Iterable<string>): RawCommunes | null {
  const code: string[] = [];
  const rawNames: string[] = [];
  const type: number[] = [];
  const departement: string[] = [];
  const postal: string[] = [];
  const population: number[] = [];
  const parent: string[] = [];
  const departements = new Map<string, string>();
  for (const text of pieces) {
    let last = 0;
    RECORD.lastIndex = 0;
    for (let m = RECORD.exec(text); m; m = RECORD.exec(text)) {
      // A record the expression did not read (another shape) would hide in this gap.
      if (m.index - last > 8 && !BETWEEN.test(text.slice(last, m.index))) return null;
      last = RECORD.lastIndex;
      const t = TYPES[m[4]!];
      if (t === undefined) return null;
      code.push(m[1]!);
      rawNames.push(m[2]!);
      type.push(t);
      const dep = m[3]!;
      departement.push(departements.get(dep) ?? (departements.set(dep, dep), dep));
      parent.push(m[5] ?? '');
      const cp = m[6];
      postal.push(cp === undefined ? '' : cp.length === 7 ? cp.slice(1, 6) : cp.replace(/"/g, ''));
      population.push(m[7] === undefined ? 0 : Number(m[7]));
    }
    if (!BETWEEN.test(text.slice(last))) return null;
  }
  if (code.length < 30000) return null;
  // One decoding for all the names; split() makes them slices of this small string, not of the file.
  const nom = Buffer.from(rawNames.join('\n'), 'latin1').toString('utf8').split('\n');
  if (nom.length !== code.length) return null;
  return {
    length: code.length,
    code,
    nom,
    type: Uint8Array.from(type),
    departement,
    postal,
    population: Float64Array.from(population),
    parent,
  };
}

function parseCommunes(text: string): RawCommunes {
  const records = JSON.parse(text) as Record<string, unknown>[];
  return {
    length: records.length,
    code: records.map((r) => String(r.code)),
    nom: records.map((r) => String(r.nom)),
    type: Uint8Array.from(records.map((r) => TYPES[String(r.type)] ?? 0)),
    departement: records.map((r) => String(r.departement)),
    postal: records.map((r) => (Array.isArray(r.codesPostaux) ? (r.codesPostaux as string[]).join(',') : '')),
    population: Float64Array.from(records.map((r) => (typeof r.population === 'number' ? r.population : 0))),
    parent: records.map((r) => (typeof r.chefLieu === 'string' ? r.chefLieu : typeof r.commune === 'string' ? r.commune : '')),
  };
}

// An EPCI record opens with its SIREN then its name; its members open with an INSEE code then
// their own SIREN. Nothing else in the file has that shape.
const EPCI_OR_MEMBER = /"code":"(\w+)","(nom|siren)":"((?:[^"\\]|\\.)*)"/g;

function scanEpci(pieces: Iterable<string>): RawEpci[] | null {
  const out: RawEpci[] = [];
  const rawNames: string[] = [];
  let current: RawEpci | null = null;
  let members = 0;
  let records = 0;
  let sirens = 0;
  for (const text of pieces) {
    EPCI_OR_MEMBER.lastIndex = 0;
    for (let m = EPCI_OR_MEMBER.exec(text); m; m = EPCI_OR_MEMBER.exec(text)) {
      const code = m[1]!;
      if (m[2] === 'nom') {
        if (code.length !== 9) return null;
        current = { code, nom: '', membres: [] };
        rawNames.push(m[3]!);
        out.push(current);
      } else {
        if (!current || code.length !== 5) return null;
        current.membres.push(code);
        members++;
      }
    }
    records += count(text, '"membres":');
    sirens += count(text, '"siren":');
  }
  // Every record and every member was read: as many as the file has "membres" arrays and SIRENs.
  if (out.length < 1000 || records !== out.length || sirens !== members) return null;
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
  return records.map((e) => ({ code: e.code, nom: e.nom, membres: e.membres.map((m) => m.code) }));
}
