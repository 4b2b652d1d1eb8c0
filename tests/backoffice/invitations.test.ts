// Inviting a colleague: with e-mail set up, the invitation reaches the invited person on a real
// SMTP server (loopback) and its link opens the account creation page; without it, the page
// says plainly that the coordinator must send the link.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { linkAfter, startSmtp, type TestSmtp } from '../notifications/smtp.js';
import { ADMIN, Client, startBackoffice, type Harness } from './harness.js';

describe('invitations au back-office', () => {
  let smtp: TestSmtp;
  let h: Harness;
  let coordinator: Client;
  beforeAll(async () => {
    smtp = await startSmtp();
    h = await startBackoffice({}, { smtpUrl: `smtp://127.0.0.1:${smtp.port}` });
    coordinator = new Client(h.base);
    assert.equal((await coordinator.login(ADMIN.email, ADMIN.password)).status, 303);
  });
  afterAll(async () => {
    await h.close();
    await smtp.stop();
  });

  it('e-mails the invitation with a one-time link that opens the account creation page', async () => {
    await coordinator.get('/comptes');
    const page = await (await coordinator.post('/comptes/inviter', { email: 'conseillere.vallet@exemple.fr', name: 'Claire Conseillère', role: 'member', actorId: 'sevre-loire-eco' })).text();
    assert.match(page, /Invitation envoyée par e-mail à conseillere\.vallet@exemple\.fr/);
    const shown = /<code class="snippet" id="lien-invitation">([^<]+)<\/code>/.exec(page)?.[1];
    assert.ok(shown, 'the link stays on the page, in case the e-mail does not arrive');

    const deadline = Date.now() + 10_000;
    while (!smtp.received.some((m) => m.to.includes('conseillere.vallet@exemple.fr')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const mail = smtp.received.find((m) => m.to.includes('conseillere.vallet@exemple.fr'));
    assert.ok(mail, 'the invitation reached the SMTP server');
    assert.match(mail.subject, /Votre invitation au back-office/);
    assert.match(mail.text, /Bonjour Claire Conseillère/);
    assert.match(mail.text, /orientés vers Communauté de communes Sèvre et Loire|orientés vers .*Sèvre et Loire/);
    const link = linkAfter(mail.text, 'Choisir mon mot de passe');
    assert.equal(link, shown!.replace(/&amp;/g, '&'));
    const invitationPage = await fetch(link.replace(/^https?:\/\/[^/]+/, h.base));
    assert.equal(invitationPage.status, 200);
    assert.match(await invitationPage.text(), /conseillere\.vallet@exemple\.fr/);
  });
});

describe('invitations sans serveur d’e-mail', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startBackoffice();
  });
  afterAll(async () => {
  await h.close();
});

  it('shows the link for the coordinator to send, without claiming an e-mail went out', async () => {
    const coordinator = new Client(h.base);
    await coordinator.login(ADMIN.email, ADMIN.password);
    await coordinator.get('/comptes');
    const page = await (await coordinator.post('/comptes/inviter', { email: 'coordination2@exemple.fr', name: '', role: 'coordinator' })).text();
    assert.match(page, /Invitation créée pour coordination2@exemple\.fr\. Envoyez-lui ce lien/);
    assert.doesNotMatch(page, /envoyée par e-mail/);
  });
});
