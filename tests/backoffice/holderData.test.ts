// A holder's request for their data or its erasure, handled by a coordinator in the back office:
// the proof (reference + e-mail or phone) is checked, the export holds everything stored, the
// erasure is immediate and complete, members cannot reach the page, the journal keeps no proof.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';

let h: Harness;
let coordinator: Client;
let reference: string;
let email: string;

beforeAll(async () => {
  h = await startBackoffice();
  const ids = await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' }), 'Dominique Porteuse');
  const record = (await h.referrals.service.get(ids[0]!))!;
  reference = record.reference;
  email = record.contact!.email!;
  coordinator = new Client(h.base);
  assert.equal((await coordinator.login(ADMIN.email, ADMIN.password)).status, 303);
});
afterAll(async () => {
  await h.close();
});

describe('données personnelles d’un porteur (back-office)', () => {
  it('is in the coordinators’ menu and explains what to ask the holder', async () => {
    const page = await (await coordinator.get('/donnees-personnelles')).text();
    assert.match(page, /href="\/donnees-personnelles"[^>]*>Données personnelles/);
    assert.match(page, /numéro de\s+dossier/);
    assert.match(page, /name="_csrf"/);
  });

  it('refuses a wrong proof with the same French message as an unknown reference', async () => {
    const wrong = await coordinator.post('/donnees-personnelles', { reference, proof: 'autre@exemple.fr', action: 'export' });
    assert.equal(wrong.status, 404);
    const unknown = await coordinator.post('/donnees-personnelles', { reference: 'AIG-ZZZZ-ZZ', proof: email, action: 'export' });
    assert.equal(unknown.status, 404);
    const message = (text: string) => /role="alert">([^<]*)</.exec(text)?.[1]?.replace(/AIG-\S+/, 'REF');
    assert.equal(message(await wrong.text()), message(await unknown.text()));
    const malformed = await coordinator.post('/donnees-personnelles', { reference: 'pas une référence', proof: email, action: 'export' });
    assert.equal(malformed.status, 400);
    assert.match(await malformed.text(), /AIG-XXXX-XX/);
  });

  it('exports everything stored about the request, as a JSON download, and logs it without the proof', async () => {
    const res = await coordinator.post('/donnees-personnelles', { reference: reference.toLowerCase(), proof: ` ${email.toUpperCase()} `, action: 'export' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="aiguillage-${reference}\\.json"`));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const data = (await res.json()) as { reference: string; referrals: Array<{ contact: { name: string; email: string } }> };
    assert.equal(data.reference, reference);
    assert.ok(data.referrals.length >= 1);
    assert.equal(data.referrals[0]!.contact.name, 'Dominique Porteuse');
    const journal = await (await coordinator.get('/journal?action=holder.')).text();
    assert.match(journal, new RegExp(`Export des données du porteur de la demande ${reference}`));
    assert.doesNotMatch(journal, new RegExp(email.replace('.', '\\.')));
  });

  it('erases only after the confirmation, then nothing personal is left and a new export finds nothing', async () => {
    const unconfirmed = await coordinator.post('/donnees-personnelles', { reference, proof: email, action: 'erase' });
    assert.equal(unconfirmed.status, 400);
    assert.match(await unconfirmed.text(), /Cochez la confirmation/);
    assert.equal((await h.referrals.service.byReference(reference))[0]!.contact?.email, email, 'nothing erased without the confirmation');

    const erased = await coordinator.post('/donnees-personnelles', { reference, proof: email, action: 'erase', confirm: '1' });
    assert.equal(erased.status, 303);
    const after = await (await coordinator.get('/donnees-personnelles')).text();
    assert.match(after, new RegExp(`Données personnelles effacées pour ${reference}`));
    for (const record of await h.referrals.service.byReference(reference)) {
      assert.doesNotMatch(JSON.stringify(record), /Dominique|porteur\.\d+@exemple\.fr|06 12 34 56 78/);
    }
    const again = await coordinator.post('/donnees-personnelles', { reference, proof: email, action: 'export' });
    assert.equal(again.status, 404);
    const journal = await (await coordinator.get('/journal?action=holder.')).text();
    assert.match(journal, new RegExp(`Effacement des données du porteur de la demande ${reference}`));
  });

  it('is refused to an actor’s member', async () => {
    const { account, password } = await h.member('sevre-loire-eco', 'membre.donnees@exemple.fr');
    const member = new Client(h.base);
    assert.equal((await member.login(account.email, password)).status, 303);
    assert.equal((await member.get('/donnees-personnelles')).status, 403);
    assert.equal((await member.post('/donnees-personnelles', { reference, proof: email, action: 'export' })).status, 403);
    assert.doesNotMatch(await (await member.get('/orientations')).text(), /href="\/donnees-personnelles"/);
  });
});
