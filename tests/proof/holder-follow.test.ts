// The holder's follow-up against the real server process (`dist/server.mjs`, as `npm start`)
// and a real SMTP server: a holder walks the widget to a request; the confirmation e-mail's
// status link opens the status page; the actor takes care through their e-mail's link and the
// page follows; in a new widget conversation « où en est ma demande AIG-… ? » answers with the
// statuses only and sends the link again; every e-mail to the holder has the Reply-To.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { linkAfter, startSmtp, type ReceivedMail, type TestSmtp } from '../notifications/smtp.js';
import { Http, startServerProcess, tempDir, until, walkToReferral, WidgetConversation, type ServerProcess } from './harness.js';

const COORDINATION = 'coordination@aiguillage.example.org';
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
const replyTo = (mail: ReceivedMail) => /^Reply-To:\s*(.*)$/im.exec(mail.raw)?.[1]?.trim();

describe('le porteur suit sa demande, sur le serveur en service', () => {
  let server: ServerProcess;
  let smtp: TestSmtp;
  let http: Http;
  const dataDir = tempDir('holder-follow');

  beforeAll(async () => {
    smtp = await startSmtp();
    server = await startServerProcess({
      dataDir,
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ADMIN_EMAIL: COORDINATION, ADMIN_PASSWORD: 'une longue phrase de passe', FOLLOWUP_INTERVAL_SECONDS: '1' },
    });
    http = new Http(server.base, '127.0.0.4');
  });

  afterAll(async () => {
    http?.close();
    await server?.stop();
    await smtp?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('page de suivi avant et après la prise en charge, question dans le widget, lien renvoyé', async () => {
    const { reference } = await walkToReferral(http, 0);
    const mail = (id: string) => until(id, () => smtp.received.find((m) => m.queueId === id), 20_000);
    const confirm = await mail(`${reference}.holder-confirm`);
    assert.equal(replyTo(confirm), COORDINATION);
    const statusUrl = linkAfter(confirm.text, 'Où en est ma demande');
    assert.ok(statusUrl.startsWith(`${server.base}/suivi/`), statusUrl);

    let page = await fetch(statusUrl);
    assert.equal(page.status, 200);
    let body = text(await page.text());
    assert.match(body, new RegExp(`Votre demande ${reference}`));
    assert.match(body, /En attente de contact/);
    assert.match(body, new RegExp(`écrivez à ${COORDINATION}`));

    const actorMail = await mail(`${reference}-1.actor-new`);
    const takeCare = linkAfter(actorMail.text, 'Je prends en charge');
    const done = await fetch(takeCare, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=1' });
    assert.equal(done.status, 200);
    body = text(await (await fetch(statusUrl)).text());
    assert.match(body, /Vous a pris en charge le/);
    const taken = await mail(`${reference}-1.holder-taken`);
    assert.equal(replyTo(taken), COORDINATION);

    // Another day, another conversation: the holder asks the bot.
    const chat = new WidgetConversation(new Http(server.base, '127.0.0.5'));
    await chat.start();
    const replies = await chat.say(`Bonjour, où en est ma demande ${reference} ?`);
    const said = replies.map((a) => a.text ?? '').join('\n');
    assert.match(said, new RegExp(`Où en est la demande ${reference} :`));
    assert.match(said, /La 1re structure sollicitée : vous a pris en charge le/);
    assert.doesNotMatch(said, /Camille|@|06 12/, 'ni personne ni coordonnée');
    const again = await chat.say(`Renvoyer le lien de suivi ${reference}`);
    assert.match(again.map((a) => a.text ?? '').join('\n'), /vient d’être envoyé à l’adresse e-mail donnée lors de la demande/);
    const resent = await until('lien renvoyé', () => smtp.received.find((m) => m.queueId.startsWith(`${reference}.holder-link-`)), 20_000);
    assert.deepEqual(resent.to, ['porteur.0@exemple.fr']);
    assert.equal(linkAfter(resent.text, 'Où en est ma demande'), statusUrl);
    assert.ok(server.alive());
  });
});
