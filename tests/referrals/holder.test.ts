// The holder follows their request: the confirmation e-mail (real SMTP) carries a signed link to
// a status page on the bot server (restify, as in production); the page says each structure's
// status in plain French before and after the actor acts, the promised date, what to do if
// nobody called, the two rights; every e-mail to the holder has a Reply-To that reaches the
// coordination; the holder is told when the request is closed or no structure is left.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import restify from 'restify';
import { mountReferralLinks, openReferrals, type Referrals } from '../../src/referrals/index.js';
import { linkAfter, startSmtp, type ReceivedMail, type TestSmtp } from '../notifications/smtp.js';
import { Clock, decision, holderInput, tempDir, testActors } from './helpers.js';

const COORDINATION = 'coordination@aiguillage.example.org';

async function setup(t: Parameters<typeof tempDir>[0] & { after(fn: () => unknown): void }): Promise<{ referrals: Referrals; smtp: TestSmtp; clock: Clock; baseUrl: string }> {
  const dataDir = tempDir(t, 'aig-holder');
  const smtp = await startSmtp();
  const server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 64 * 1024, mapParams: false, rejectUnknown: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const referrals = await openReferrals({
    dataDir,
    publicUrl: baseUrl,
    actors: await testActors(),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-0123456789',
    smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    adminEmail: COORDINATION,
    now: clock.now,
  });
  mountReferralLinks(server, referrals.links);
  t.after(async () => {
    await referrals.close();
    await smtp.stop();
    server.close();
  });
  return { referrals, smtp, clock, baseUrl };
}

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const replyTo = (mail: ReceivedMail) => /^Reply-To:\s*(.*)$/im.exec(mail.raw)?.[1]?.trim();
const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

test('page de suivi : avant et après la prise en charge, puis la clôture, avec une adresse de réponse', async () => {
  const { referrals, smtp, clock } = await setup(t);
  const input = holderInput({
    decision: decision(['clisson-sevre-maine-eco', 'mission-locale-vignoble']),
    description: 'Nous voulons ouvrir une épicerie solidaire à Clisson, avec des produits locaux.',
  });
  const created = await referrals.service.createReferral(input);
  await referrals.mailer.flush();
  const confirm = smtp.received.find((m) => m.queueId === `${created.reference}.holder-confirm`)!;
  assert.equal(replyTo(confirm), COORDINATION, 'une réponse arrive à la coordination');
  assert.match(confirm.text, /Clisson Sèvre et Maine|clisson/i);
  assert.match(confirm.text, /Mission locale/i, 'toutes les structures sollicitées');
  assert.match(confirm.text, /Dans ce cas, elle ira à : Les Ecossolies, France Active Pays de la Loire\./, 'et celles qui suivraient');
  assert.match(confirm.text, new RegExp(`Répondez simplement à ce courriel \\(ou écrivez à ${COORDINATION}\\) en indiquant votre référence ${created.reference}`));
  const statusUrl = linkAfter(confirm.text, 'Où en est ma demande');
  assert.match(statusUrl, /\/suivi\/AIG-[^/]+\.s\./);
  assert.equal(created.statusUrl, statusUrl, 'le même lien pour le dernier message du bot');

  // Before anyone acts.
  let res = await fetch(statusUrl);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  let page = text(await res.text());
  assert.match(page, new RegExp(`Votre demande ${created.reference}`));
  assert.match(page, /Déposée le 16 novembre 2026/);
  assert.match(page, /Nous voulons ouvrir une épicerie solidaire/, 'ses propres mots');
  assert.equal(page.match(/En attente de contact/g)?.length, 2);
  assert.match(page, /Vous contactera d’ici le 23 novembre 2026\./);
  assert.match(page, /Son site : www\.clissonsevremaine\.fr/, 'de quoi joindre la structure soi-même');
  assert.match(page, /Personne ne vous a appelé \?/);
  assert.match(page, new RegExp(`écrivez à ${COORDINATION}`));
  assert.match(page, /Obtenir une copie .* Faire effacer/);
  assert.doesNotMatch(page, /Camille|06 12|exemple\.fr/, 'aucune coordonnée sur la page');

  // The actor takes care through their e-mail's link.
  const actorMail = smtp.received.find((m) => m.queueId === `${created.reference}-1.actor-new`)!;
  assert.match(actorMail.text, /ÉGALEMENT SOLLICITÉES POUR CETTE DEMANDE, EN MÊME TEMPS QUE VOUS\r?\n- Mission locale/i, 'la structure sait qui d’autre a la demande');
  assert.equal((await fetch(linkAfter(actorMail.text, 'Je prends en charge'), form({ confirm: '1' }))).status, 200);
  page = text(await (await fetch(statusUrl)).text());
  assert.match(page, /Vous a pris en charge le 16 novembre 2026/);
  assert.equal(page.match(/En attente de contact/g)?.length, 1);

  // Late: the page says so.
  clock.advanceDays(8);
  page = text(await (await fetch(statusUrl)).text());
  assert.match(page, /Ce délai est dépassé : nous avons relancé la structure\./);

  // Both close: the holder is told once, with the Reply-To.
  await referrals.service.transition(`${created.reference}-1`, 'done', 'actor:clisson-sevre-maine-eco');
  await referrals.mailer.flush();
  assert.ok(!smtp.received.some((m) => m.queueId === `${created.reference}.holder-closed`), 'une autre structure suit encore la demande');
  await referrals.service.transition(`${created.reference}-2`, 'done_no_help', 'actor:mission-locale-vignoble');
  await referrals.mailer.flush();
  const closed = smtp.received.filter((m) => m.queueId === `${created.reference}.holder-closed`);
  assert.equal(closed.length, 1);
  assert.match(closed[0]!.subject, new RegExp(`Votre demande ${created.reference} est close`));
  assert.equal(replyTo(closed[0]!), COORDINATION);
  assert.match(closed[0]!.text, /Où en est ma demande/);
  page = text(await (await fetch(statusUrl)).text());
  assert.match(page, /Votre demande est close/);
  assert.match(page, /Vous accompagne depuis le 24 novembre 2026/);
  assert.match(page, /A clos la demande le 24 novembre 2026, après avoir échangé avec vous/);
  for (const mail of smtp.received.filter((m) => m.to.includes(input.contact.email!))) assert.equal(replyTo(mail), COORDINATION, mail.queueId);
});

test('page de suivi : le relais, puis plus aucune structure (courriel au porteur)', async () => {
  const { referrals, smtp } = await setup(t);
  const input = holderInput({ decision: decision(['clisson-sevre-maine-eco'], ['ecossolies']) });
  const created = await referrals.service.createReferral(input);
  await referrals.mailer.flush();
  const statusUrl = linkAfter(smtp.received.find((m) => m.queueId === `${created.reference}.holder-confirm`)!.text, 'Où en est ma demande');
  await referrals.service.decline(`${created.reference}-1`, { reason: 'hors_offre' }, 'actor:clisson-sevre-maine-eco');
  let page = text(await (await fetch(statusUrl)).text());
  assert.match(page, /A passé le relais à Les Ecossolies le 16 novembre 2026/);
  // The experts, then the network head decline: nobody is left.
  await referrals.service.decline(`${created.reference}-2`, { reason: 'capacite' }, 'actor:ecossolies');
  await referrals.service.decline(`${created.reference}-3`, { reason: 'hors_offre' }, 'actor:cress-pdl');
  await referrals.mailer.flush();
  const none = smtp.received.find((m) => m.queueId === `${created.reference}.holder-no-structure`);
  assert.ok(none, 'le porteur est prévenu quand plus aucune structure ne reste');
  assert.equal(replyTo(none), COORDINATION);
  assert.match(none.text, /La coordination d’Aiguillage reprend votre demande/);
  page = text(await (await fetch(statusUrl)).text());
  assert.match(page, /La coordination d’Aiguillage a repris votre demande/);
});

test('les liens de suivi falsifiés, ou d’une autre nature, sont refusés', async () => {
  const { referrals, smtp, baseUrl } = await setup(t);
  const created = await referrals.service.createReferral(holderInput());
  await referrals.mailer.flush();
  const statusUrl = linkAfter(smtp.received.find((m) => m.queueId === `${created.reference}.holder-confirm`)!.text, 'Où en est ma demande');
  const token = statusUrl.split('/suivi/')[1]!;
  const actorLink = linkAfter(smtp.received.find((m) => m.queueId === `${created.reference}-1.actor-new`)!.text, 'Je prends en charge');
  const actorToken = actorLink.split('/r/')[1]!;
  const other = token.replace(created.reference, `${created.reference.slice(0, -1)}${created.reference.endsWith('Z') ? 'Y' : 'Z'}`);
  for (const bad of [other, actorToken, `${token.slice(0, -2)}AA`]) {
    const res = await fetch(`${baseUrl}/suivi/${bad}`);
    assert.equal(res.status, 403, bad);
    assert.match(await res.text(), /Ce lien de suivi n’est pas valide/);
  }
  // The holder's token opens no action page.
  assert.equal((await fetch(`${baseUrl}/r/${token}`)).status, 403);
});

test('la page d’une structure montre les mots du porteur et les autres structures sollicitées', async () => {
  const { referrals, smtp } = await setup(t);
  const created = await referrals.service.createReferral(
    holderInput({ decision: decision(['clisson-sevre-maine-eco', 'mission-locale-vignoble']), description: 'Une recyclerie <b>associative</b> à Gétigné.' }),
  );
  await referrals.mailer.flush();
  const actorMail = smtp.received.find((m) => m.queueId === `${created.reference}-1.actor-new`)!;
  const html = await (await fetch(linkAfter(actorMail.text, 'Je prends en charge'))).text();
  assert.match(html, /<blockquote class="words">Une recyclerie &lt;b&gt;associative&lt;\/b&gt; à Gétigné\.<\/blockquote>/);
  assert.match(text(html), /Autres structures sollicitées pour cette demande .*Mission locale.* : en attente depuis le 16 novembre 2026/i);
  assert.match(html, /<style>[^<]*--brand: #1f4e79/, 'le style du back-office');
});
