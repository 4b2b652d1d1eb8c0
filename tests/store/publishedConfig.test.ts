// The published configuration on PostgreSQL: seeded once even when instances start together,
// publications of different files by two instances at once both kept and received by the
// other, a failed publication undone locally; events appended by two instances at once are read once each.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { followPublications, type Publications } from '../../src/backoffice/publication.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { PostgresEventLog } from '../../src/store/postgres/events.js';
import { PostgresPublishedConfig } from '../../src/store/postgres/published.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let testDb: TestDatabase;
let db1: Database;
let db2: Database;
const dirs: string[] = [];

function instanceFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'aig-published-'));
  dirs.push(dir);
  cpSync(join(ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(ROOT, 'data', 'actors.json'), join(dir, 'actors.json'));
  cpSync(join(ROOT, 'data', 'partners.json'), join(dir, 'partners.json'));
  cpSync(join(ROOT, 'data', 'territory'), join(dir, 'territory'), { recursive: true });
  return { rulesDir: join(dir, 'rules'), actorsFile: join(dir, 'actors.json'), partnersFile: join(dir, 'partners.json'), territoryDir: join(dir, 'territory') };
}

beforeAll(async () => {
  testDb = await createTestDatabase('published');
  db1 = await openDatabase({ url: testDb.url });
  db2 = await openDatabase({ url: testDb.url });
});
afterAll(async () => {
  await Promise.allSettled([db1?.close(), db2?.close()]);
  await testDb?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('configuration publiée partagée', () => {
  let one: Publications;
  let two: Publications;
  let files1: ReturnType<typeof instanceFiles>;
  let files2: ReturnType<typeof instanceFiles>;

  afterAll(async () => {
    await Promise.allSettled([one?.close(), two?.close()]);
  });

  it('deux instances qui démarrent ensemble : une seule publication initiale, depuis les fichiers livrés', async () => {
    files1 = instanceFiles();
    files2 = instanceFiles();
    [one, two] = await Promise.all([followPublications(db1, { ...files1, intervalMs: 60_000 }), followPublications(db2, { ...files2, intervalMs: 60_000 })]);
    const { rows } = await db1.pool.query<{ n: number }>('SELECT count(*) AS n FROM published_config');
    assert.equal(rows[0]!.n, 1);
    assert.equal(one.appliedId, two.appliedId);
    const latest = (await new PostgresPublishedConfig(db1).latest())!;
    assert.equal(latest.files['rules/vignoble.json'], readFileSync(join(ROOT, 'rules', 'vignoble.json'), 'utf8'));
    assert.equal(latest.files['actors.json'], readFileSync(join(ROOT, 'data', 'actors.json'), 'utf8'));
    assert.ok(latest.files['partners.json'] && latest.files['named-territories.json']);
    assert.ok(!('rules/rules.schema.json' in latest.files), 'le schéma n’est pas une donnée publiée');
  });

  it('deux publications simultanées de fichiers différents gardent les deux changements ; l’autre instance les reçoit (NOTIFY ou sondage)', async () => {
    const changes: string[] = [];
    two.onChange((scopes) => void changes.push(...scopes));
    const partners = JSON.parse(readFileSync(files1.partnersFile, 'utf8')) as { partners: Array<{ name: string }> };
    partners.partners[0]!.name = 'Renommé par une';
    writeFileSync(files1.partnersFile, JSON.stringify(partners, null, 2));
    const rule = readFileSync(join(files2.rulesDir, 'vignoble.json'), 'utf8').replace('Pays du Vignoble Nantais', 'Vignoble (deux)');
    writeFileSync(join(files2.rulesDir, 'vignoble.json'), rule);
    writeFileSync(join(files2.rulesDir, 'nouvelles.json'), '{ "rules": [] }\n');
    await Promise.all([one.publish('partners', 'une'), two.publish('rules', 'deux')]);
    const latest = (await new PostgresPublishedConfig(db1).latest())!;
    assert.match(latest.files['partners.json']!, /Renommé par une/);
    assert.equal(latest.files['rules/vignoble.json'], rule);
    assert.equal(latest.files['rules/nouvelles.json'], '{ "rules": [] }\n');

    // Both instances hold the merged set once they looked (no NOTIFY needed: poll).
    await one.poll();
    await two.poll();
    assert.equal(one.appliedId, latest.id);
    assert.equal(two.appliedId, latest.id);
    assert.equal(readFileSync(join(files1.rulesDir, 'nouvelles.json'), 'utf8'), '{ "rules": [] }\n');
    assert.match(readFileSync(files2.partnersFile, 'utf8'), /Renommé par une/);

    // A rule file removed on one instance is removed on the other.
    rmSync(join(files1.rulesDir, 'nouvelles.json'));
    await one.publish('rules');
    await two.poll(); // the NOTIFY may have been quicker
    assert.equal(two.appliedId, one.appliedId);
    assert.throws(() => readFileSync(join(files2.rulesDir, 'nouvelles.json')), /ENOENT/);
    assert.ok(changes.includes('partners') && changes.includes('rules'));
  });

  it('une publication qui échoue (base refusée) remet la copie locale sur la publication de la base au sondage suivant', async () => {
    const before = readFileSync(files1.actorsFile, 'utf8');
    writeFileSync(files1.actorsFile, before.replace('"actors"', '"actors" '));
    await db1.pool.query('ALTER TABLE published_config RENAME TO published_config_away');
    await assert.rejects(one.publish('actors'));
    await db1.pool.query('ALTER TABLE published_config_away RENAME TO published_config');
    assert.equal(await one.poll(), true);
    assert.equal(readFileSync(files1.actorsFile, 'utf8'), before);
  });
});

describe('déploiement qui livre sa configuration', () => {
  it('sans option, la base l’emporte sur les fichiers livrés ; avec publishLocalFiles, les fichiers livrés deviennent une publication', async () => {
    const shippedFiles = instanceFiles();
    const rule = readFileSync(join(shippedFiles.rulesDir, 'vignoble.json'), 'utf8').replace('Pays du Vignoble Nantais', 'Vignoble (livré)');
    writeFileSync(join(shippedFiles.rulesDir, 'vignoble.json'), rule);
    const store = new PostgresPublishedConfig(db1);
    const before = (await store.latest())!;
    const ignored = await followPublications(db1, { ...shippedFiles, intervalMs: 60_000 });
    await ignored.close();
    assert.equal((await store.latestId()), before.id, 'rien de publié');
    assert.equal(readFileSync(join(shippedFiles.rulesDir, 'vignoble.json'), 'utf8'), before.files['rules/vignoble.json'], 'copie locale remise sur la base');

    writeFileSync(join(shippedFiles.rulesDir, 'vignoble.json'), rule);
    const shipping = await followPublications(db1, { ...shippedFiles, intervalMs: 60_000, publishLocalFiles: true });
    await shipping.close();
    const after = (await store.latest())!;
    assert.equal(after.id, before.id + 1);
    assert.equal(after.files['rules/vignoble.json'], rule);
    assert.equal(after.files['partners.json'], before.files['partners.json'], 'le reste inchangé');
    const again = await followPublications(db1, { ...shippedFiles, intervalMs: 60_000, publishLocalFiles: true });
    await again.close();
    assert.equal(await store.latestId(), after.id, 'mêmes fichiers : pas de nouvelle version');
  });
});

describe('évènements de deux instances', () => {
  it('ajoutés en même temps par deux instances, lus chacun une fois par un lecteur qui suit le curseur', async () => {
    const w1 = new PostgresEventLog(db1, { intervalMs: 5 });
    const w2 = new PostgresEventLog(db2, { intervalMs: 5 });
    const reader = new PostgresEventLog(db1);
    let cursor = (await reader.readSince(null)).cursor;
    const seen: string[] = [];
    const at = new Date().toISOString();
    for (let i = 0; i < 400; i += 1) {
      (i % 2 ? w1 : w2).append({ step: 'started', conversationId: `x${i}`, partnerId: null, at });
      if (i % 20 === 0) {
        await new Promise((r) => setTimeout(r, 3));
        const r = await reader.readSince(cursor);
        seen.push(...r.events.map((e) => e.conversationId));
        cursor = r.cursor;
      }
    }
    await Promise.all([w1.flush(), w2.flush()]);
    seen.push(...(await reader.readSince(cursor)).events.map((e) => e.conversationId));
    assert.equal(seen.length, 400);
    assert.equal(new Set(seen).size, 400);
    await Promise.all([w1.close(), w2.close(), reader.close()]);
  });
});
