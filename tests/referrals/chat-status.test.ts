// « Où en est ma demande AIG-… ? » asked to the real bot (botbuilder's TestAdapter, the bot's
// own test helper) over a real referral store: statuses only, no name of structure or person,
// no contact detail; the signed link sent again to the e-mail on file (real SMTP), once a day;
// a holder with a phone only is told how to get it.
import assert from 'node:assert/strict';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { openReferrals } from '../../src/referrals/index.js';
import { recognizeStatusQuery } from '../../src/bot/statusQuery.js';
import { allText, Holder } from '../bot/holder.js';
import { startSmtp } from '../notifications/smtp.js';
import { Clock, decision, holderInput, tempDir, testActors } from './helpers.js';

const COORDINATION = 'coordination@aiguillage.example.org';

test('le porteur demande où en est sa demande dans la discussion, et reçoit à nouveau son lien', async () => {
  const smtp = await startSmtp();
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  const referrals = await openReferrals({
    dataDir: tempDir(t, 'aig-chat-status'),
    publicUrl: 'https://aiguillage.example.org',
    actors: await testActors(),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-0123456789',
    smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
    replyTo: COORDINATION,
    now: clock.now,
  });
  t.after(async () => {
    await referrals.close();
    await smtp.stop();
  });
  const input = holderInput({ decision: decision(['clisson-sevre-maine-eco', 'mission-locale-vignoble']) });
  const { reference } = await referrals.service.createReferral(input);
  await referrals.service.transition(`${reference}-2`, 'take_care', 'actor:mission-locale-vignoble');
  const phoneOnly = await referrals.service.createReferral(
    holderInput({ contact: { name: 'Dominique', email: null, phone: '06 98 76 54 32', channel: 'phone', preferredTime: null } }),
  );
  await referrals.mailer.flush();
  const before = smtp.received.length;

  const holder = new Holder({ statusQuery: { service: referrals.service, replyTo: COORDINATION, afterResend: () => void referrals.mailer.flush(), now: clock.now } });
  await holder.say('bonjour');
  // Lower case, spaces instead of dashes: still the reference.
  let replies = await holder.say(`Bonjour, où en est ma demande ${reference.toLowerCase().replace(/-/g, ' ')} ?`);
  let said = allText(replies);
  assert.match(said, new RegExp(`Où en est la demande ${reference} :`));
  assert.match(said, /La 1re structure sollicitée : en attente de contact \(contact promis d’ici le 23 novembre 2026\)\./);
  assert.match(said, /La 2e structure sollicitée : vous a pris en charge le 16 novembre 2026\./);
  assert.match(said, /La demande est en cours\./);
  assert.doesNotMatch(said, /Clisson|Mission|Camille|@|06 12/, 'ni structure, ni personne, ni coordonnée');
  const button = replies.at(-1)!.buttons[0]!;
  assert.equal(button, `Renvoyer le lien de suivi ${reference}`);

  // The button sends the link again to the address on file, which is never shown.
  replies = await holder.click(button, replies);
  said = allText(replies);
  assert.match(said, /vient d’être envoyé à l’adresse e-mail donnée lors de la demande/);
  assert.doesNotMatch(said, /@/);
  await referrals.mailer.flush();
  const sent = smtp.received.slice(before);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0]!.to, [input.contact.email]);
  assert.match(sent[0]!.subject, new RegExp(`Le suivi de votre demande ${reference}`));
  assert.match(sent[0]!.text, /https:\/\/aiguillage\.example\.org\/suivi\/AIG-/);
  assert.match(sent[0]!.raw, new RegExp(`^Reply-To: ${COORDINATION}`, 'm'));

  // Once a day: asking again sends nothing more.
  said = allText(await holder.say(`renvoyez-moi le lien ${reference}`));
  assert.match(said, /a déjà été renvoyé aujourd’hui/);
  await referrals.mailer.flush();
  assert.equal(smtp.received.length, before + 1);

  // Phone only: how to get it.
  said = allText(await holder.say(`renvoyer le lien ${phoneOnly.reference}`));
  assert.match(said, new RegExp(`ne comporte pas d’adresse e-mail.*écrivez à ${COORDINATION}.*vous rappellera`));
  // Unknown number, and no number at all.
  assert.match(allText(await holder.say('où en est mon dossier AIG-2222-22 ?')), /Je ne trouve aucune demande AIG-2222-22/);
  assert.match(allText(await holder.say('Où en est ma demande ?')), /j’ai besoin de son numéro, qui commence par AIG/);
  assert.ok(!holder.transcript.some((l) => l.startsWith('!!')), holder.transcript.join('\n'));
});

test('reconnaître une question de suivi sans prendre un mot pour un numéro', () => {
  assert.deepEqual(recognizeStatusQuery('où en est mon dossier AIG-7K3F-Q2 ?'), { kind: 'status', reference: 'AIG-7K3F-Q2' });
  assert.deepEqual(recognizeStatusQuery('aig7k3fq2'), { kind: 'status', reference: 'AIG-7K3F-Q2' });
  assert.deepEqual(recognizeStatusQuery('Pouvez-vous me renvoyer le lien ? AIG 7K3F Q2'), { kind: 'resend', reference: 'AIG-7K3F-Q2' });
  assert.equal(recognizeStatusQuery('Nous voulons protéger les aigrettes du marais'), null);
  assert.equal(recognizeStatusQuery('Une recyclerie à Vallet, c’est ma demande'), null);
  assert.deepEqual(recognizeStatusQuery('Où en est ma demande ?'), { kind: 'no_reference' });
});
