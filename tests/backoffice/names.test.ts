// No raw ids where a person reads (issue 13): the actor's e-mail names the partner site, a
// referral's page names its rule in words, the accounts page agrees in number.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client, Harness } from './harness.js';
import { withSignedInBackoffice } from './signedIn.js';

let h: Harness;
let client: Client;

withSignedInBackoffice((started) => ({ h, client } = started));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('des noms, pas des identifiants', () => {
  it('l’e-mail de la structure nomme le site partenaire', async () => {
    await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' }));
    await h.referrals.mailer.flush();
    const mails = files(join(h.dir, 'data', 'outbox')).map((f) => readFileSync(f, 'utf8')).filter((t) => /Arriv/.test(t));
    assert.ok(mails.length > 0, 'un e-mail à la structure');
    for (const mail of mails) {
      const decoded = mail.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      assert.doesNotMatch(decoded, /site partenaire : vignoble-nantais/);
      assert.ok(decoded.includes(`site partenaire : ${h.partners.get('vignoble-nantais')!.name}`), 'le nom du site');
    }
  });

  it('la page d’une orientation nomme la règle en mots, pas par son identifiant', async () => {
    const ids = await h.refer(h.profileAt('44212', { stage: 'creation', sector: 'habitat' }));
    const records = await Promise.all(ids.map((id) => h.referrals.service.get(id)));
    const local = records.find((r) => r?.actorId === 'sevre-loire-eco')!;
    const page = await (await client.get(`/orientations/${local.id}`)).text();
    assert.match(page, /Règle « Communauté de communes Sèvre et Loire — développement économique — proximité, CC Sèvre et Loire »/);
    assert.doesNotMatch(page, /vignoble-proximite-sevre-loire/);
    assert.doesNotMatch(page, new RegExp(`jeu de règles ${local.decision.rulesVersion}`));
  });

  it('« 1 compte » au singulier', async () => {
    assert.match(await (await client.get('/comptes')).text(), /<caption>1 compte<\/caption>/);
  });
});
