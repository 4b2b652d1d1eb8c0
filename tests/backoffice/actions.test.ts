// Every actor action does what it says, or says why not: re-routing towards a structure that
// already holds the request is refused (no green success, no journal line, nothing changed);
// a coordinator clears an « à vérifier » case with a note; a decline as « demande non sérieuse »
// closes the request without escalation, new referral or e-mail to the holder (real SMTP), is
// counted apart in the statistics; test-like requests are flagged, never dropped.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';
import { all } from '../support/collect.js';

let h: Harness;
let smtp: TestSmtp;
let client: Client;

beforeAll(async () => {
  smtp = await startSmtp();
  h = await startBackoffice({}, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
  client = new Client(h.base);
  await client.login(ADMIN.email, ADMIN.password);
});
afterAll(async () => {
  await h.close();
  await smtp.stop();
});

const clisson = () => h.profileAt('44043', { stage: 'idee', sector: 'alimentation' });
let conversation = 0;
/** A request sent to local structures in parallel (the decision written here, not by the rules being edited). */
async function referTo(actorIds: string[], name = 'Camille Porteuse'): Promise<string[]> {
  conversation += 1;
  const local = (actorId: string) => ({ actorId, actorName: actorId, role: 'local' as const, tier: 'local' as const, ruleId: `local-${actorId}`, reason: 'Parce que.' });
  const created = await h.referrals.service.createReferral({
    conversationId: `conv-actions-${process.pid}-${conversation}`,
    partnerId: 'vignoble-nantais',
    profile: clisson(),
    decision: { referrals: actorIds.map(local), fallback: false, rulesVersion: 'test', skipped: [] },
    consent: { textVersion: 'consentement-v1' },
    contact: { name, email: `porteur.actions.${conversation}@exemple.fr`, phone: null, channel: 'email', preferredTime: null },
  });
  return created.referrals.map((r) => r.id);
}
const flashOf = async (path: string) => {
  const page = await (await client.get(path)).text();
  return { page, ok: /class="flash ok"/.test(page), error: /class="flash error"[^>]*>([^<]*)/.exec(page)?.[1] ?? '' };
};

describe('réorienter et vérifier', () => {
  it('refuse de réorienter vers la structure qui a déjà la demande, puis lève le cas « à vérifier » avec une note', async () => {
    const [first, second] = await referTo(['clisson-sevre-maine-eco', 'chambre-agriculture-pdl']);
    assert.equal((await h.referrals.service.get(second!))!.actorId, 'chambre-agriculture-pdl');
    // The first local says it should go to the second one, which already has it: to check.
    await h.referrals.service.decline(first!, { reason: 'hors_offre', shouldGoTo: 'chambre-agriculture-pdl' }, 'actor:clisson-sevre-maine-eco');
    const declined = (await h.referrals.service.get(first!))!;
    assert.equal(declined.review?.kind, 'suggested_actor');
    const before = await h.referrals.service.byReference(declined.reference);
    const auditBefore = (await h.backoffice.deps.audit.list()).entries.length;

    // The form does not offer the structure that has it, and says why; a stale form is refused.
    const detail = await (await client.get(`/orientations/${first}`)).text();
    assert.doesNotMatch(detail, /<option value="chambre-agriculture-pdl"/);
    assert.match(detail, /La structure suggérée, .*, a déjà cette demande \(en attente\) : si rien d’autre n’est à faire, marquez le cas comme vérifié\./);
    const res = await client.post(`/orientations/${first}/reorienter`, { actorId: 'chambre-agriculture-pdl' });
    assert.equal(res.status, 303);
    const shown = await flashOf(`/orientations/${first}`);
    assert.equal(shown.ok, false, 'pas de message de succès');
    assert.match(shown.error, /Réorientation refusée : Chambre d.agriculture .* a déjà cette demande \(AIG-.*-2, en attente depuis le .*\)\. Rien n’a été modifié\./);
    assert.deepEqual(await h.referrals.service.byReference(declined.reference), before, 'aucune orientation, aucun historique');
    assert.equal((await h.backoffice.deps.audit.list()).entries.length, auditBefore, 'rien au journal');

    // Clearing needs a note; then the case leaves « à réorienter » and the note is in the history.
    assert.match(shown.page, /Marquer comme vérifié/);
    await client.post(`/orientations/${first}/verifier`, { note: '' });
    assert.match((await flashOf(`/orientations/${first}`)).error, /Écrivez une note/);
    await client.post(`/orientations/${first}/verifier`, { note: 'La Chambre d’agriculture suit déjà la demande.' });
    const cleared = await flashOf(`/orientations/${first}`);
    assert.equal(cleared.ok, true);
    const record = (await h.referrals.service.get(first!))!;
    assert.equal(record.review, null);
    assert.deepEqual(
      [record.history.at(-1)!.action, record.history.at(-1)!.by, record.history.at(-1)!.reason],
      ['review', `coordinator:${ADMIN.email}`, 'vérifiée : La Chambre d’agriculture suit déjà la demande.'],
    );
    assert.match(cleared.page, /Vérifiée par la coordination/);
    assert.doesNotMatch(cleared.page, /Marquer comme vérifié/);
    const tab = await (await client.get('/orientations?onglet=a-reorienter')).text();
    assert.doesNotMatch(tab, new RegExp(first!));
    assert.ok((await h.backoffice.deps.audit.list()).entries.some((e) => e.action === 'referral.review-cleared' && e.target === first));
  });

  it('réoriente pour de bon vers une structure qui n’a pas la demande', async () => {
    const [first, second] = await referTo(['clisson-sevre-maine-eco', 'chambre-agriculture-pdl']);
    await h.referrals.service.decline(first!, { reason: 'hors_offre' }, 'actor:clisson-sevre-maine-eco');
    await client.post(`/orientations/${first}/reorienter`, { actorId: 'sevre-loire-eco' });
    assert.equal((await flashOf(`/orientations/${first}`)).ok, true);
    const dossier = await h.referrals.service.byReference((await h.referrals.service.get(second!))!.reference);
    assert.deepEqual(dossier.map((r) => [r.actorId, r.status]).at(-1), ['sevre-loire-eco', 'pending']);
  });
});

describe('demande non sérieuse', () => {
  it('close sans escalade, sans nouvelle orientation, sans courriel au porteur ; comptée à part', async () => {
    // One structure only: a decline would otherwise escalate to the experts.
    const [only] = await referTo(['sevre-loire-eco'], 'Azerty Test');
    const reference = (await h.referrals.service.get(only!))!.reference;
    assert.equal((await h.referrals.service.byReference(reference)).length, 1);
    await h.referrals.mailer.flush();
    const holderAddress = (await h.referrals.service.get(only!))!.contact!.email!;
    assert.equal(smtp.received.filter((m) => m.to.includes(holderAddress)).length, 1, 'la confirmation seulement');

    // Flagged for the coordination first, never dropped.
    const detail = await (await client.get(`/orientations/${only}`)).text();
    assert.match(detail, /ressemble peut-être à un test/);
    assert.match(detail, /mots de test/);
    assert.match(await (await client.get('/orientations')).text(), /test ou spam \?/);

    const member = await h.member('sevre-loire-eco', 'membre.spam@exemple.fr');
    const actor = new Client(h.base);
    await actor.login('membre.spam@exemple.fr', member.password);
    const res = await actor.post(`/orientations/${only}/action`, { action: 'decline', reason: 'demande_non_serieuse', shouldGoTo: 'ecossolies' });
    assert.equal(res.status, 303);
    const dossier = await h.referrals.service.byReference(reference);
    assert.deepEqual(dossier.map((r) => [r.id, r.status]), [[only, 'declined']], 'pas de nouvelle orientation');
    assert.equal(dossier[0]!.review, null);
    await h.referrals.mailer.flush();
    assert.equal(smtp.received.filter((m) => m.to.includes(holderAddress)).length, 1, 'aucun courriel de plus au porteur');
    // No ADMIN_EMAIL in this harness: the coordinator's alert is a note in the outbox.
    const note = readFileSync(join(h.dir, 'data', 'outbox', 'coordination', `${only}.coord-not_serious.txt`), 'utf8');
    assert.match(note, /déclinée comme demande non sérieuse ou de test : close sans transmission/);

    // The statistics page says it (its layout is another issue's); the figures are checked below.
    assert.match(await (await client.get('/statistiques')).text(), /Tests et demandes non sérieuses/);
    const report = h.backoffice.deps.stats.report(
      { from: 0, to: Date.now() + 86_400_000, fromDay: '', toDay: '', granularity: 'month', territory: null },
      { actor: (id) => id, partner: (id) => id, place: (c) => c },
      new Date(),
    );
    assert.equal(report.funnel.notSerious, 1);
    const references = new Set((await all(h.referrals.store.referrals.summaries())).map((s) => s.reference));
    assert.equal(report.funnel.consented, references.size - 1, 'hors des demandes transmises');
  });

  it('signale le même contact plusieurs fois et les adresses jetables', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const decision = await h.router.route(clisson());
      const created = await h.referrals.service.createReferral({
        conversationId: `conv-repeat-${i}`,
        partnerId: 'vignoble-nantais',
        profile: clisson(),
        decision,
        consent: { textVersion: 'consentement-v1' },
        contact: { name: 'Dominique Martin', email: 'dominique@yopmail.com', phone: null, channel: 'email', preferredTime: null },
      });
      ids.push(created.referrals[0]!.id);
    }
    const detail = await (await client.get(`/orientations/${ids[2]}`)).text();
    assert.match(detail, /adresse e-mail jetable/);
    assert.match(detail, /même contact pour plusieurs demandes \(3 demandes\)/);
    assert.doesNotMatch(detail, /mots de test/);
    // Members do not see the coordination's suspicion.
    const member = await h.member('clisson-sevre-maine-eco', 'membre.clisson@exemple.fr');
    const actor = new Client(h.base);
    await actor.login('membre.clisson@exemple.fr', member.password);
    assert.doesNotMatch(await (await actor.get(`/orientations/${ids[2]}`)).text(), /ressemble peut-être/);
  });
});
