// The Pays du Vignoble Nantais, checked against the official files themselves (read here with
// JSON.parse, independently of the index): every commune, every spelling a person may use.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTerritory, type PlaceMatch } from '../../src/territory/index.js';
import { officialDataDir } from '../../src/territory/official.js';

const CLISSON_AGGLO = '200067635';
const SEVRE_ET_LOIRE = '200067866';

interface RawCommune {
  code: string;
  nom: string;
  type: string;
  chefLieu?: string;
  codesPostaux?: string[];
}
const dir = officialDataDir();
const communes = JSON.parse(readFileSync(join(dir, 'communes.json'), 'utf8')) as RawCommune[];
const epcis = JSON.parse(readFileSync(join(dir, 'epci.json'), 'utf8')) as { code: string; membres: { code: string; nom: string }[] }[];
const members = (siren: string) => epcis.find((e) => e.code === siren)!.membres;
const current = (code: string) => communes.find((c) => c.code === code && c.type === 'commune-actuelle')!;
const vignoble = [CLISSON_AGGLO, SEVRE_ET_LOIRE].flatMap((epci) => members(epci).map((m) => ({ epci, ...current(m.code) })));
const memberCodes = new Set(vignoble.map((c) => c.code));

const territory = loadTerritory();

/** What a person types when they do not bother: lowercase, no accents, no hyphens. */
function plain(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[-']/g, ' ');
}

function communeCode(m: PlaceMatch | null): string | null {
  return m?.kind === 'commune' ? m.commune.code : null;
}

describe('Pays du Vignoble Nantais: the communes', () => {
  it('has 16 communes in Clisson Sèvre et Maine Agglo and 11 in Sèvre et Loire', () => {
    assert.equal(members(CLISSON_AGGLO).length, 16);
    assert.equal(members(SEVRE_ET_LOIRE).length, 11);
    assert.equal(territory.communesOfEpci(CLISSON_AGGLO).length, 16);
    assert.equal(territory.communesOfEpci(SEVRE_ET_LOIRE).length, 11);
    assert.deepEqual(territory.namedTerritory('vignoble-nantais')?.epcis, [CLISSON_AGGLO, SEVRE_ET_LOIRE]);
  });

  for (const c of vignoble) {
    describe(c.nom, () => {
      it('resolves by its official name, to itself, in its EPCI, served', () => {
        const m = territory.resolve(c.nom);
        assert.equal(communeCode(m), c.code, JSON.stringify(m));
        assert.ok(m?.kind === 'commune' && m.served && m.delegated === null);
        assert.equal(m.commune.epci?.code, c.epci);
        assert.equal(m.commune.departement, '44');
      });

      it(`resolves when typed « ${plain(c.nom)} »`, () => {
        assert.equal(communeCode(territory.resolve(plain(c.nom))), c.code);
      });

      it('resolves by each of its postal codes (itself, or a choice that includes it)', () => {
        assert.ok(c.codesPostaux?.length);
        for (const cp of c.codesPostaux!) {
          const m = territory.resolve(cp);
          if (m?.kind === 'ambiguous') {
            assert.equal(m.reason, 'postal_code');
            assert.ok(m.candidates.some((x) => x.code === c.code), `${cp} : ${m.candidates.map((x) => x.nom)}`);
          } else {
            assert.equal(communeCode(m), c.code, `${cp} : ${JSON.stringify(m)}`);
          }
        }
      });

      it('is found in « Mon projet est à … »', () => {
        const m = territory.findInText(`Mon projet est à ${c.nom}`);
        assert.equal(communeCode(m), c.code, JSON.stringify(m));
      });
    });
  }
});

describe('Pays du Vignoble Nantais: communes déléguées', () => {
  const delegated = communes.filter((c) => (c.type === 'commune-deleguee' || c.type === 'commune-associee') && memberCodes.has(c.chefLieu!));

  it('includes Barbechat and La Chapelle-Basse-Mer (which shares the code 44029 of Divatte-sur-Loire)', () => {
    const names = delegated.map((d) => d.nom);
    assert.ok(names.includes('Barbechat') && names.includes('La Chapelle-Basse-Mer'), names.join(', '));
  });

  for (const d of delegated) {
    it(`${d.nom} resolves to its commune nouvelle, with delegated set`, () => {
      for (const m of [territory.resolve(d.nom), territory.findInText(`On est à ${d.nom} depuis dix ans`)]) {
        assert.ok(m?.kind === 'commune', JSON.stringify(m));
        assert.equal(m.commune.code, d.chefLieu);
        assert.deepEqual(m.delegated, { code: d.code, nom: d.nom });
      }
    });
  }

  it('Barbechat and La Chapelle-Basse-Mer are Divatte-sur-Loire', () => {
    for (const name of ['Barbechat', 'la chapelle basse mer']) {
      const m = territory.resolve(name);
      assert.ok(m?.kind === 'commune');
      assert.equal(m.commune.nom, 'Divatte-sur-Loire');
      assert.ok(m.delegated);
    }
  });
});
