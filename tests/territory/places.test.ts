// Places as people write them: the answer to "Dans quelle commune ?" (resolve) and a place
// somewhere in a free sentence (findInText).
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTerritory, normalizeText, type PlaceMatch } from '../../src/territory/index.js';
import { officialDataDir } from '../../src/territory/official.js';

const territory = loadTerritory();
const SERVED = ['44', '85', '49', '53', '72', '35', '56'];

function commune(m: PlaceMatch | null): string {
  assert.ok(m?.kind === 'commune', `une commune attendue, reçu ${JSON.stringify(m)}`);
  return m.commune.code;
}

function ambiguous(m: PlaceMatch | null, reason: 'postal_code' | 'homonym'): string[] {
  assert.ok(m?.kind === 'ambiguous', `un choix attendu, reçu ${JSON.stringify(m)}`);
  assert.equal(m.reason, reason);
  assert.ok(m.candidates.length >= 2 && m.candidates.length <= 8);
  return m.candidates.map((c) => c.nom);
}

describe('normalizeText', () => {
  it('lowercases, strips accents, turns apostrophes, hyphens and punctuation into single spaces', () => {
    assert.equal(normalizeText("  L'Île-d'Yeu, Saint-Julien-de-Concelles !"), 'l ile d yeu saint julien de concelles');
    assert.equal(normalizeText('Beaumont-Pied-de-Bœuf — ÉCOLE'), 'beaumont pied de boeuf ecole');
    assert.equal(normalizeText('Cafe\u0301 d’été'), 'cafe d ete');
    assert.equal(normalizeText(''), '');
  });
});

describe('resolve: a commune typed by a person', () => {
  it('« St Julien de Concelles » (abbreviation, no hyphens)', () => {
    assert.equal(commune(territory.resolve('St Julien de Concelles')), '44169');
  });
  it('« saint julien de concelle » (a letter missing)', () => {
    assert.equal(commune(territory.resolve('saint julien de concelle')), '44169');
  });
  it('« Divatte » (partial name, unique among served communes)', () => {
    assert.equal(commune(territory.resolve('Divatte')), '44029');
  });
  it('« clison » (typo)', () => {
    assert.equal(commune(territory.resolve('clison')), '44043');
  });
  it('« Loroux » and « Loroux Bottereau » (partial, article left out)', () => {
    assert.equal(commune(territory.resolve('Loroux')), '44084');
    assert.equal(commune(territory.resolve('Loroux Bottereau')), '44084');
  });
  it('« Nantes » is the commune Nantes', () => {
    assert.equal(commune(territory.resolve('Nantes')), '44109');
  });
  it('« Vallet » is Vallet (44212), not the commune associée of Charente-Maritime', () => {
    const m = territory.resolve('Vallet');
    assert.equal(commune(m), '44212');
    assert.ok(m?.kind === 'commune' && m.served && m.delegated === null);
  });
  it('« Lyon » is recognised outside the served area', () => {
    const m = territory.resolve('Lyon');
    assert.ok(m?.kind === 'commune');
    assert.equal(m.commune.departement, '69');
    assert.equal(m.served, false);
  });
  it('« Loire » alone is not a place', () => {
    assert.equal(territory.resolve('Loire'), null);
    assert.equal(territory.findInText('on habite au bord de la Loire'), null);
  });
});

describe('resolve: answers that name no commune', () => {
  const answers = ['je ne sais pas', 'pas encore', 'en ligne', 'sur internet', 'à la campagne', 'en ville', 'sur place', 'merci', 'aucune idée', 'à la mer', 'nulle part', 'Bruxelles', 'pas de commune'];
  for (const a of answers) it(`« ${a} » → nothing`, () => assert.equal(territory.resolve(a), null));

  it('but a commune named like a common word, written as its name, is one', () => {
    assert.equal(commune(territory.resolve('La Planche')), '44127');
    assert.equal(commune(territory.resolve('à Vue')), '44220');
    assert.equal(territory.findInText('je travaille à la planche à découper'), null);
  });
  it('a city and its arrondissement number', () => {
    assert.equal(commune(territory.resolve('Marseille 13e')), '13055');
    assert.equal(commune(territory.resolve('Paris 11')), '75056');
    assert.equal(commune(territory.resolve('75011')), '75056');
  });
  it('an alias hides the official homonym, unless the department is written: « Le Loroux (35) »', () => {
    assert.equal(commune(territory.resolve('Le Loroux')), '44084');
    assert.equal(commune(territory.resolve('Le Loroux (35)')), '35157');
  });
  it('local usage from data/territory/aliases.json: « la Roche », « les Sables », « Aigrefeuille »', () => {
    assert.equal(commune(territory.resolve('la Roche')), '85191');
    assert.equal(commune(territory.resolve('les Sables')), '85194');
    assert.equal(commune(territory.findInText('une couturière à Aigrefeuille')), '44002');
  });
});

describe('resolve: postal codes', () => {
  it('44115 spans Haute-Goulaine (Clisson agglo) and Basse-Goulaine (Nantes Métropole): ask', () => {
    const names = ambiguous(territory.resolve('44115'), 'postal_code');
    assert.deepEqual([...names].sort(), ['Basse-Goulaine', 'Haute-Goulaine']);
  });
  it('44140 spans several EPCIs: ask', () => {
    const m = territory.resolve('44140');
    ambiguous(m, 'postal_code');
    assert.ok(m?.kind === 'ambiguous' && new Set(m.candidates.map((c) => c.epci?.code)).size >= 2);
  });
  it('a postal code of one commune is that commune', () => {
    assert.equal(commune(territory.resolve('44000')), '44109');
    assert.equal(commune(territory.findInText('mon code postal est 44000')), '44109');
    assert.equal(commune(territory.resolve('44330 Vallet')), '44212', 'the name settles a shared postal code');
  });
  it('a postal code that is no commune is nothing', () => {
    assert.equal(territory.resolve('44999'), null);
  });
});

describe('resolve: homonyms', () => {
  it('two served communes with the same name (found in the official data): ask which', () => {
    const raw = JSON.parse(readFileSync(join(officialDataDir(), 'communes.json'), 'utf8')) as { code: string; nom: string; type: string; departement: string }[];
    const byName = new Map<string, string[]>();
    for (const c of raw) {
      if (c.type === 'commune-actuelle' && SERVED.includes(c.departement)) byName.set(c.nom, [...(byName.get(c.nom) ?? []), c.code]);
    }
    const twins = [...byName].filter(([, codes]) => codes.length === 2);
    assert.ok(twins.length > 0);
    assert.ok(twins.some(([name]) => name === 'Saint-Mars-du-Désert'));
    for (const [name, codes] of twins) {
      const m = territory.resolve(name);
      ambiguous(m, 'homonym');
      assert.ok(m?.kind === 'ambiguous');
      assert.deepEqual(new Set(m.candidates.slice(0, 2).map((c) => c.code)), new Set(codes), name);
    }
  });
  it('a department number settles a homonym', () => {
    assert.equal(commune(territory.resolve('Saint-Mars-du-Désert (53)')), '53236');
    assert.equal(commune(territory.findInText('on est à Saint-Mars-du-Désert, dans le 44')), '44179');
  });
  it('many homonyms outside the served area: ask, at most 8 candidates, by population', () => {
    const m = territory.resolve('Saint-Martin');
    ambiguous(m, 'homonym');
  });
});

describe('resolve: groups of communes and departments', () => {
  const epci = (m: PlaceMatch | null): string => {
    assert.ok(m?.kind === 'epci', `un EPCI attendu, reçu ${JSON.stringify(m)}`);
    return m.epci.code;
  };
  it('EPCI names and aliases', () => {
    for (const q of ['Sèvre et Loire', 'CC Sèvre et Loire', 'communauté de communes Sèvre-et-Loire']) assert.equal(epci(territory.resolve(q)), '200067866', q);
    for (const q of ['Clisson agglo', 'agglo de Clisson', 'Clisson Sèvre et Maine', 'CA Clisson Sèvre et Maine Agglo']) {
      assert.equal(epci(territory.resolve(q)), '200067635', q);
    }
    assert.equal(epci(territory.resolve('Nantes Métropole')), '244400404');
    assert.equal(epci(territory.resolve('Redon agglo')), '243500741');
  });
  it('the Pays du Vignoble Nantais', () => {
    for (const q of ['Pays du Vignoble Nantais', 'vignoble nantais', 'le Vignoble']) {
      const m = territory.resolve(q);
      assert.ok(m?.kind === 'territory', `${q} : ${JSON.stringify(m)}`);
      assert.equal(m.territory.id, 'vignoble-nantais');
    }
    assert.deepEqual(territory.namedTerritoriesOfEpci('200067866').map((t) => t.id), ['vignoble-nantais']);
  });
  it('departments by name or number', () => {
    const dep = (q: string) => {
      const m = territory.resolve(q);
      assert.ok(m?.kind === 'departement', `${q} : ${JSON.stringify(m)}`);
      return [m.departement.code, m.served];
    };
    assert.deepEqual(dep('Vendée'), ['85', true]);
    assert.deepEqual(dep('en Vendée'), ['85', true]);
    assert.deepEqual(dep('Loire-Atlantique'), ['44', true]);
    assert.deepEqual(dep('dans le 44'), ['44', true]);
    assert.deepEqual(dep('85'), ['85', true]);
    assert.deepEqual(dep('en Gironde'), ['33', false]);
  });
  it('a commune named like its department: the commune, unless « en »', () => {
    assert.equal(commune(territory.resolve('à Mayenne')), '53147');
    assert.equal(territory.resolve('en Mayenne')?.kind, 'departement');
  });
});

describe('findInText: a place inside a sentence', () => {
  const cases: [string, string][] = [
    ['Je veux ouvrir une recyclerie solidaire à Vallet avec des amis', '44212'],
    ['on est sur le Loroux', '44084'],
    ["j'habite près de clisson", '44043'],
    ["j'habite près de clison", '44043'],
    ['Nous sommes basés à Saint-Julien-de-Concelles', '44169'],
    ['je suis au Pallet', '44117'],
    ['un café associatif à Rezé', '44143'],
    ['on est à Divatte', '44029'],
  ];
  for (const [text, code] of cases) {
    it(text, () => assert.equal(commune(territory.findInText(text)), code));
  }

  it('a postal code set apart by commas, or after « code postal »; not an amount', () => {
    const names = ambiguous(territory.findInText('habitat partagé pour personnes âgées, 44190, avec la mairie'), 'postal_code');
    assert.ok(names.includes('Gétigné'));
    assert.equal(commune(territory.findInText('mon code postal est 44000')), '44109');
    assert.equal(territory.findInText('on a levé 44190 € en 2023'), null);
  });
  it('a name out of the area set apart at the start: « Lyon, coopérative d’habitants »', () => {
    const m = territory.findInText('Lyon, coopérative d’habitants');
    assert.ok(m?.kind === 'commune' && m.commune.code === '69123' && !m.served);
    assert.equal(territory.findInText('Mathieu, 35 ans, porteur de projet'), null);
  });
  it('Corsica: 2A and 2B', () => {
    assert.equal(territory.resolve('2A')?.kind, 'departement');
    assert.equal(commune(territory.resolve('Ajaccio')), '2A004');
    assert.equal(commune(territory.resolve('Bastia')), '2B033');
  });
  it('« 44190 » alone: the communes of that postal code', () => {
    assert.ok(ambiguous(territory.findInText('44190'), 'postal_code').includes('Clisson'));
  });
  it('the longest name wins: « Saint-Julien-de-Concelles » over « Concelles »', () => {
    assert.equal(commune(territory.findInText('Saint-Julien-de-Concelles')), '44169');
  });
  it('a commune wins over a department or a territory named in the same sentence', () => {
    assert.equal(commune(territory.findInText('on est en Loire-Atlantique, à Gorges')), '44064');
    assert.equal(commune(territory.findInText('dans le Vignoble, à Mouzillon')), '44108');
  });
  it('an EPCI or a territory when no commune is named', () => {
    assert.equal(territory.findInText('notre asso est dans Clisson agglo')?.kind, 'epci');
    assert.equal(territory.findInText('Le projet se situe dans le vignoble nantais')?.kind, 'territory');
    assert.equal(territory.findInText('je suis dans le 44')?.kind, 'departement');
  });
  it('outside the served area, with a place word: recognised, served false', () => {
    const m = territory.findInText('je viens de Lyon et je cherche des idées');
    assert.ok(m?.kind === 'commune' && !m.served && m.commune.code === '69123');
  });

  const noPlace = [
    'je veux faire un projet',
    'nous voulons créer une association culturelle',
    "j'ai besoin d'aide pour mon local",
    'on est sept amis',
    'une épicerie en vrac avec des produits bio de la mer',
    'un projet de mobilité solidaire',
    'bonjour',
    '',
    // and what else people write
    "Je m'appelle Mathieu et j'ai une idée",
    'Nous avons besoin de 35000 euros',
    'un budget de 44000',
    'Nous sommes 44 bénévoles',
    'Rendez-vous du 12 au 15 mars',
    'je travaille sur place',
    'on veut faire un bar associatif dans le bourg',
    'accueillir des touristes à la ferme',
    "je n'ai pas de local",
    'aider des personnes âgées',
    'Je ne sais pas encore',
    'au bord de la mer',
  ];
  for (const text of noPlace) {
    it(`no place in « ${text} »`, () => assert.equal(territory.findInText(text), null));
  }
});

describe('the index', () => {
  it('is one shared instance', () => {
    assert.equal(loadTerritory(), territory);
  });
  it('exposes the official codes', () => {
    assert.equal(territory.commune('44029')?.nom, 'Divatte-sur-Loire');
    assert.deepEqual(territory.commune('44029')?.epci, { code: '200067866', nom: 'CC Sèvre et Loire' });
    assert.equal(territory.commune('44008'), undefined, 'a commune déléguée is no commune of its own');
    assert.equal(territory.epci('200067635')?.membres.length, 16);
    assert.deepEqual({ ...territory.departement('44') }, { code: '44', nom: 'Loire-Atlantique', region: '52' });
    assert.deepEqual([...territory.servedDepartements], SERVED);
    assert.deepEqual(territory.commune('75056')?.codesPostaux.includes('75011'), true, 'Paris gets its arrondissements’ postal codes');
  });
});
