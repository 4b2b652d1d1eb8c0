// The back office's stores, one contract for both engines: accounts, invitations and sessions;
// the audit log and its query; the rules history and drafts; the conversation event log and its
// cursor. The embedded adapters (files) and the PostgreSQL ones must answer the same.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationEvent } from '../../src/domain/events.js';
import { AccountStore, type Account, type AccountStorePort, type Invitation } from '../../src/store/accountStore.js';
import { AuditLog, type AuditLogPort } from '../../src/store/auditLog.js';
import { EventLog, type EventLogPort } from '../../src/store/eventLog.js';
import { PostgresAccountStore } from '../../src/store/postgres/accounts.js';
import { PostgresAuditLog } from '../../src/store/postgres/audit.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { PostgresEventLog } from '../../src/store/postgres/events.js';
import { PostgresRulesHistory } from '../../src/store/postgres/rulesHistory.js';
import { RulesHistory, type RulesHistoryPort } from '../../src/store/rulesHistory.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

interface Engine {
  /** Several instances may use it at once (PostgreSQL); the embedded store has one writer. */
  shared: boolean;
  accounts(): Promise<AccountStorePort>;
  audit(): Promise<AuditLogPort>;
  history(): Promise<RulesHistoryPort>;
  events(): Promise<EventLogPort>;
  /** A second handle on the same data (another instance, or a restart). */
  reopen(): Promise<{ accounts: AccountStorePort; audit: AuditLogPort; history: RulesHistoryPort; events: EventLogPort; close(): Promise<void> }>;
}

const dirs: string[] = [];
let testDb: TestDatabase;
const databases: Database[] = [];

beforeAll(async () => {
  testDb = await createTestDatabase('backoffice_stores');
});
afterAll(async () => {
  await Promise.allSettled(databases.map((d) => d.close()));
  await testDb?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function embedded(): Engine {
  const dir = mkdtempSync(join(tmpdir(), 'aig-bo-stores-'));
  dirs.push(dir);
  const open = async () => ({
    accounts: await AccountStore.open(join(dir, 'backoffice')),
    audit: AuditLog.open(dir),
    history: await RulesHistory.open(join(dir, 'rules-history')),
    events: new EventLog(join(dir, 'events')),
  });
  return {
    shared: false,
    accounts: () => AccountStore.open(join(dir, 'backoffice')),
    audit: async () => AuditLog.open(dir),
    history: () => RulesHistory.open(join(dir, 'rules-history')),
    events: async () => new EventLog(join(dir, 'events')),
    reopen: async () => {
      const o = await open();
      return { ...o, close: async () => { await o.audit.close(); await o.events.close(); } };
    },
  };
}

function postgres(): Engine {
  const db = async () => {
    const d = await openDatabase({ url: testDb.url });
    databases.push(d);
    return d;
  };
  let first: Database | undefined;
  const main = async () => (first ??= await db());
  return {
    shared: true,
    accounts: async () => new PostgresAccountStore(await main()),
    audit: async () => new PostgresAuditLog(await main()),
    history: async () => new PostgresRulesHistory(await main()),
    events: async () => new PostgresEventLog(await main()),
    reopen: async () => {
      const d = await db();
      const events = new PostgresEventLog(d);
      return { accounts: new PostgresAccountStore(d), audit: new PostgresAuditLog(d), history: new PostgresRulesHistory(d), events, close: () => events.close() };
    },
  };
}

const at = '2026-12-01T10:00:00.000Z';
const account = (id: string, email: string, patch: Partial<Account> = {}): Account => ({
  id, email, name: 'Camille', role: 'coordinator', actorId: null, passwordHash: 'scrypt$…', active: true, createdAt: at, createdBy: 'système', updatedAt: at, ...patch,
});
const invitation = (id: string, patch: Partial<Invitation> = {}): Invitation => ({
  id, email: 'membre@exemple.fr', name: 'Membre', role: 'member', actorId: 'ecossolies', createdAt: at, createdBy: 'coordination@exemple.fr', expiresAt: '2026-12-08T10:00:00.000Z', usedAt: null, revokedAt: null, ...patch,
});
const event = (conversationId: string, step: ConversationEvent['step'], when = at): ConversationEvent => ({ step, conversationId, partnerId: null, at: when });

describe.each([
  ['embarqué', embedded],
  ['PostgreSQL', postgres],
])('magasins du back-office (%s)', (_name, make) => {
  let engine: Engine;
  beforeAll(() => {
    engine = make();
  });

  it('comptes et invitations : enregistrés, retrouvés par id et par adresse (minuscules), mis à jour, relus après réouverture', async () => {
    const store = await engine.accounts();
    await store.saveAccount(account('a1', 'coordination@exemple.fr', { territories: ['pays-de-redon'] }));
    await store.saveAccount(account('a2', 'membre.b@exemple.fr', { role: 'member', actorId: 'ecossolies' }));
    assert.equal((await store.accountByEmail('  Coordination@Exemple.FR '))?.id, 'a1');
    assert.deepEqual((await store.accountById('a1'))?.territories, ['pays-de-redon']);
    assert.equal(await store.accountById('absent'), undefined);
    await store.saveAccount({ ...(await store.accountById('a2'))!, active: false });
    assert.deepEqual((await store.accounts()).map((a) => [a.id, a.active]).sort(), [['a1', true], ['a2', false]]);

    await store.saveInvitation(invitation('i1'));
    await store.saveInvitation({ ...(await store.invitation('i1'))!, usedAt: at });
    assert.equal((await store.invitations()).length, 1);
    assert.equal((await store.invitation('i1'))?.usedAt, at);

    const other = await engine.reopen();
    try {
      assert.deepEqual(await other.accounts.accountById('a1'), await store.accountById('a1'));
      assert.equal((await other.accounts.invitation('i1'))?.usedAt, at);
    } finally {
      await other.close();
    }
  });

  it('sessions : retrouvées par empreinte (aussi depuis une autre instance), fin d’une, de toutes sauf une, purge des expirées et inactives', async () => {
    const store = await engine.accounts();
    const now = Date.parse(at);
    const s = (idHash: string, accountId: string, lastSeenAt = now, expiresAt = now + 12 * 3_600_000) => ({ idHash, accountId, csrf: `csrf-${idHash}`, createdAt: now - 1000, lastSeenAt, expiresAt });
    await store.saveSession(s('h1', 'a1'));
    await store.saveSession(s('h2', 'a1'));
    await store.saveSession(s('h3', 'a1'));
    await store.saveSession(s('h4', 'a2', now - 3 * 3_600_000)); // idle 3 h
    await store.saveSession(s('h5', 'a2', now, now - 1)); // expired
    await store.saveSession(s('anon', '', now, now + 3_600_000));
    const other = await engine.reopen();
    // The embedded store has one writer: the second handle only reads there.
    const peer = engine.shared ? other.accounts : store;
    try {
      assert.deepEqual(await other.accounts.session('h1'), s('h1', 'a1'));
      assert.equal((await other.accounts.session('anon'))?.accountId, '');
      // lastSeenAt moves forward.
      await store.saveSession({ ...s('h1', 'a1'), lastSeenAt: now + 60_000 });
      assert.equal((await store.session('h1'))?.lastSeenAt, now + 60_000);
      assert.equal(await peer.deleteSession('h3'), 1);
      assert.equal(await store.session('h3'), undefined);
      assert.equal(await store.deleteSessionsOf('a1', 'h1'), 1, 'h2 seulement');
      assert.ok(await store.session('h1'));
      assert.equal(await store.pruneSessions(now, 2 * 3_600_000), 2, 'h4 inactive, h5 expirée');
      assert.deepEqual((await Promise.all(['h1', 'h4', 'h5', 'anon'].map((h) => store.session(h)))).map((x) => x?.idHash ?? null), ['h1', null, null, 'anon']);
    } finally {
      await other.close();
    }
  });

  it('journal des modifications : le plus récent d’abord, filtres (préfixe d’action littéral, objet), pages et total, relu ailleurs', async () => {
    const audit = await engine.audit();
    const by = { id: 'a1', email: 'coordination@exemple.fr', role: 'coordinator' };
    for (let i = 0; i < 25; i += 1) {
      await audit.record({ by, action: i % 2 ? 'rules.publish' : 'referral.take_care', target: i % 5 === 0 ? 'AIG-1' : `cible-${i}`, summary: `entrée ${i}`, at: new Date(Date.parse(at) + i * 1000).toISOString(), details: { n: i } });
    }
    await audit.record({ by, action: 'rulesXpublish', target: null, summary: 'piège pour le préfixe' });
    const all = await audit.list({ limit: 1000 });
    assert.equal(all.total, 26);
    assert.equal(all.entries[0]!.summary, 'piège pour le préfixe');
    assert.equal(all.entries[1]!.summary, 'entrée 24');
    assert.deepEqual(all.entries[1]!.details, { n: 24 });
    const rules = await audit.list({ action: 'rules.', limit: 5, offset: 5 });
    assert.equal(rules.total, 12, 'rules. est un préfixe littéral (le point n’est pas un joker)');
    assert.deepEqual(rules.entries.map((e) => e.summary), ['entrée 13', 'entrée 11', 'entrée 9', 'entrée 7', 'entrée 5']);
    const target = await audit.list({ target: 'AIG-1' });
    assert.deepEqual(target.entries.map((e) => e.summary), ['entrée 20', 'entrée 15', 'entrée 10', 'entrée 5', 'entrée 0']);
    assert.deepEqual(await audit.list({ action: 'rules.', target: 'AIG-1' }).then((r) => r.entries.map((e) => e.summary)), ['entrée 15', 'entrée 5']);
    assert.deepEqual((await audit.list({ action: 'ref_' })).total, 0, '« _ » n’est pas un joker');
    const recorded = await audit.record({ by, action: 'auth.login', target: 'a1', summary: 'Connexion.' });
    assert.match(recorded.at, /^\d{4}-\d\d-\d\dT/);
    const other = await engine.reopen();
    try {
      assert.deepEqual((await other.audit.list({ limit: 1 })).entries, [recorded]);
    } finally {
      await other.close();
    }
  });

  it('historique des règles : numéros dans l’ordre (même à deux en même temps), fichiers entiers, brouillons par compte', async () => {
    const history = await engine.history();
    const author = { id: 'a1', email: 'coordination@exemple.fr' };
    const first = await history.add({ version: 'v1', at, author, message: 'initial', kind: 'initial' }, { 'b.json': '{"rules":[]}\n', 'a.json': '{}\n' });
    assert.equal(first.n, 1);
    assert.deepEqual(first.files, ['a.json', 'b.json']);
    const other = await engine.reopen();
    const peer = engine.shared ? other.history : history;
    try {
      const [x, y] = await Promise.all([
        history.add({ version: 'v2', at, author, message: 'deux', kind: 'publish' }, { 'a.json': '{"x":2}\n' }),
        peer.add({ version: 'v3', at, author, message: 'trois', kind: 'rollback', restored: 1 }, { 'a.json': '{"x":3}\n' }),
      ]);
      assert.deepEqual([x.n, y.n].sort(), [2, 3]);
      assert.deepEqual((await peer.list()).map((e) => e.n), [1, 2, 3]);
      assert.deepEqual(await history.files(1), { 'b.json': '{"rules":[]}\n', 'a.json': '{}\n' });
      assert.equal((await history.get(y.n))?.restored, 1);
      assert.equal(await history.get(99), undefined);

      const draft = { accountId: 'a1', baseVersion: 'v3', createdAt: at, updatedAt: at, files: { 'a.json': { base: '{}\n', content: null }, 'n.json': { base: null, content: '{}\n' } } };
      await history.saveDraft(draft);
      assert.deepEqual(await peer.draft('a1'), draft);
      await peer.saveDraft({ ...draft, updatedAt: '2026-12-02T00:00:00.000Z' });
      assert.equal((await history.draft('a1'))?.updatedAt, '2026-12-02T00:00:00.000Z');
      assert.equal(await history.draft('a2'), undefined);
      await history.deleteDraft('a1');
      assert.equal(await peer.draft('a1'), undefined);
    } finally {
      await other.close();
    }
  });

  it('évènements de conversation : ajout sans attente, lecture depuis un curseur, rien lu deux fois ni perdu, évènement invalide écarté', async () => {
    const log = await engine.events();
    const reader = await engine.reopen();
    try {
      const start = await reader.events.readSince(null);
      assert.equal(start.events.length, 0);
      log.append(event('c1', 'started'));
      log.append(event('c1', 'asked'));
      log.append({ ...event('c2', 'started'), step: 'inconnu' } as unknown as ConversationEvent);
      await log.flush();
      const first = await reader.events.readSince(start.cursor);
      assert.deepEqual(first.events.map((e) => `${e.conversationId}:${e.step}`), ['c1:started', 'c1:asked']);
      assert.equal((await reader.events.readSince(first.cursor)).events.length, 0, 'rien de neuf');
      // Many appends while reading: every event read exactly once.
      let cursor = first.cursor;
      const seen: string[] = [];
      for (let i = 0; i < 300; i += 1) {
        log.append(event(`m${i}`, 'started', new Date(Date.parse(at) + i).toISOString()));
        if (i % 50 === 0) {
          const r = await reader.events.readSince(cursor);
          seen.push(...r.events.map((e) => e.conversationId));
          cursor = r.cursor;
        }
      }
      await log.flush();
      const rest = await reader.events.readSince(cursor);
      seen.push(...rest.events.map((e) => e.conversationId));
      assert.equal(seen.length, 300);
      assert.equal(new Set(seen).size, 300);
    } finally {
      await reader.close();
      await log.close();
    }
  });
});

describe('journal des évènements PostgreSQL sans base', () => {
  it('un ajout ne lève jamais, même base arrêtée ; les évènements sont écrits quand elle revient', async () => {
    const db = await openDatabase({ url: testDb.url });
    databases.push(db);
    const errors: unknown[] = [];
    const log = new PostgresEventLog(db, { onError: (e) => errors.push(e), intervalMs: 20 });
    const reader = new PostgresEventLog(db);
    const from = (await reader.readSince(null)).cursor;
    // The database refuses (table locked out by a rename) for a while.
    await db.pool.query('ALTER TABLE conversation_events RENAME TO conversation_events_away');
    assert.doesNotThrow(() => log.append(event('panne', 'started')));
    await new Promise((r) => setTimeout(r, 150));
    assert.ok(errors.length > 0, 'erreur signalée, pas levée');
    await db.pool.query('ALTER TABLE conversation_events_away RENAME TO conversation_events');
    await log.flush();
    assert.deepEqual((await reader.readSince(from)).events.map((e) => e.conversationId), ['panne']);
    await log.close();
    await reader.close();
  });
});
