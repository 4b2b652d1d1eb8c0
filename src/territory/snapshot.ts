// The official geography and its name tables take ~0.3 s and tens of MB of short-lived memory
// to build from the package's JSON. They depend on nothing but those files and this folder's
// code, so the built result is kept in node_modules/.cache/aiguillage/ (v8 serialisation: big
// strings and typed arrays, read back in a few milliseconds) and rebuilt whenever the package
// files or the code change. AIGUILLAGE_TERRITORY_CACHE=off disables it; another value is the
// folder to use. A cache that cannot be read or written is simply not used.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectPath } from '../paths.js';
import { deserialize, serialize } from 'node:v8';
import { Geography } from './geography.js';
import { KeyTable } from './key-table.js';
import { officialDataDir, readOfficialData } from './official.js';
import { buildNameTables, type NameTables } from './place-index.js';

export interface Official {
  geo: Geography;
  tables: NameTables;
}

/** The code whose output is cached: any change to these files makes a new cache. */
const SOURCES = ['official', 'geography', 'key-table', 'normalize', 'place-index', 'snapshot'];
const OFFICIAL_FILES = ['communes.json', 'epci.json', 'departements.json', 'regions.json', '../package.json'];

export function buildOfficial(): Official {
  const geo = new Geography(readOfficialData());
  return { geo, tables: buildNameTables(geo) };
}

export function loadOfficial(options: { cache?: boolean } = {}): Official {
  const setting = process.env.AIGUILLAGE_TERRITORY_CACHE;
  if (options.cache === false || setting === 'off') return buildOfficial();
  let file: string;
  try {
    file = join(setting || join(officialDataDir(), '..', '..', '..', '.cache', 'aiguillage'), `territory-${fingerprint()}.bin`);
  } catch {
    return buildOfficial();
  }
  const cached = read(file);
  if (cached) return cached;
  const built = buildOfficial();
  write(file, built);
  return built;
}

function fingerprint(): string {
  const hash = createHash('sha256');
  for (const name of SOURCES) hash.update(readFileSync(projectPath('src', 'territory', `${name}.ts`)));
  const dir = officialDataDir();
  for (const name of OFFICIAL_FILES) {
    const s = statSync(join(dir, name));
    hash.update(`${name}:${s.size}:${s.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

interface Stored {
  keys: string;
  geo: object;
  tables: Omit<NameTables, 'keys' | 'names' | 'firstWords'> & { names: object; firstWords: object };
}

function read(file: string): Official | null {
  try {
    const stored = deserialize(readFileSync(file)) as Stored;
    // Plain data back into its classes; the key tables share the one keys string.
    const geo = Object.setPrototypeOf(stored.geo, Geography.prototype) as Geography;
    const revive = (table: object): KeyTable => Object.assign(Object.setPrototypeOf(table, KeyTable.prototype) as KeyTable, { text: stored.keys });
    const tables: NameTables = { ...stored.tables, keys: stored.keys, names: revive(stored.tables.names), firstWords: revive(stored.tables.firstWords) };
    return geo.count > 30000 && tables.names.size > 30000 ? { geo, tables } : null;
  } catch {
    return null;
  }
}

function write(file: string, official: Official): void {
  try {
    const { keys, names, firstWords, ...rest } = official.tables;
    const strip = (table: KeyTable): object => ({ ...table, text: '' });
    const stored: Stored = { keys, geo: official.geo, tables: { ...rest, names: strip(names), firstWords: strip(firstWords) } };
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize(stored));
    renameSync(tmp, file);
    // Caches of older package files or code are of no use any more.
    for (const old of readdirSync(dirname(file))) {
      if (/^territory-[0-9a-f]+\.bin$/.test(old) && join(dirname(file), old) !== file) rmSync(join(dirname(file), old), { force: true });
    }
  } catch {
    // No cache this time (read-only disk…): the next start builds again.
  }
}
