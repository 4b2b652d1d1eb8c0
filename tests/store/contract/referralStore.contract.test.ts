// The referral store's contract: ONE suite of behaviour, run against both adapters — the
// embedded journal (a temporary data directory) and PostgreSQL (a fresh test database). Where
// the contract speaks of "two instances", PostgreSQL opens two stores (two pools) on one
// database; the embedded store allows one process per directory, so both are the same store.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, test } from '@jest/globals';
import type { Referral } from '../../../src/domain/referral.js';
import { scrub } from '../../../src/referrals/service.js';
import { ConflictError, openStore, type QueuedMail, type ReferralStore } from '../../../src/store/index.js';
import { openDatabase, type Database } from '../../../src/store/postgres/database.js';
import { openPostgresReferralStore, REFERRAL_INSERT_COLUMNS, placeholders, referralRow } from '../../../src/store/postgres/referralStore.js';
import { all } from '../../support/collect.js';
import { t } from '../../support/context.js';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.js';
import { tempDir } from '../../referrals/helpers.js';
import { referral } from '../fixtures.js';

interface Place {
  /** The store of "instance" 1 and of "instance" 2 (the same one when the engine allows one process). */
  one: ReferralStore;
  two: ReferralStore;
  /** Every byte the engine keeps that a reader of its files could see, as text (erasure checks). */
  raw(): Promise<string>;
  db?: Database;
}

interface Adapter {
  name: string;
  open(): Promise<Place>;
}

const embedded: Adapter = {
  name: 'embedded',
  async open() {
    const dataDir = tempDir(t, 'aig-contract');
    const store = await openStore({ dataDir });
    t.after(() => store.close());
    const dir = join(dataDir, 'referrals');
    return { one: store, two: store, raw: async () => readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n') };
  },
};

let testDb: TestDatabase | undefined;
const databases: Database[] = [];
const postgres: Adapter = {
  name: 'postgres',
  async open() {
    testDb ??= await createTestDatabase('referrals');
    const [a, b] = await Promise.all([openDatabase({ url: testDb.url, max: 4 }), openDatabase({ url: testDb.url, max: 4 })]);
    databases.push(a!, b!);
    await a!.pool.query('TRUNCATE referrals, mail_queue'); // each test starts empty
    const raw = async () => {
      const r = await a!.pool.query<{ t: string }>("SELECT coalesce(string_agg(record::text, '\n'), '') AS t FROM referrals");
      const m = await a!.pool.query<{ t: string }>("SELECT coalesce(string_agg(coalesce(body::text, ''), '\n'), '') AS t FROM mail_queue");
      return `${r.rows[0]!.t}\n${m.rows[0]!.t}`;
    };
    return { one: openPostgresReferralStore(a!), two: openPostgresReferralStore(b!), raw, db: a };
  },
};
afterAll(async () => {
  await Promise.all(databases.map((db) => db.close().catch(() => undefined)));
  await testDb?.drop();
});

const T0 = Date.parse('2026-11-16T09:00:00Z');
const at = (ms: number) => new Date(T0 + ms);
const DAY = 86_400_000;

function mail(id: string, reference: string | null = 'AIG-2345-67', due = at(0)): QueuedMail {
  return {
    id,
    reference,
    kind: 'test',
    to: ['camille@exemple.fr'],
    subject: 'Objet',
    text: 'Texte pour camille@exemple.fr',
    html: '<p>Texte</p>',
    createdAt: at(0).toISOString(),
    attempts: 0,
    nextAttemptAt: due.toISOString(),
    lastError: null,
  };
}

/** A record of request `n` created `daysAgo` days before T0, with a status. */
function record(n: number, patch: Partial<Referral> & { daysAgo?: number } = {}): Referral {
  const { daysAgo = 0, ...rest } = patch;
  const base = referral(n);
  const when = at(-daysAgo * DAY).toISOString();
  return { ...base, createdAt: when, updatedAt: when, statusAt: when, ...rest };
}

const next = (r: Referral, patch: Partial<Referral> = {}): Referral => ({ ...structuredClone(r), version: r.version + 1, ...patch });

describe.each([embedded, postgres])('referral store contract: $name', (adapter) => {
  test('versions: a new record is version 1, a save is stored + 1, two saves from one version: one wins', async () => {
    const { one, two } = await adapter.open();
    const r = record(1);
    await one.commit({ referrals: [r] });
    await assert.rejects(one.commit({ referrals: [r] }), ConflictError, 'version 1 twice');
    await assert.rejects(one.commit({ referrals: [next(r, { version: 3 })] }), ConflictError, 'a version skipped');
    const racing = await Promise.allSettled([one.commit({ referrals: [next(r)] }), two.commit({ referrals: [next(r, { status: 'taking_care' })] })]);
    assert.deepEqual(racing.map((x) => x.status).sort(), ['fulfilled', 'rejected']);
    assert.ok((racing.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason instanceof ConflictError);
    assert.equal((await one.referrals.summary(r.id))?.version, 2);
    assert.equal((await two.referrals.get(r.id))?.version, 2);
    assert.equal(await two.referrals.count(), 1);
  });

  test('a NUL character typed by a holder does not fail the commit', async () => {
    const { one, two } = await adapter.open();
    const r = { ...record(1), description: 'Épicerie\u0000 solidaire' };
    await one.commit({ referrals: [r], enqueue: [{ ...mail('nul.m', r.reference), text: 'Texte\u0000' }] });
    assert.match((await two.referrals.get(r.id))!.description!, /^Épicerie\u0000? solidaire$/);
    assert.ok(await two.mails.get('nul.m'));
  });

  test('a commit is atomic: a conflict on one record leaves nothing of the others nor of its e-mails', async () => {
    const { one, two } = await adapter.open();
    const a = record(1);
    await one.commit({ referrals: [a] });
    const b = record(2);
    await assert.rejects(one.commit({ referrals: [b, a], enqueue: [mail('atomic.m1')] }), ConflictError);
    assert.equal(await two.referrals.get(b.id), undefined);
    assert.equal(await two.referrals.referenceExists(b.reference), false);
    assert.equal(await two.mails.known('atomic.m1'), false);
    assert.equal(await two.referrals.count(), 1);
  });

  test('enqueue twice sends once; delivered drops the body and keeps a receipt; discard forgets', async () => {
    const { one, two } = await adapter.open();
    await Promise.all([one.commit({ enqueue: [mail('m1')] }), two.commit({ enqueue: [mail('m1'), mail('m2')] })]);
    assert.deepEqual((await one.mails.queued()).map((m) => m.id).sort(), ['m1', 'm2']);
    assert.equal(await two.mails.known('m1'), true);
    await one.commit({ delivered: [{ id: 'm1', at: at(1000) }] });
    await two.commit({ enqueue: [mail('m1')] });
    const receipt = await two.mails.summary('m1');
    assert.equal(receipt?.state, 'sent', 'a delivered id is never queued again');
    assert.equal(receipt?.sentAt, T0 + 1000);
    assert.equal(await two.mails.get('m1'), undefined, 'the body of a sent e-mail is dropped');
    assert.deepEqual((await two.mails.claim(at(5000))).map((m) => m.id), ['m2']);
    await one.commit({ discard: ['m2'] });
    assert.equal(await two.mails.known('m2'), false);
    assert.deepEqual(await two.mails.queued(), []);
    // Pruning old receipts forgets them.
    await one.compact({ pruneReceiptsBefore: at(2000) });
    assert.equal(await two.mails.known('m1'), false);
  });

  test('two instances claiming at once never get the same e-mail; each is claimed once', async () => {
    const { one, two } = await adapter.open();
    const ids = Array.from({ length: 60 }, (_, i) => `claim.${String(i).padStart(2, '0')}`);
    await one.commit({ enqueue: ids.map((id, i) => mail(id, 'AIG-2345-67', at(-i * 1000))) });
    assert.equal((await one.mails.due(at(0))).length, 60);
    const taken: string[][] = [[], []];
    await Promise.all(
      [one, two].map(async (store, i) => {
        for (;;) {
          const batch = await store.mails.claim(at(0), { limit: 7, leaseMs: 60_000 });
          if (batch.length === 0) return;
          taken[i]!.push(...batch.map((m) => m.id));
        }
      }),
    );
    const every = [...taken[0]!, ...taken[1]!];
    assert.equal(every.length, 60, 'nothing handed twice');
    assert.deepEqual([...new Set(every)].sort(), ids);
    assert.deepEqual(await two.mails.claim(at(30_000)), [], 'all leased');
  });

  test('a lease runs out (the claimer died mid-send); requeue and delivered end it', async () => {
    const { one, two } = await adapter.open();
    await one.commit({ enqueue: [mail('lease.a', 'AIG-2345-67', at(-2)), mail('lease.b', 'AIG-2345-67', at(-1))] });
    assert.deepEqual((await one.mails.claim(at(0), { leaseMs: 1000 })).map((m) => m.id), ['lease.a', 'lease.b']);
    assert.deepEqual(await two.mails.claim(at(999)), [], 'still leased');
    const again = await two.mails.claim(at(1000), { leaseMs: 1000 });
    assert.deepEqual(again.map((m) => m.id), ['lease.a', 'lease.b'], 'retried by another once the lease ran out');
    assert.equal(again[0]!.text, 'Texte pour camille@exemple.fr', 'with its body');
    await two.commit({ requeue: [{ ...again[0]!, attempts: 1, lastError: 'ECONNECTION', nextAttemptAt: at(1000).toISOString() }], delivered: [{ id: 'lease.b', at: at(1000) }] });
    const retried = await one.mails.claim(at(1000));
    assert.deepEqual(retried.map((m) => [m.id, m.attempts, m.lastError]), [['lease.a', 1, 'ECONNECTION']], 'a requeued mail is claimable at its next attempt');
    assert.deepEqual(await one.mails.claim(at(100_000)), [], 'a delivered one never again (lease.a is leased again)');
  });

  test('erasure: the scrubbed record replaces the old one, queued e-mails are discarded, nothing personal is left after compact', async () => {
    const { one, two, raw } = await adapter.open();
    const r = record(1);
    const other = record(2);
    await one.commit({ referrals: [r, other], enqueue: [mail(`${r.id}.actor-new`, r.reference), mail('other.m', other.reference)] });
    assert.match(await raw(), /dominique@exemple\.fr/);
    const discard = (await one.mails.queuedFor(r.reference)).map((m) => m.id);
    assert.deepEqual(discard, [`${r.id}.actor-new`]);
    const erased = scrub(r, at(0), 'erase', 'holder');
    await one.commit({ referrals: [erased], discard });
    await one.compact({ pruneReceiptsBefore: at(-30 * DAY) });
    const after = await two.referrals.get(r.id);
    assert.equal(after?.contact, null);
    assert.equal((await two.referrals.summary(r.id))?.erased, true);
    assert.deepEqual(await two.mails.queuedFor(r.reference), []);
    assert.deepEqual((await two.mails.queuedFor(other.reference)).map((m) => m.id), ['other.m']);
    const text = await raw();
    assert.equal(text.split('dominique@exemple.fr').length - 1, 1, "only the other request's record still names its holder");
    assert.doesNotMatch(text, new RegExp(`"id":"${r.id}"[^\n]*dominique`));
  });

  test('purpose queries: by reference and conversation, follow-up candidates, anonymisation due, monthly loads', async () => {
    const { one, two } = await adapter.open();
    const fresh = record(1, { daysAgo: 0 });
    const old = record(2, { daysAgo: 10 });
    const second = { ...record(2, { daysAgo: 9 }), id: `${old.reference}-2`, actorId: 'ecossolies', conversationId: old.conversationId };
    const taken = record(3, { daysAgo: 40, status: 'taking_care' });
    const recentlyTaken = record(4, { daysAgo: 3, status: 'taking_care' });
    const erasedPending = { ...record(5, { daysAgo: 20 }), erasedAt: at(-DAY).toISOString(), anonymisedAt: at(-DAY).toISOString() };
    const closedLongAgo = record(6, { daysAgo: 400, status: 'done', closedAt: at(-390 * DAY).toISOString() });
    const lastMonth = record(7, { daysAgo: 20, actorId: 'ecossolies' });
    await one.commit({ referrals: [fresh, old, second, taken, recentlyTaken, erasedPending, closedLongAgo, lastMonth] });

    assert.deepEqual((await two.referrals.byReference(old.reference)).map((r) => r.id), [old.id, second.id], 'oldest first');
    assert.deepEqual((await two.referrals.byConversation(old.conversationId)).map((r) => r.id), [old.id, second.id]);
    assert.equal(await two.referrals.referenceExists(old.reference), true);
    assert.equal(await two.referrals.referenceExists('AIG-ZZZZ-ZZ'), false);

    const candidates = await two.referrals.followUpCandidates({ pendingCreatedBefore: at(-2 * DAY), takingCareSince: at(-30 * DAY) });
    assert.deepEqual(candidates.map((s) => s.id).sort(), [old.id, second.id, taken.id, lastMonth.id].sort());
    const noCheckIns = await two.referrals.followUpCandidates({ pendingCreatedBefore: at(-15 * DAY), takingCareSince: null });
    assert.deepEqual(noCheckIns.map((s) => s.id), [lastMonth.id]);

    assert.deepEqual(await two.referrals.anonymisationDue(at(-365 * DAY)), [closedLongAgo.reference]);
    assert.deepEqual((await two.referrals.anonymisationDue(at(-9 * DAY))).sort(), [old.reference, taken.reference, closedLongAgo.reference, lastMonth.reference].sort());

    // November 2026 in Paris: from the 1st 00:00 (UTC+1) to December 1st.
    const loads = await two.referrals.monthlyLoads(new Date('2026-10-31T23:00:00Z'), new Date('2026-11-30T23:00:00Z'));
    assert.deepEqual(Object.fromEntries(loads), { 'clisson-sevre-maine-eco': 3, ecossolies: 1 });
    assert.equal((await all(two.referrals.summaries())).length, 8);
    assert.equal((await all(two.referrals.scan())).length, 8);
  });

  test('changes: paged, then only what was written since, by either instance', async () => {
    const { one, two } = await adapter.open();
    const records = Array.from({ length: 5 }, (_, i) => record(i + 1));
    await one.commit({ referrals: records.slice(0, 3) });
    await one.commit({ referrals: records.slice(3) });
    const seen = new Map<string, number>();
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const page = await one.referrals.changes(cursor, 2);
      pages += 1;
      for (const r of page.records) seen.set(r.id, r.version);
      cursor = page.cursor;
      if (page.done) break;
    }
    assert.equal(seen.size, 5);
    assert.ok(pages >= 3, 'paged by the limit');
    // A record may come again (the port allows it), never as something new.
    const idle = await one.referrals.changes(cursor, 100);
    assert.ok(idle.records.every((r) => seen.get(r.id) === r.version), 'nothing new');
    cursor = idle.cursor;
    await two.commit({ referrals: [next(records[1]!, { status: 'taking_care' })] });
    const page = await one.referrals.changes(cursor, 100);
    const changed = page.records.filter((r) => seen.get(r.id) !== r.version);
    assert.deepEqual(changed.map((r) => [r.id, r.version, r.status]), [[records[1]!.id, 2, 'taking_care']]);
    assert.equal(page.done, true);
  });
});

describe('PostgreSQL only', () => {
  test('changes never skip a transaction that commits after a later one was read', async () => {
    const { one, db } = await postgres.open();
    let cursor: string | null = (await one.referrals.changes(null, 100)).cursor;
    const late = record(1);
    const client = await db!.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`INSERT INTO referrals (${REFERRAL_INSERT_COLUMNS}) VALUES ${placeholders(1, 17)}`, referralRow(late));
      await one.commit({ referrals: [record(2)] }); // starts after, commits first
      const first = await one.referrals.changes(cursor, 100);
      assert.deepEqual(first.records.map((r) => r.id), [record(2).id]);
      cursor = first.cursor;
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const second = await one.referrals.changes(cursor, 100);
    assert.ok(second.records.some((r) => r.id === late.id), 'the late commit is read');
  });

  test('a long transaction elsewhere in the cluster holding xmin back does not make changes() read the same rows again', async () => {
    const { one, two, db } = await postgres.open();
    const blocker = await db!.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_current_xact_id()'); // an xid: xmin stays below it
      let cursor: string | null = null;
      await two.commit({ referrals: [record(1)] });
      const first = await one.referrals.changes(cursor, 100);
      assert.deepEqual(first.records.map((r) => r.id), [record(1).id]);
      cursor = first.cursor;
      assert.deepEqual((await one.referrals.changes(cursor, 100)).records, [], 'read once');
      await two.commit({ referrals: [record(2)] });
      const second = await one.referrals.changes(cursor, 100);
      assert.deepEqual(second.records.map((r) => r.id), [record(2).id]);
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
  });

  test('two concurrent creations of one id: one wins, the loser leaves nothing', async () => {
    const { one, two } = await postgres.open();
    const r = record(1);
    const results = await Promise.allSettled([
      one.commit({ referrals: [r], enqueue: [mail('race.one', r.reference)] }),
      two.commit({ referrals: [r], enqueue: [mail('race.two', r.reference)] }),
    ]);
    assert.deepEqual(results.map((x) => x.status).sort(), ['fulfilled', 'rejected']);
    const queued = (await one.mails.queuedFor(r.reference)).map((m) => m.id);
    assert.equal(queued.length, 1, `one set of e-mails: ${queued.join(', ')}`);
  });
});
