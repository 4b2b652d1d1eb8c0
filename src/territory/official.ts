// Reads the official geography shipped by @etalab/decoupage-administratif (its main entry does
// not load: we read the JSON files under data/ directly).
//
// JSON.parse of communes.json + epci.json costs ~250 ms and ~50 MB of short-lived objects for
// ~15 fields per record when we use 7. Both files are machine-written arrays of minified flat
// records, so a byte scan reads only the fields we keep, straight into columns, and makes fresh
// strings (never slices of the file, which would keep it alive). Any surprise in the shape (a
// new package version) makes the scan give up and we fall back to JSON.parse: slower, same data.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Values of RawCommunes.type. */
export const CommuneType = { Actuelle: 0, Deleguee: 1, Associee: 2, Arrondissement: 3 } as const;

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
  const communesFile = readFileSync(join(dir, 'communes.json'));
  const communes = (fast && scanCommunes(communesFile)) || parseCommunes(communesFile);
  const epciFile = readFileSync(join(dir, 'epci.json'));
  const epci = (fast && scanEpci(epciFile)) || parseEpci(epciFile);
  return { communes, epci, departements, regions };
}

const QUOTE = 34;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const BACKSLASH = 92;

// Keys are told apart by length and first letter: no string is made for them.
const keyId = (k: string): number => k.length * 256 + k.charCodeAt(0);
const K_CODE = keyId('code');
const K_NOM = keyId('nom');
const K_TYPE = keyId('type');
const K_DEPARTEMENT = keyId('departement');
const K_CODES_POSTAUX = keyId('codesPostaux');
const K_POPULATION = keyId('population');
const K_CHEF_LIEU = keyId('chefLieu');
const K_COMMUNE = keyId('commune');

const CODE = /^[0-9][0-9AB]\d{3}$/;

function utf8(buf: Buffer, from: number, to: number): string {
  const s = buf.toString('utf8', from, to);
  return s.includes('\\') ? (JSON.parse(`"${s}"`) as string) : s;
}

/** commune-actuelle / -deleguee / -associee differ by their 10th letter. */
function typeFromTenthLetter(c: number): number {
  return c === 99 ? 0 : c === 101 ? 1 : c === 115 ? 2 : -1;
}

function scanCommunes(buf: Buffer): RawCommunes | null {
  const code: string[] = [];
  const nom: string[] = [];
  const types: number[] = [];
  const departement: string[] = [];
  const postal: string[] = [];
  const population: number[] = [];
  const parent: string[] = [];
  const depStrings = new Map<number, string>();
  const n = buf.length;
  let i = buf.indexOf(OPEN_BRACE);
  while (i >= 0 && i < n) {
    i++;
    let rCode = '';
    let rNom = '';
    let rType = -1;
    let rDep = '';
    let rPostal = '';
    let rPop = 0;
    let rParent = '';
    for (;;) {
      if (buf[i] !== QUOTE) return null;
      let j = i + 1;
      while (j < n && buf[j] !== QUOTE) j++;
      const key = (j - i - 1) * 256 + buf[i + 1]!;
      i = j + 2; // past '":'
      const open = buf[i];
      let from = i;
      let to = i;
      let next: number;
      if (open === QUOTE || open === OPEN_BRACKET) {
        const close = open === QUOTE ? QUOTE : CLOSE_BRACKET;
        from = to = i + 1;
        while (to < n && buf[to] !== close) {
          if (buf[to] === BACKSLASH) return null;
          to++;
        }
        next = to + 1;
      } else {
        while (to < n && buf[to] !== COMMA && buf[to] !== CLOSE_BRACE) to++;
        next = to;
      }
      if (next >= n) return null;
      switch (key) {
        case K_CODE:
          rCode = buf.toString('latin1', from, to);
          break;
        case K_NOM:
          rNom = buf.toString('utf8', from, to);
          break;
        case K_TYPE:
          rType = to - from === 24 ? 3 : to - from === 16 ? typeFromTenthLetter(buf[from + 9]!) : -1;
          break;
        case K_DEPARTEMENT: {
          // 2 or 3 characters: one shared string per department.
          const k = buf[from]! * 65536 + buf[from + 1]! * 256 + (to - from > 2 ? buf[from + 2]! : 0);
          rDep = depStrings.get(k) ?? '';
          if (!rDep) depStrings.set(k, (rDep = buf.toString('latin1', from, to)));
          break;
        }
        case K_CODES_POSTAUX:
          rPostal = to - from === 7 ? buf.toString('latin1', from + 1, to - 1) : buf.toString('latin1', from, to).replace(/"/g, '');
          break;
        case K_POPULATION:
          rPop = 0;
          for (let d = from; d < to; d++) rPop = rPop * 10 + buf[d]! - 48;
          break;
        case K_CHEF_LIEU:
        case K_COMMUNE:
          rParent = buf.toString('latin1', from, to);
          break;
      }
      const sep = buf[next];
      i = next + 1;
      if (sep === CLOSE_BRACE) break;
      if (sep !== COMMA) return null;
    }
    if (!CODE.test(rCode) || !rNom || rType < 0 || !rDep) return null;
    code.push(rCode);
    nom.push(rNom);
    types.push(rType);
    departement.push(rDep);
    postal.push(rPostal);
    population.push(rPop);
    parent.push(rParent);
    while (i < n && buf[i] !== OPEN_BRACE) i++;
  }
  if (code.length < 30000) return null;
  return {
    length: code.length,
    code,
    nom,
    type: Uint8Array.from(types),
    departement,
    postal,
    population: Float64Array.from(population),
    parent,
  };
}

const TYPE_CODES: Readonly<Record<string, number>> = {
  'commune-actuelle': 0,
  'commune-deleguee': 1,
  'commune-associee': 2,
  'arrondissement-municipal': 3,
};

function parseCommunes(buf: Buffer): RawCommunes {
  const records = JSON.parse(buf.toString('utf8')) as Record<string, unknown>[];
  return {
    length: records.length,
    code: records.map((r) => String(r.code)),
    nom: records.map((r) => String(r.nom)),
    type: Uint8Array.from(records.map((r) => TYPE_CODES[String(r.type)] ?? 0)),
    departement: records.map((r) => String(r.departement)),
    postal: records.map((r) => (Array.isArray(r.codesPostaux) ? (r.codesPostaux as string[]).join(',') : '')),
    population: Float64Array.from(records.map((r) => (typeof r.population === 'number' ? r.population : 0))),
    parent: records.map((r) => (typeof r.chefLieu === 'string' ? r.chefLieu : typeof r.commune === 'string' ? r.commune : '')),
  };
}

// An EPCI record opens with its SIREN then its name; its members open with an INSEE code then
// their own SIREN. Nothing else in the file has that shape.
const RECORD_START = Buffer.from('{"code":"');
const AFTER_CODE_NOM = Buffer.from('","nom":"');
const AFTER_CODE_SIREN = Buffer.from('","siren":"');

function scanEpci(buf: Buffer): RawEpci[] | null {
  const out: RawEpci[] = [];
  let current: RawEpci | null = null;
  let members = 0;
  let i = buf.indexOf(RECORD_START);
  while (i >= 0) {
    const from = i + RECORD_START.length;
    const to = buf.indexOf(QUOTE, from);
    if (to < 0) return null;
    const code = buf.toString('latin1', from, to);
    if (buf.compare(AFTER_CODE_NOM, 0, AFTER_CODE_NOM.length, to, to + AFTER_CODE_NOM.length) === 0) {
      if (!/^\d{9}$/.test(code)) return null;
      const nameFrom = to + AFTER_CODE_NOM.length;
      let nameTo = nameFrom;
      while (nameTo < buf.length && (buf[nameTo] !== QUOTE || buf[nameTo - 1] === BACKSLASH)) nameTo++;
      current = { code, nom: utf8(buf, nameFrom, nameTo), membres: [] };
      out.push(current);
    } else if (buf.compare(AFTER_CODE_SIREN, 0, AFTER_CODE_SIREN.length, to, to + AFTER_CODE_SIREN.length) === 0) {
      if (!current || !CODE.test(code)) return null;
      current.membres.push(code);
      members++;
    } else {
      return null;
    }
    i = buf.indexOf(RECORD_START, to);
  }
  return out.length > 1000 && members > 30000 ? out : null;
}

function parseEpci(buf: Buffer): RawEpci[] {
  const records = JSON.parse(buf.toString('utf8')) as { code: string; nom: string; membres: { code: string }[] }[];
  return records.map((e) => ({ code: e.code, nom: e.nom, membres: e.membres.map((m) => m.code) }));
}
