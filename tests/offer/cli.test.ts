// `cli -- export-offre`, spawned: the files it writes validate against the official schemas
// and match the HTTP export; without --out one JSON document on stdout; bad options exit 2.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ROOT } from '../routing/helpers.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function schema(name: string): object {
  return JSON.parse(readFileSync(join(ROOT, 'tests/fixtures/data-inclusion', name), 'utf8')) as object;
}

test('export-offre --format data-inclusion --out DIR: valid files, CSV and the licence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'aiguillage-offre-'));
  try {
    const { status, stderr } = cli(['export-offre', '--format', 'data-inclusion', '--out', dir, '--territoire', 'vignoble-nantais']);
    assert.equal(status, 0, stderr);
    assert.match(stderr, /14 structures|\d+ structures et \d+ services \(Pays du Vignoble Nantais\)/);
    assert.deepEqual([...readdirSync(dir)].sort(), ['LISEZMOI.md', 'services.csv', 'services.json', 'structures.csv', 'structures.json']);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    const structure = ajv.compile(schema('structure.json'));
    const service = ajv.compile(schema('service.json'));
    const structures = JSON.parse(readFileSync(join(dir, 'structures.json'), 'utf8')) as Array<{ id: string }>;
    const services = JSON.parse(readFileSync(join(dir, 'services.json'), 'utf8')) as unknown[];
    for (const s of structures) assert.ok(structure(s), JSON.stringify(structure.errors));
    for (const s of services) assert.ok(service(s), JSON.stringify(service.errors));
    assert.ok(structures.some((s) => s.id === 'aiguillage--sevre-loire-eco'));
    assert.ok(!structures.some((s) => s.id === 'aiguillage--redon-agglo-eco'));
    assert.equal(readFileSync(join(dir, 'structures.csv'), 'utf8').trimEnd().split('\r\n').length, structures.length + 1);
    assert.match(readFileSync(join(dir, 'LISEZMOI.md'), 'utf8'), /Licence Ouverte \/ Open Licence version 2\.0/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export-offre without --out prints one JSON document; a bad format or territory exits 2', () => {
  const { status, stdout } = cli(['export-offre', '--format', 'data-inclusion']);
  assert.equal(status, 0);
  const doc = JSON.parse(stdout) as { structures: unknown[]; services: unknown[] };
  assert.ok(doc.structures.length > 0 && doc.services.length === doc.structures.length);
  const format = cli(['export-offre', '--format', 'csv']);
  assert.equal(format.status, 2);
  assert.match(format.stderr, /Format attendu : --format data-inclusion/);
  const place = cli(['export-offre', '--format', 'data-inclusion', '--territoire', 'atlantide']);
  assert.equal(place.status, 2);
  assert.match(place.stderr, /Territoire inconnu : atlantide/);
});
