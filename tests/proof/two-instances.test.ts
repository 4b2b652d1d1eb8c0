// Production mode, proved with what a host runs: two real `npm start` processes (the bundle,
// each from its own copy of the rules and data) on one PostgreSQL database, a real SMTP server,
// and no sticky session. A holder whose every request lands on the other instance reaches a
// referral; both back offices show it; a rule published on A's back office routes on B within
// seconds. (The SIGKILL and PostgreSQL-outage scenarios are longer: `npm run fault -- pg-kill pg-stop`.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { Client } from '../backoffice/harness.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { Http, ROOT, holderScript, sleep, until, WidgetConversation } from './harness.js';
import { Balancer, COORDINATION, databaseFacts, startInstances, walkRetrying, type Instances } from './support/instances.js';

const MARKER = 'Règle publiée depuis l’instance A.';

describe('deux instances réelles sur une même base PostgreSQL', () => {
  let db: TestDatabase;
  let pair: Instances;

  beforeAll(async () => {
    db = await createTestDatabase('proof_two');
    // Both at once: the migrations run once under their lock, the first coordinator is created once.
    pair = await startInstances({ databaseUrl: db.url });
  }, 170_000);

  afterAll(async () => {
    await pair?.close();
    await db?.drop();
  });

  const logs = () => pair.list.map((s, i) => `── instance ${'AB'[i]}\n${s.log().slice(-1500)}`).join('\n');
  const signedIn = async (backoffice: string) => {
    const client = new Client(backoffice);
    const res = await client.login(COORDINATION.email, COORDINATION.password);
    assert.equal(res.status, 303, `connexion de la coordination sur ${backoffice}\n${logs()}`);
    return client;
  };

  it('une conversation dont chaque requête va à l’autre instance aboutit ; les deux back-offices la montrent ; chaque courriel part une fois', async () => {
    const http = new Balancer(pair.bases(), '127.0.0.30');
    const run = await walkRetrying(http, 0, { replyTimeoutMs: 30_000, giveUpMs: 150_000 });
    http.close();
    assert.deepEqual(run.retries, [], 'aucune requête à refaire');
    // Opened on A, then A, B, A, B…: every post and every read on the other instance than the one before.
    assert.ok(http.served.length >= 9, `${http.served.length} requêtes`);
    assert.deepEqual(http.served, http.served.map((_, k) => k % 2), 'les requêtes alternent A, B, A, B…');
    assert.equal(http.rerouted, 0);

    const facts = await databaseFacts(db.url);
    assert.ok(facts.references.has(run.reference), `${run.reference} est dans la base`);
    const records = [...facts.owed].filter((id) => id.startsWith(run.reference));

    for (const [name, server] of [['A', pair.list[0]!], ['B', pair.list[1]!]] as const) {
      const client = await signedIn(server.backoffice);
      const inbox = await client.get('/orientations');
      assert.equal(inbox.status, 200);
      assert.match(await inbox.text(), new RegExp(`${run.reference}-1`), `la boîte de la coordination sur ${name} montre ${run.reference}`);
    }

    // Each owed e-mail once, counted by Message-ID, while both instances run their scheduler.
    const messageIds = (id: string) => pair.smtp.received.filter((m) => m.queueId === id).map((m) => m.messageId);
    await until('courriels de la demande', () => (records.every((id) => messageIds(id).length > 0) ? true : undefined), 30_000, 200);
    await sleep(3000); // three more scheduler ticks on each instance: nothing may come twice
    for (const id of records) {
      const ids = messageIds(id);
      assert.equal(ids.length, 1, `${id} reçu ${ids.length} fois`);
    }
    assert.equal(new Set(pair.smtp.received.map((m) => m.messageId)).size, pair.smtp.received.length, 'aucun Message-ID reçu deux fois');
    assert.ok(pair.list.every((s) => s.alive()));
  });

  it('une règle publiée sur le back-office de A oriente sur B en quelques secondes', async () => {
    const file = 'vignoble.json';
    const name = 'vignoble-proximite-sevre-loire'; // Vallet: holderScript's commune
    const rule = (JSON.parse(readFileSync(join(ROOT, 'rules', file), 'utf8')) as { rules: { name: string; event: { params: { reason: string } } }[] }).rules.find((r) => r.name === name)!;
    rule.event.params.reason = `${rule.event.params.reason} ${MARKER}`;

    // Before: B does not say it.
    const firstReply = async (base: string, address: string) => {
      const http = new Http(base, address);
      try {
        const conversation = new WidgetConversation(http);
        await conversation.start();
        return (await conversation.say(holderScript(1)[0]!, 30_000)).map((a) => a.text ?? '').join('\n');
      } finally {
        http.close();
      }
    };
    const b = pair.list[1]!;
    const before = await firstReply(b.base, '127.0.0.31');
    assert.match(before, /Pourquoi : /, 'la proposition donne ses raisons');
    assert.doesNotMatch(before, new RegExp(MARKER));

    const a = await signedIn(pair.list[0]!.backoffice);
    const path = `/regles/regle/${file}/${name}/json`;
    assert.equal((await a.get(path)).status, 200);
    const saved = await a.post(path, { text: JSON.stringify(rule, null, 2) });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get('location'), '/regles/brouillon');
    assert.match(await (await a.get('/regles/brouillon')).text(), /Le brouillon est valide/);
    const published = await a.post('/regles/publier', { message: 'Preuve à deux instances : raison complétée' });
    assert.equal(published.status, 303);
    assert.equal(published.headers.get('location'), '/regles/historique');
    const at = performance.now();

    // B routes with it: a new holder on B reads the new reason.
    let attempt = 0;
    const seen = await until(
      'la règle publiée sur A, en service sur B',
      async () => ((await firstReply(b.base, `127.0.0.${40 + (attempt++ % 20)}`)).includes(MARKER) ? performance.now() - at : undefined),
      30_000,
      500,
    );
    assert.ok(seen <= 10_000, `en service sur B ${Math.round(seen)} ms après la publication sur A`);
    assert.match(await firstReply(pair.list[0]!.base, '127.0.0.32'), new RegExp(MARKER), 'et sur A');
    // B's back office knows the publication too.
    const history = await (await (await signedIn(b.backoffice)).get('/regles/historique')).text();
    assert.match(history, /Preuve à deux instances : raison complétée/);
  });
});
