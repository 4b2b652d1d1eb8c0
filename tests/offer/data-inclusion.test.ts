// The open data against the official data·inclusion JSON Schemas (v1, draft 2020-12), copied
// into tests/fixtures/data-inclusion/ (Licence Ouverte 2.0): every structure and service of the
// whole service and of the Vignoble validates, a broken record is rejected, each service names
// an exported structure, no notification address leaks; then the HTTP files and their CSV.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { startServer, type Harness } from '../web/server.js';
import { WHOLE_SERVICE, type Offer } from '../../src/offer/index.js';
import { SERVICE_COLUMNS, STRUCTURE_COLUMNS } from '../../src/offer/dataInclusion.js';
import { PUBLIC_URL, realOffer, realRouting } from './helpers.js';

const FIXTURES = new URL('../fixtures/data-inclusion/', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function validator(file: string): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(new URL(file, FIXTURES), 'utf8')) as object);
}

const validStructure = validator('structure.json');
const validService = validator('service.json');

function errors(validate: ValidateFunction, record: unknown): string {
  validate(record);
  return JSON.stringify(validate.errors ?? []);
}

let offer: Offer;

beforeAll(async () => {
  offer = await realOffer();
});

describe('data·inclusion export against the official schemas', () => {
  it('every structure and service of the whole service and of the Vignoble is valid, and linked', async () => {
    const vignoble = offer.scope('vignoble-nantais')!;
    for (const scope of [WHOLE_SERVICE, vignoble]) {
      const { structures, services } = offer.dataInclusion(scope);
      assert.ok(structures.length >= 10, `${structures.length} structures`);
      assert.equal(services.length, structures.length);
      for (const s of structures) assert.ok(validStructure(s), `${s.id} : ${errors(validStructure, s)}`);
      for (const s of services) assert.ok(validService(s), `${s.id} : ${errors(validService, s)}`);
      const ids = new Set(structures.map((s) => s.id));
      assert.equal(ids.size, structures.length, 'identifiants uniques');
      for (const s of services) assert.ok(ids.has(s.structure_id), `${s.id} → ${s.structure_id}`);
      assert.equal(new Set(services.map((s) => s.id)).size, services.length);
    }
  });

  it('a broken record is rejected (the test can fail)', () => {
    const { structures, services } = offer.dataInclusion(WHOLE_SERVICE);
    const service = services[0]!;
    const structure = structures[0]!;
    assert.ok(validService(service));
    // A stage code where a thématique is expected, our own zone notation, a missing date.
    assert.equal(validService({ ...service, thematiques: ['creation'] }), false);
    assert.equal(validService({ ...service, zone_eligibilite: ['region:52'] }), false);
    assert.equal(validService({ ...service, publics: ['porteurs-de-projet'] }), false);
    const { date_maj: _dropped, ...undated } = structure;
    assert.equal(validStructure(undated), false);
    assert.equal(validStructure({ ...structure, site_web: 'pas une adresse' }), false);
    assert.equal(validStructure({ ...structure, courriel: 'pas-un-courriel' }), false);
  });

  it('maps stages to thématiques, zones to INSEE codes (a region as its departments), young people to « jeunes »', () => {
    const { structures, services } = offer.dataInclusion(WHOLE_SERVICE);
    const byId = (id: string) => services.find((s) => s.structure_id === `aiguillage--${id}`)!;
    assert.deepEqual(byId('cress-pdl').zone_eligibilite, ['44', '49', '53', '72', '85']);
    assert.deepEqual(byId('cress-pdl').thematiques, [
      'creer-une-entreprise--definir-son-projet-de-creation-dentreprise',
      'creer-une-entreprise--structurer-son-projet-de-creation-dentreprise',
      'creer-une-entreprise--developper-son-entreprise',
    ]);
    assert.deepEqual(byId('clisson-sevre-maine-eco').zone_eligibilite, ['200067635']);
    assert.deepEqual(byId('dla-44').thematiques, ['creer-une-entreprise--developper-son-entreprise']);
    assert.deepEqual(byId('mission-locale-vignoble').publics, ['jeunes']);
    assert.equal(byId('mission-locale-vignoble').publics_precisions, 'jeunes de 16 à 25 ans');
    assert.deepEqual(byId('ecossolies').publics, ['tous-publics']);
    // Excluded zones have no counterpart: said in the access conditions.
    assert.match(byId('entreprendre-territoires').conditions_acces ?? '', /Sauf .*Nantes Métropole/);
    const cress = structures.find((s) => s.id === 'aiguillage--cress-pdl')!;
    assert.equal(cress.site_web, 'https://www.cress-pdl.org');
    assert.equal(cress.lien_source, `${PUBLIC_URL}/offre#structure-cress-pdl`);
    assert.equal(cress.date_maj, '2026-11-30');
    assert.deepEqual(structures.find((s) => s.id === 'aiguillage--france-active-pdl')!.reseaux_porteurs, ['france-active']);
  });

  it('inactive structures and notification addresses are never exported', async () => {
    const { router } = await realRouting();
    const text = JSON.stringify(offer.dataInclusion(WHOLE_SERVICE));
    for (const actor of router.actors()) {
      assert.ok(!text.includes(actor.notification.email), `adresse de ${actor.id}`);
      if (!actor.active) assert.ok(!text.includes(`aiguillage--${actor.id}"`), `${actor.id} inactif`);
    }
    assert.ok(!text.includes('@'), 'aucune adresse e-mail');
  });
});

describe('open data over HTTP', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ bot: 'echo', offer });
  });
  afterAll(async () => {
  await h.close();
});

  it('JSON arrays with the licence and CORS; a territory filter; unknown territory 404', async () => {
    const res = await fetch(`${h.base}/open-data/data-inclusion/services.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('link') ?? '', /licence-ouverte.*rel="license"/);
    const services = (await res.json()) as Array<Record<string, unknown>>;
    for (const s of services) assert.ok(validService(s), errors(validService, s));
    const vignoble = (await (await fetch(`${h.base}/open-data/data-inclusion/structures.json?territoire=vignoble-nantais`)).json()) as Array<{ id: string }>;
    const ids = vignoble.map((s) => s.id);
    assert.ok(ids.includes('aiguillage--clisson-sevre-maine-eco') && ids.includes('aiguillage--sevre-loire-eco'), ids.join());
    assert.ok(!ids.includes('aiguillage--redon-agglo-eco') && !ids.includes('aiguillage--cades-redon'), ids.join());
    for (const s of vignoble) assert.ok(validStructure(s), errors(validStructure, s));
    const unknown = await fetch(`${h.base}/open-data/data-inclusion/structures.json?territoire=atlantide`);
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { message: string }).message, /Territoire inconnu/);
  });

  it('CSV of the same records: UTF-8, header row with the schema’s field names, one line per record', async () => {
    for (const [file, columns] of [['structures', STRUCTURE_COLUMNS], ['services', SERVICE_COLUMNS]] as const) {
      const json = (await (await fetch(`${h.base}/open-data/data-inclusion/${file}.json`)).json()) as Array<Record<string, unknown>>;
      const res = await fetch(`${h.base}/open-data/data-inclusion/${file}.csv`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
      assert.match(res.headers.get('link') ?? '', /rel="license"/);
      const text = Buffer.from(await res.arrayBuffer()).toString('utf8');
      assert.ok(text.startsWith('\uFEFF'), 'BOM UTF-8');
      const lines = text.slice(1).trimEnd().split('\r\n');
      assert.deepEqual(lines[0]!.split(';'), [...columns]);
      assert.equal(lines.length, json.length + 1);
      // The first record's id and name come back from its line (names hold no `;`).
      const first = lines[1]!.split(';');
      assert.equal(first[columns.indexOf('id' as never)], json[0]!.id);
      assert.equal(first[columns.indexOf('nom' as never)], json[0]!.nom);
    }
    const services = await (await fetch(`${h.base}/open-data/data-inclusion/services.csv`)).text();
    assert.match(services, /;44,49,53,72,85;/, 'une liste est une cellule aux valeurs séparées par des virgules');
  });
});
