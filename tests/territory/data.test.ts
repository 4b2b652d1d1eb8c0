// The loading side: the fast reader of the official files must give exactly what JSON.parse
// gives, and the coordinators' data files must fail loudly, in French, when wrong.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTerritory, loadTerritory, TerritoryDataError } from '../../src/territory/index.js';
import { DEFAULT_TERRITORY_DIR } from '../../src/territory/lexicon.js';
import { readOfficialData } from '../../src/territory/official.js';
import { loadOfficial } from '../../src/territory/snapshot.js';

describe('official data', () => {
  it('the byte scan reads the same as JSON.parse', () => {
    const fast = readOfficialData();
    const slow = readOfficialData({ fast: false });
    assert.ok(fast.communes.length > 37000);
    assert.ok(fast.epci.length > 1200);
    assert.deepEqual(fast.communes, slow.communes);
    assert.deepEqual(fast.epci, slow.epci);
    const i = fast.communes.codes.indexOf('21553') / 5;
    assert.equal(fast.communes.names.split('\n')[i], 'Saint-Jean-de-Bœuf', 'UTF-8 names');
    assert.equal(fast.communes.names.split('\n').length, fast.communes.length);
    assert.ok(fast.epci.some((e) => e.nom === 'CA "Saintes - Grandes Rives - L\'Agglo"'), 'escaped quotes');
  });
});

describe('data/territory files', () => {
  function dirWith(file: string, content: unknown): string {
    const dir = mkdtempSync(join(tmpdir(), 'territory-'));
    cpSync(DEFAULT_TERRITORY_DIR, dir, { recursive: true });
    writeFileSync(join(dir, file), JSON.stringify(content));
    return dir;
  }

  it('an unknown EPCI in aliases.json stops the loading with the file and the code', () => {
    const dir = dirWith('aliases.json', { epci: { '999999999': ['Nulle part agglo'] } });
    assert.throws(() => buildTerritory(dir), (e: unknown) => e instanceof TerritoryDataError && /aliases\.json.*999999999/.test(e.message));
  });

  it('a malformed SIREN in named-territories.json is refused', () => {
    const dir = dirWith('named-territories.json', { territories: [{ id: 'essai', nom: 'Essai', epcis: ['123'] }] });
    assert.throws(() => buildTerritory(dir), (e: unknown) => e instanceof TerritoryDataError && /named-territories\.json.*SIREN/.test(e.message));
  });

  it('a coordinator can add an alias', () => {
    const dir = dirWith('aliases.json', { epci: { '200067866': ['la Com de Vallet'] }, communes: {} });
    const m = buildTerritory(dir).resolve('la com de vallet');
    assert.ok(m?.kind === 'epci' && m.epci.code === '200067866', JSON.stringify(m));
  });
});

describe('the cache of the built official index', () => {
  const queries = ['Vallet', 'Barbechat', '44115', 'Lyon', 'saint julien de concelle', 'Saint-Mars-du-Désert', 'Clisson agglo', 'en Corse-du-Sud', 'Ajaccio'];

  it('answers exactly as a fresh build', () => {
    const fresh = buildTerritory(DEFAULT_TERRITORY_DIR, { cache: false });
    const shared = loadTerritory();
    for (const q of queries) assert.deepEqual(shared.resolve(q), fresh.resolve(q), q);
    assert.deepEqual(shared.commune('44029'), fresh.commune('44029'));
    assert.deepEqual(shared.communesOfEpci('200067635'), fresh.communesOfEpci('200067635'));
  });

  it('a damaged cache file is rebuilt, not trusted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'territory-cache-'));
    const before = process.env.AIGUILLAGE_TERRITORY_CACHE;
    process.env.AIGUILLAGE_TERRITORY_CACHE = dir;
    try {
      loadOfficial();
      const [file] = readdirSync(dir).filter((f) => f.endsWith('.bin'));
      assert.ok(file, 'a cache file was written');
      writeFileSync(join(dir, file), 'pas un index');
      const { geo } = loadOfficial();
      assert.equal(geo.nom(geo.communeId('44212')), 'Vallet');
    } finally {
      if (before === undefined) delete process.env.AIGUILLAGE_TERRITORY_CACHE;
      else process.env.AIGUILLAGE_TERRITORY_CACHE = before;
    }
  });
});
