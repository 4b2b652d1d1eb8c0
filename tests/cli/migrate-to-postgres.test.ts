// migrate-to-postgres: an embedded data directory written by the real service (referrals, their
// e-mails sent and queued, a conversation state, the link secret) copied into a real PostgreSQL
// database, read back through the PostgreSQL adapters; a second run copies nothing new, a run
// after the directory changed copies only the change, a database with other data is refused.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { formatReport, migrateToPostgres } from '../../src/cli/migrateToPostgres.js';
import { openReferrals, type Referrals } from '../../src/referrals/index.js';
import { AccountStore, type Account } from '../../src/store/accountStore.js';
import { AuditLog } from '../../src/store/auditLog.js';
import { EventLog } from '../../src/store/eventLog.js';
import { loadOrCreateSecret, openStore, type QueuedMail } from '../../src/store/index.js';
import { PostgresAccountStore } from '../../src/store/postgres/accounts.js';
import { PostgresAuditLog } from '../../src/store/postgres/audit.js';
import { PostgresEventLog } from '../../src/store/postgres/events.js';
import { PostgresRulesHistory } from '../../src/store/postgres/rulesHistory.js';
import { RulesHistory } from '../../src/store/rulesHistory.js';
import { openDatabase, type Database } from '../../src/store/postgres/database.js';
import { loadOrCreateSharedSecret } from '../../src/store/postgres/secret.js';
import { Clock, holderInput, ROOT, testActors } from '../referrals/helpers.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const CONVERSATION_KEY = 'webchat/conversations/conv-migration/';
const ACCOUNT: Account = {
  id: 'acc-coordination',
  email: 'coordination@exemple.fr',
  name: 'Claire Coordination',
  role: 'coordinator',
  actorId: null,
  passwordHash: 'scrypt$sel$empreinte',
  active: true,
  createdAt: '2025-01-06T09:00:00.000Z',
  createdBy: 'cli',
  updatedAt: '2025-01-06T09:00:00.000Z',
};

describe('migrate-to-postgres', () => {
  let test: TestDatabase;
  let db: Database;
  let dataDir: string;
  // The last Friday 09:00 UTC: recent enough that the command (real clock) serves its conversation.
  const friday = new Date(Date.now() - ((new Date().getUTCDay() + 2) % 7) * 86_400_000);
  const clock = new Clock(Math.min(Date.now(), Date.parse(`${friday.toISOString().slice(0, 10)}T09:00:00Z`)) - 60_000);
  const ids: { sent: string; queued: string; referral: string; reference: string } = { sent: '', queued: '', referral: '', reference: '' };
  let embeddedSecret: string;

  async function embedded(): Promise<Referrals> {
    return openReferrals({
      dataDir,
      publicUrl: 'https://aiguillage.example.org',
      actors: await testActors(),
      mailFrom: 'Aiguillage <aiguillage@example.org>',
      secret: embeddedSecret,
      now: clock.now,
    });
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'aig-migrate-'));
    embeddedSecret = loadOrCreateSecret(dataDir);
    test = await createTestDatabase('migrate');
    db = await openDatabase({ url: test.url });
    // The service as it runs today: three requests whose e-mails went out, one still queued.
    const r = await embedded();
    try {
      for (let i = 0; i < 3; i += 1) await r.service.createReferral(holderInput());
      const first = (await r.service.createReferral(holderInput())).reference;
      await r.scheduler.tick();
      ids.reference = first;
      ids.referral = `${first}-1`;
      ids.sent = `${first}-1.actor-new`;
      await r.service.createReferral(holderInput());
      const queued = await r.store.mails.queued();
      assert.ok(queued.length > 0);
      ids.queued = queued[0]!.id;
      await r.conversationStorage.write({ [CONVERSATION_KEY]: { dialogState: { step: 'contact' }, eTag: '*' } });
    } finally {
      await r.close();
    }
    // The back office as it runs today: a coordinator, a live session, an audit entry, a rules
    // version with a draft, and the bot's conversation events.
    const dir = join(dataDir, 'backoffice');
    const accounts = await AccountStore.open(dir);
    await accounts.saveAccount(ACCOUNT);
    await accounts.saveSession({ idHash: 'a'.repeat(64), accountId: ACCOUNT.id, csrf: 'jeton', createdAt: Date.now(), lastSeenAt: Date.now(), expiresAt: Date.now() + 3_600_000 });
    const audit = AuditLog.open(dir);
    await audit.record({ by: { id: ACCOUNT.id, email: ACCOUNT.email, role: 'coordinator' }, action: 'rules.publish', target: '1', summary: 'Publication des règles' });
    await audit.close();
    const history = await RulesHistory.open(join(dir, 'rules-history'));
    await history.add({ version: 'abc123def456', at: new Date().toISOString(), author: { id: ACCOUNT.id, email: ACCOUNT.email }, message: 'état initial', kind: 'initial' }, { 'vignoble.json': '{"rules":[]}' });
    await history.saveDraft({ accountId: ACCOUNT.id, baseVersion: 'abc123def456', createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), files: { 'vignoble.json': { base: '{"rules":[]}', content: '{"rules":[1]}' } } });
    const events = new EventLog(join(dataDir, 'events'));
    events.append({ step: 'started', conversationId: 'conv-migration', partnerId: 'vignoble', at: new Date().toISOString() });
    events.append({ step: 'oriented', conversationId: 'conv-migration', partnerId: 'vignoble', at: new Date().toISOString() });
    await events.close();
  }, 60_000);

  afterAll(async () => {
    await db?.close();
    await test?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies every kind into an empty database, readable through the PostgreSQL adapters', async () => {
    const source = await openStore({ dataDir, readOnly: true });
    const referralCount = await source.referrals.count();
    const queuedCount = (await source.mails.queued()).length;
    const expectedReferral = await source.referrals.get(ids.referral);
    const expectedQueued = (await source.mails.get(ids.queued)) as QueuedMail;
    const expectedConversation = (await source.conversations.read([CONVERSATION_KEY]))[CONVERSATION_KEY];
    await source.close();
    assert.equal(referralCount, 5, 'five requests, each to its local actor first');

    const report = await migrateToPostgres({ dataDir, database: db, now: clock.now });
    const byLabel = Object.fromEntries(report.kinds.map((k) => [k.label, k]));
    assert.equal(byLabel['orientations']!.copied, referralCount);
    assert.equal(byLabel['courriels en file']!.copied, queuedCount);
    assert.ok(byLabel['accusés d’envoi']!.copied >= 8, `receipts: ${byLabel['accusés d’envoi']!.copied}`);
    assert.equal(byLabel['états de conversation']!.copied, 1);
    assert.equal(report.nothingNew, false);
    assert.equal(report.secret, 'adopted');

    const pg = await openStore({ dataDir, database: db });
    assert.equal(await pg.referrals.count(), referralCount);
    assert.deepEqual(await pg.referrals.get(ids.referral), expectedReferral);
    assert.deepEqual(await pg.referrals.byReference(ids.reference), [expectedReferral]);
    assert.equal((await pg.mails.summary(ids.sent))?.state, 'sent', 'a delivered e-mail stays delivered: never sent twice');
    assert.equal(await pg.mails.known(ids.sent), true);
    assert.deepEqual(await pg.mails.get(ids.queued), expectedQueued);
    assert.equal((await pg.mails.queued()).length, queuedCount);
    const conversation = (await pg.conversations.read([CONVERSATION_KEY]))[CONVERSATION_KEY];
    // (structuredClone in the embedded store makes objects of another realm: compare as JSON)
    assert.deepEqual(JSON.parse(JSON.stringify(conversation)), JSON.parse(JSON.stringify(expectedConversation)), 'same state and same eTag');
    // Links already sent keep opening: every instance now signs with the directory's secret.
    assert.equal(await loadOrCreateSharedSecret(db), embeddedSecret);

    // The back office, through its PostgreSQL adapters.
    for (const label of ['comptes du back-office', 'sessions du back-office', 'journal d’audit', 'historique des règles', 'brouillons de règles']) {
      assert.equal(byLabel[label]?.copied, 1, label);
    }
    assert.equal(byLabel['évènements de conversation']?.copied, 2);
    const accounts = new PostgresAccountStore(db);
    assert.deepEqual(await accounts.accountByEmail(ACCOUNT.email), ACCOUNT);
    assert.equal((await accounts.session('a'.repeat(64)))?.accountId, ACCOUNT.id, 'a coordinator signed in stays signed in');
    const audit = await new PostgresAuditLog(db).list();
    assert.deepEqual(audit.entries.map((e) => [e.action, e.target, e.by.email]), [['rules.publish', '1', ACCOUNT.email]]);
    const history = new PostgresRulesHistory(db);
    assert.deepEqual((await history.list()).map((e) => [e.n, e.version, e.kind]), [[1, 'abc123def456', 'initial']]);
    assert.deepEqual(await history.files(1), { 'vignoble.json': '{"rules":[]}' });
    assert.equal((await history.draft(ACCOUNT.id))?.files['vignoble.json']?.content, '{"rules":[1]}');
    const events = new PostgresEventLog(db);
    try {
      assert.deepEqual((await events.readSince(null)).events.map((e) => e.step), ['started', 'oriented']);
    } finally {
      await events.close();
    }
  }, 60_000);

  it('run again by the command: nothing new, and it says so (and that the service still runs)', async () => {
    // The service's lock, held by a live process (this one): a snapshot, said on stderr.
    writeFileSync(join(dataDir, 'LOCK'), String(process.pid));
    let run: Awaited<ReturnType<typeof cli>>;
    try {
      run = await cli(['migrate-to-postgres', '--data-dir', dataDir], { DATABASE_URL: test.url });
    } finally {
      unlinkSync(join(dataDir, 'LOCK'));
    }
    const { status, stdout, stderr } = run;
    assert.equal(status, 0, stderr);
    assert.match(stderr, new RegExp(`le service tourne encore \\(pid ${process.pid}\\)`));
    assert.match(stdout, /^Migration de .+ vers PostgreSQL :\n/);
    assert.match(stdout, /\n {2}orientations : 0 copié\(s\), 5 déjà présent\(s\)\n/);
    assert.match(stdout, /\n {2}états de conversation : 0 copié\(s\), 1 déjà présent\(s\)\n/);
    assert.match(stdout, /\n {2}journal d’audit : 0 copié\(s\), 1 déjà présent\(s\)\n/);
    assert.match(stdout, /\n {2}évènements de conversation : 0 copié\(s\), 2 déjà présent\(s\)\n/);
    assert.doesNotMatch(stdout, / [1-9]\d* copié/);
    assert.match(stdout, /Rien de nouveau à copier : la base contenait déjà tout le dossier\.\n$/);
  }, 60_000);

  it('after the directory changed (a reminder sent meanwhile), only the change is copied', async () => {
    clock.advanceDays(7); // a week later: at least three working days, the first reminders are due
    const r = await embedded();
    let reminded: number;
    try {
      reminded = (await r.scheduler.tick()).followUp.reminded;
    } finally {
      await r.close();
    }
    assert.ok(reminded > 0);
    const report = await migrateToPostgres({ dataDir, database: db, now: clock.now });
    const orientations = report.kinds.find((k) => k.label === 'orientations')!;
    assert.deepEqual([orientations.copied, orientations.updated], [0, reminded]);
    assert.ok(formatReport(report).includes(`orientations : 0 copié(s), ${reminded} mis à jour`));
    const pg = await openStore({ dataDir, database: db });
    assert.equal((await pg.referrals.get(ids.referral))!.followUp.reminders, 1);
    assert.equal((await pg.mails.summary(ids.queued))?.state, 'sent', 'a queued copy delivered meanwhile becomes a receipt');
  }, 60_000);

  it('refuses a database that already holds other data, and copies nothing', async () => {
    const other = await createTestDatabase('migrate_other');
    const otherDb = await openDatabase({ url: other.url });
    try {
      await otherDb.pool.query("INSERT INTO conversation_state (key, etag, item, updated_at) VALUES ('autre/conversations/x/', 'e', '{}', now())");
      const { status, stdout, stderr } = await cli(['migrate-to-postgres', '--data-dir', dataDir, '--database-url', other.url]);
      assert.equal(status, 1);
      assert.equal(stdout, '');
      assert.match(stderr, /La base contient déjà des données \(table conversation_state\) qui ne viennent pas de migrate-to-postgres : rien n’a été copié\./);
      assert.equal((await otherDb.pool.query('SELECT 1 FROM referrals')).rowCount, 0);
    } finally {
      await otherDb.close();
      await other.drop();
    }
  }, 60_000);
});
