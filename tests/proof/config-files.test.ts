// Malformed rules, actors and partners files are refused with a French message naming the file
// and the field (and the rule or actor), never half-loaded: `validate-rules` (the CLI a
// coordinator runs, and the loader the server uses) and the partners loader (the server stops
// at start rather than refuse a partner's visitors silently).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from '@jest/globals';
import { loadPartners, PartnersFileError } from '../../src/channels/partners.js';
import { ROOT } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'aig-config-'));
afterAll(async () => {
  await rmSync(dir, { recursive: true, force: true });
});

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- edited fixtures
const read = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;
const ENGLISH = /Invalid input|expected string|received undefined|must match pattern|Required/;

function validateRules(rulesDir: string, actorsFile: string): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'validate-rules', rulesDir, '--actors', actorsFile], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('rules and actors files (validate-rules)', () => {
  it('the shipped set is valid', () => {
    const { status, out } = validateRules(join(ROOT, 'rules'), join(ROOT, 'data', 'actors.json'));
    assert.equal(status, 0, out);
    assert.match(out, /Règles valides : \d+ règles/);
  });

  it('every problem is listed with its file, rule or actor, and field, in French', () => {
    const rulesDir = join(dir, 'rules');
    cpSync(join(ROOT, 'rules'), rulesDir, { recursive: true });
    const actorsFile = join(dir, 'actors.json');
    const actors = read(join(ROOT, 'data', 'actors.json'));
    actors.actors[0].role = 'chef';
    delete actors.actors[1].name;
    actors.actors[2].zones = ['99999'];
    actors.actors.push({ ...actors.actors[3] }); // the same id twice
    writeFileSync(actorsFile, JSON.stringify(actors));
    const vignoble = read(join(rulesDir, 'vignoble.json'));
    vignoble.rules[0].priority = 'haute';
    vignoble.rules[1].conditions = { all: [{ fact: 'secteur', operator: 'equal', value: 'x' }] };
    vignoble.rules[2].event.params.actorId = 'acteur-inconnu';
    writeFileSync(join(rulesDir, 'vignoble.json'), JSON.stringify(vignoble, null, 1));
    writeFileSync(join(rulesDir, 'fallback.json'), '{"rules": [ {"name": "cassée",, } ]}');

    const { status, out } = validateRules(rulesDir, actorsFile);
    assert.equal(status, 1, out);
    const lines = out.split('\n');
    const line = (...parts: RegExp[]) => lines.find((l) => parts.every((p) => p.test(l)));
    const a = actors.actors as { id: string }[];
    const r = vignoble.rules as { name: string }[];
    assert.ok(line(/actors\.json/, new RegExp(`acteur « ${a[0]!.id} »`), /\(role\)/), `role: ${out}`);
    assert.ok(line(/actors\.json/, new RegExp(`acteur « ${a[1]!.id} »`), /\(name\)/), `name: ${out}`);
    assert.ok(line(/actors\.json/, new RegExp(`acteur « ${a[2]!.id} »`), /commune inconnue « 99999 »/), `zone: ${out}`);
    assert.ok(line(/actors\.json/, new RegExp(`acteur « ${a[3]!.id} »`), /identifiant en double/), `duplicate: ${out}`);
    assert.ok(line(/vignoble\.json/, new RegExp(`règle « ${r[0]!.name} »`), /\(priority\)/), `priority: ${out}`);
    assert.ok(line(/vignoble\.json/, new RegExp(`règle « ${r[1]!.name} »`), /fait inconnu « secteur »/, /conditions\.all\[0\]\.fact/), `fact: ${out}`);
    assert.ok(line(/vignoble\.json/, new RegExp(`règle « ${r[2]!.name} »`), /acteur-inconnu/), `actor: ${out}`);
    assert.ok(line(/fallback\.json/, /JSON illisible ligne 1, colonne \d+/), `json: ${out}`);
    assert.doesNotMatch(out, ENGLISH, 'French messages');
    assert.doesNotMatch(out, /\bat .+\.ts:\d+/, 'no stack trace');
  });
});

describe('partners file', () => {
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const refused = (path: string): string => {
    try {
      loadPartners(path);
    } catch (error) {
      assert.ok(error instanceof PartnersFileError, String(error));
      assert.ok(error.message.includes(path), `the file is named: ${error.message}`);
      return error.message;
    }
    assert.fail('the file should be refused');
  };

  it('the shipped file loads', () => {
    assert.ok(loadPartners().get('demo'));
  });

  it('each bad field is named (partner index and field), in French', () => {
    const partners = read(join(ROOT, 'data', 'partners.json'));
    partners.partners[0].origins = ['https://www.vignoble-nantais.eu/chemin'];
    partners.partners[1].colors.primary = 'rouge';
    delete partners.partners[2].name;
    partners.partners[3].id = 'Démo!';
    partners.partners[3].defaultTerritory.epci = ['2000'];
    const message = refused(write('partners-bad.json', JSON.stringify(partners)));
    assert.match(message, /partners\.0\.origins\.0 : origine attendue/);
    assert.match(message, /partners\.1\.colors\.primary : couleur attendue au format #rrggbb/);
    assert.match(message, /partners\.2\.name : /);
    assert.match(message, /partners\.3\.id : /);
    assert.match(message, /partners\.3\.defaultTerritory\.epci\.0 : /);
    assert.doesNotMatch(message, ENGLISH, `French messages: ${message}`);
  });

  it('a duplicated id, broken JSON, an empty list and a missing file are refused too', () => {
    const partners = read(join(ROOT, 'data', 'partners.json'));
    partners.partners.push({ ...partners.partners[0] });
    assert.match(refused(write('partners-dup.json', JSON.stringify(partners))), /identifiant de partenaire en double/);
    assert.match(refused(write('partners-json.json', '{"partners": [')), /Fichier des partenaires illisible/);
    assert.match(refused(write('partners-empty.json', '{"partners": []}')), /partners : /);
    assert.match(refused(join(dir, 'absent.json')), /Fichier des partenaires illisible/);
  });
});
