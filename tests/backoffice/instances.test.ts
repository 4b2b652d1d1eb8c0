// Two back offices on one PostgreSQL database, as two `npm start` behind a load balancer with no
// sticky session: a coordinator signed in on one is signed in on the other (and signed out of
// both at once); the login form shown by one is accepted by the other; a rule, a structure, a
// partner site or a territory published on one is what the other routes and shows within
// seconds; an invalid publication leaves the last good set in service.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { PostgresPublishedConfig } from '../../src/store/postgres/published.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';

let testDb: TestDatabase;
let dbA: Database;
let dbB: Database;
let a: Harness;
let b: Harness;

beforeAll(async () => {
  testDb = await createTestDatabase('backoffice_instances');
  // One pool per instance, as two processes would have.
  dbA = await openDatabase({ url: testDb.url });
  dbB = await openDatabase({ url: testDb.url });
  a = await startBackoffice({}, { database: dbA, pollMs: 2_000 });
  b = await startBackoffice({}, { database: dbB, pollMs: 2_000 });
});

afterAll(async () => {
  await Promise.allSettled([a?.close(), b?.close()]);
  await Promise.allSettled([dbA?.close(), dbB?.close()]);
  await testDb?.drop();
});

/** Waits until `check` passes, at most `ms`; returns the time it took. */
async function within(ms: number, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) assert.fail(`pas observé en ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('sessions partagées', () => {
  it('connecté sur A, connecté sur B ; le formulaire de A est accepté par B ; déconnecté de B, déconnecté de A', async () => {
    // The login form comes from A, the POST lands on B.
    const browser = new Client(a.base);
    await browser.get('/connexion');
    assert.ok(browser.csrf && browser.cookie, 'session anonyme et jeton CSRF');
    const onB = new Client(b.base);
    onB.cookie = browser.cookie;
    onB.csrf = browser.csrf;
    const login = await onB.post('/connexion', { email: ADMIN.email, password: ADMIN.password });
    assert.equal(login.status, 303, 'le jeton CSRF de A est connu de B');

    // Signed in on B: the next request to A sees the same session.
    const onA = new Client(a.base);
    onA.cookie = onB.cookie;
    const page = await onA.get('/orientations');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /coordination@exemple\.fr|Déconnexion/);
    assert.ok(onA.csrf, 'jeton de la session signée, lu sur A');

    // A state-changing request on A with the token B's session carries, then signing out on A.
    const logout = await onA.post('/deconnexion', {});
    assert.equal(logout.status, 303);
    const again = new Client(b.base);
    again.cookie = onB.cookie;
    const refused = await again.get('/orientations');
    assert.equal(refused.status, 303, 'déconnecté partout');
    assert.match(refused.headers.get('location') ?? '', /^\/connexion/);
  });

  it('un compte créé sur A existe sur B ; le journal est commun', async () => {
    const { account, password } = await a.territorialCoordinator('coord.redon@exemple.fr', ['pays-de-redon']);
    const onB = new Client(b.base);
    assert.equal((await onB.login(account.email, password)).status, 303);
    const { entries } = await b.backoffice.deps.audit.list({ action: 'auth.login', target: account.id });
    assert.equal(entries.length, 1, 'connexion inscrite au journal commun');
    assert.equal((await a.backoffice.deps.audit.list({ target: account.id })).total, 2, 'création (A) et connexion (B)');
  });
});

describe('configuration publiée', () => {
  it('une règle publiée sur A oriente sur B en quelques secondes ; structures, sites partenaires et territoires suivent', async () => {
    const idea = a.profileAt('44212', { stage: 'idee', sector: 'habitat' }); // Vallet, CC Sèvre et Loire
    const before = (await b.router.route(idea)).referrals.map((r) => r.actorId);
    assert.ok(before.includes('sevre-loire-eco'), `avant : ${before.join(', ')}`);

    const me = await a.coordinator();
    const live = readFileSync(join(a.rulesDir, 'vignoble.json'), 'utf8');
    const edited = live.replaceAll('"actorId": "sevre-loire-eco"', '"actorId": "cci-nantes-st-nazaire"');
    assert.notEqual(edited, live);
    const saved = await a.backoffice.deps.rules.saveEdit(me, { file: 'vignoble.json', text: edited, mode: 'file', originalName: null });
    assert.ok(saved.ok && saved.value.ok, 'brouillon valide');
    const published = await a.backoffice.deps.rules.publish(me, 'CCI pour Sèvre et Loire');
    assert.ok(published.ok, published.ok ? '' : published.message);

    const ms = await within(5_000, async () => (await b.router.route(idea)).referrals.some((r) => r.actorId === 'cci-nantes-st-nazaire'));
    assert.ok(ms < 5_000, `${ms} ms`);
    assert.equal(b.router.rulesVersion, a.router.rulesVersion, 'même version des deux côtés');
    assert.equal(readFileSync(join(b.rulesDir, 'vignoble.json'), 'utf8'), edited, 'copie locale de B à jour');
    const history = await b.backoffice.deps.rules.versions();
    assert.equal(history.at(-1)?.message, 'CCI pour Sèvre et Loire', 'historique commun');
    assert.equal(await b.backoffice.deps.rules.draft(me), undefined, 'brouillon supprimé pour les deux');

    // A structure, a partner site and a territory edited on A.
    const actor = (await a.backoffice.deps.directory.rawActor('sevre-loire-eco'))!;
    assert.ok((await a.backoffice.deps.directory.saveActor(me, 'sevre-loire-eco', { ...actor, name: 'Sèvre et Loire Éco (renommé)' })).ok);
    const partner = (await a.backoffice.deps.directory.rawPartner('vignoble-nantais'))!;
    assert.ok((await a.backoffice.deps.directory.savePartner(me, 'vignoble-nantais', { ...partner, name: 'Vignoble nantais (renommé)' })).ok);
    const territory = a.backoffice.deps.territories.get('vignoble-nantais')!;
    assert.ok((await a.backoffice.deps.territories.update('vignoble-nantais', { nom: 'Vignoble nantais (renommé)', epcis: territory.epcis })).ok);
    await within(5_000, () => b.router.actorById('sevre-loire-eco')?.name === 'Sèvre et Loire Éco (renommé)');
    await within(5_000, () => b.partners.get('vignoble-nantais')?.name === 'Vignoble nantais (renommé)');
    await within(5_000, () => b.backoffice.deps.territories.get('vignoble-nantais')?.nom === 'Vignoble nantais (renommé)');
    assert.equal(a.publications!.appliedId, b.publications!.appliedId);
  });

  it('une publication invalide est refusée par B : le dernier jeu valide reste en service, en mémoire comme sur disque', async () => {
    const version = b.router.rulesVersion;
    const idea = b.profileAt('44212', { stage: 'idee', sector: 'habitat' });
    const routed = (await b.router.route(idea)).referrals.map((r) => r.actorId);
    const good = readFileSync(join(b.rulesDir, 'vignoble.json'), 'utf8');
    const published = new PostgresPublishedConfig(dbA);
    await published.publish({ 'rules/vignoble.json': '{ "rules": [ { "name": "cassée" } ] }\n' }, 'test');
    await b.publications!.poll(); // after the NOTIFY's own pass, if it came first
    assert.equal(b.publications!.appliedId, await published.latestId(), 'publication reçue');
    assert.equal(readFileSync(join(b.rulesDir, 'vignoble.json'), 'utf8'), good, 'le fichier local reste le dernier bon : un redémarrage repart de lui');
    assert.equal(b.router.rulesVersion, version, 'version inchangée');
    assert.deepEqual((await b.router.route(idea)).referrals.map((r) => r.actorId), routed);
    // Put the valid set back (the back office never publishes an invalid one).
    await published.publish({ 'rules/vignoble.json': good }, 'test');
    await b.publications!.poll();
    assert.equal(b.publications!.appliedId, await published.latestId());
  });

  it('une instance qui démarre sur une base publiée prend la configuration de la base, pas ses fichiers livrés', async () => {
    const c = await startBackoffice({}, { database: dbB });
    try {
      assert.equal(readFileSync(join(c.rulesDir, 'vignoble.json'), 'utf8'), readFileSync(join(b.rulesDir, 'vignoble.json'), 'utf8'));
      assert.equal(c.router.actorById('sevre-loire-eco')?.name, 'Sèvre et Loire Éco (renommé)');
      assert.equal(c.partners.get('vignoble-nantais')?.name, 'Vignoble nantais (renommé)');
    } finally {
      await c.close();
    }
  });
});

describe('démarrage et panne', () => {
  it('deux instances qui démarrent ensemble sur une base vide : un seul compte ADMIN_EMAIL, une seule publication', async () => {
    const fresh = await createTestDatabase('backoffice_start');
    const [d1, d2] = await Promise.all([openDatabase({ url: fresh.url }), openDatabase({ url: fresh.url })]);
    const both = await Promise.all([startBackoffice({}, { database: d1 }), startBackoffice({}, { database: d2 })]);
    try {
      const { rows } = await d1.pool.query<{ n: number }>('SELECT count(*) AS n FROM backoffice_accounts WHERE email = $1', [ADMIN.email]);
      assert.equal(rows[0]!.n, 1);
      assert.equal((await d1.pool.query<{ n: number }>('SELECT count(*) AS n FROM published_config')).rows[0]!.n, 1);
      assert.equal((await new Client(both[1]!.base).login(ADMIN.email, ADMIN.password)).status, 303);
    } finally {
      await Promise.allSettled(both.map((h) => h.close()));
      await Promise.allSettled([d1.close(), d2.close()]);
      await fresh.drop();
    }
  });

  it('base injoignable : le back-office répond 503 « Réessayez », pas une erreur 500, et repart seul', async () => {
    const fresh = await createTestDatabase('backoffice_down');
    // The database behind a TCP relay that the test cuts, as a restart or a network loss would.
    const target = new URL(fresh.url);
    const sockets = new Set<Socket>();
    let relay = createServer((inbound) => {
      const outbound = connect(Number(target.port), target.hostname);
      sockets.add(inbound).add(outbound);
      inbound.pipe(outbound).pipe(inbound);
      for (const s of [inbound, outbound]) s.on('error', () => undefined).on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as AddressInfo).port;
    const url = new URL(fresh.url);
    url.port = String(port);
    const d = await openDatabase({ url: url.toString() });
    const h = await startBackoffice({}, { database: d });
    try {
      const client = new Client(h.base);
      assert.equal((await client.login(ADMIN.email, ADMIN.password)).status, 303);
      const closed = new Promise<void>((r) => relay.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
      const res = await client.get('/orientations');
      assert.equal(res.status, 503);
      assert.match(await res.text(), /Réessayez dans quelques instants/);
      // The database is back: the same session works again.
      const again = relay;
      relay = createServer(again.listeners('connection')[0] as (s: Socket) => void);
      await new Promise<void>((r) => relay.listen(port, '127.0.0.1', r));
      assert.equal((await client.get('/orientations')).status, 200);
    } finally {
      await h.close();
      relay.close();
      for (const s of sockets) s.destroy();
      await d.close().catch(() => undefined);
      await fresh.drop();
    }
  });
});
