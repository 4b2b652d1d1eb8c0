// The monthly report through the real service and a real SMTP server: nothing before the
// configured day and hour; then one e-mail per partner contact (its territory's figures) and per
// coordinator (all), each with the month's CSV; never twice, even across a restart in the middle
// of the send; the command line triggers a given month and sends nothing already sent.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from '@jest/globals';
import { t } from '../support/context.js';
import { promisify } from 'node:util';
import { openReferrals, reportRecipients, type Referrals } from '../../src/referrals/index.js';
import { nthWorkingDay } from '../../src/referrals/monthlyReport.js';
import { startSmtp, type ReceivedMail } from '../notifications/smtp.js';
import { Clock, PROFILE, ROOT, decision, holderInput, tempDir, testActors } from './helpers.js';

const COORDINATION = 'coordination@aiguillage.example.org';
const PARTNER = 'eco@cc-sevreloire.example.org';
const VALLET = { ...PROFILE, commune: { code: '44212', nom: 'Vallet' }, epci: { code: '200067866', nom: 'CC Sèvre et Loire' } };

/** One part of a (nested) multipart message, by content type, decoded; with its file name. */
function partOf(mail: ReceivedMail, type: string): { name: string; text: string } {
  const at = mail.raw.search(new RegExp(`^Content-Type: ${type.replace('/', '\\/')}`, 'im'));
  assert.ok(at >= 0, `partie ${type}`);
  const rest = mail.raw.slice(at);
  const split = rest.search(/\r?\n\r?\n/);
  const headers = rest.slice(0, split);
  const body = rest.slice(split).replace(/^\r?\n\r?\n/, '').split(/\r?\n--/)[0]!;
  const name = /filename="?([^";\r\n]+)"?/i.exec(headers)?.[1] ?? '';
  if (/base64/i.test(headers)) return { name, text: Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') };
  if (/quoted-printable/i.test(headers)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => `%${h}`);
    return { name, text: decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25')) };
  }
  return { name, text: body };
}
const csvOf = (mail: ReceivedMail) => partOf(mail, 'text/csv');
const textOf = (mail: ReceivedMail) => partOf(mail, 'text/plain').text;

test('le bilan mensuel part le premier jour ouvré, une fois, avec son CSV, même après un redémarrage', async () => {
  assert.equal(nthWorkingDay('2026-12', 1), '2026-12-01');
  assert.equal(nthWorkingDay('2026-11', 1), '2026-11-02', '1er novembre : Toussaint, un dimanche');
  assert.equal(nthWorkingDay('2027-01', 1), '2027-01-04', '1er janvier férié, puis le week-end');

  const dataDir = tempDir(t, 'aig-monthly');
  const smtp = await startSmtp();
  t.after(() => smtp.stop());
  const clock = new Clock(Date.parse('2026-11-10T09:00:00Z'));
  const actors = await testActors();
  const open = () =>
    openReferrals({
      dataDir,
      publicUrl: 'https://aiguillage.example.org',
      actors,
      mailFrom: 'Aiguillage <aiguillage@example.org>',
      secret: 'secret-de-test-0123456789',
      smtpUrl: `smtp://127.0.0.1:${smtp.port}`,
      replyTo: COORDINATION,
      backoff: { baseMs: 1 },
      now: clock.now,
      monthlyReport: {
        workingDay: 1,
        hour: 8,
        recipients: () =>
          reportRecipients(
            [{ id: 'sevre-loire', reportEmail: PARTNER, defaultTerritory: { label: 'CC Sèvre et Loire', epci: ['200067866'] } }, { id: 'demo', defaultTerritory: null }],
            [COORDINATION],
          ),
        labels: { actor: (id) => id, partner: (id) => id },
      },
    });
  let referrals: Referrals = await openReferrals({ dataDir, publicUrl: 'https://aiguillage.example.org', actors, mailFrom: 'Aiguillage <aiguillage@example.org>', secret: 'secret-de-test-0123456789', now: clock.now });
  // November: two requests in Clisson, three in Vallet (one a test, one taken care of at once).
  await referrals.service.createReferral(holderInput());
  await referrals.service.createReferral(holderInput());
  const taken = await referrals.service.createReferral(holderInput({ profile: VALLET, decision: decision(['sevre-loire-eco']) }));
  await referrals.service.transition(`${taken.reference}-1`, 'take_care', 'actor:sevre-loire-eco');
  await referrals.service.createReferral(holderInput({ profile: VALLET, decision: decision(['sevre-loire-eco']) }));
  const spam = await referrals.service.createReferral(holderInput({ profile: VALLET, decision: decision(['sevre-loire-eco']) }));
  await referrals.service.decline(`${spam.reference}-1`, { reason: 'demande_non_serieuse' }, 'actor:sevre-loire-eco');
  // December: not in November's report.
  clock.set('2026-12-01T05:00:00Z');
  await referrals.service.createReferral(holderInput({ profile: VALLET, decision: decision(['sevre-loire-eco']) }));
  await referrals.close();

  referrals = await open();
  await referrals.mailer.flush(); // the referrals' own e-mails
  smtp.received.length = 0;
  clock.set('2026-12-01T06:30:00Z'); // 7:30 in Paris: not yet
  await referrals.scheduler.tick();
  const bilans = () => smtp.received.filter((m) => /Bilan de/.test(m.subject));
  assert.equal(bilans().length, 0);

  // 8:05 in Paris: queued durably, but the SMTP server is down; the service restarts.
  clock.set('2026-12-01T07:05:00Z');
  await referrals.close(); // its pooled SMTP connection would keep the server from stopping
  await smtp.stop();
  referrals = await open();
  await referrals.scheduler.tick();
  assert.equal((await referrals.store.mails.queued()).filter((m) => m.id.startsWith('report-2026-11.')).length, 2, 'en file, durablement');
  await referrals.close();
  await smtp.start();
  referrals = await open();
  clock.advanceMs(60_000);
  await referrals.scheduler.tick();
  await referrals.scheduler.tick();
  const reports = bilans();
  assert.deepEqual(reports.map((m) => m.to[0]).sort(), [COORDINATION, PARTNER].sort(), 'une fois chacun');

  const partner = reports.find((m) => m.to[0] === PARTNER)!;
  assert.equal(partner.subject, '[Aiguillage] Bilan de novembre 2026 — CC Sèvre et Loire');
  assert.match(textOf(partner), /Demandes reçues : 2 \(sans compter 1 demande de test ou non sérieuse\)/);
  // The other request of Vallet got no answer within its 7 days: late, so 1 on time out of 2.
  assert.match(textOf(partner), /Prises en charge dans le délai promis au porteur : 50 % \(1 sur 2\)/);
  assert.match(partner.raw, new RegExp(`^Reply-To: ${COORDINATION}`, 'm'));
  const partnerCsv = csvOf(partner);
  assert.equal(partnerCsv.name, 'aiguillage-bilan-2026-11-sevre-loire.csv');
  assert.match(partnerCsv.text, /^\uFEFFAiguillage — bilan de novembre 2026 — CC Sèvre et Loire\r\n/);
  assert.match(partnerCsv.text, /Demandes par intercommunalité\r\n/);
  assert.match(partnerCsv.text, /CC Sèvre et Loire;2;/);
  assert.doesNotMatch(partnerCsv.text, /Clisson|@|Camille/, 'son territoire seulement, sans donnée personnelle');

  const coordination = reports.find((m) => m.to[0] === COORDINATION)!;
  assert.match(textOf(coordination), /pour tous les territoires/);
  assert.match(textOf(coordination), /Demandes reçues : 4 /);
  assert.match(csvOf(coordination).text, /Demandes par secteur\r\n/);

  // Later ticks the same day, and another restart: nothing more.
  clock.advanceMs(3_600_000);
  await referrals.scheduler.tick();
  await referrals.close();
  referrals = await open();
  await referrals.scheduler.tick();
  assert.equal(bilans().length, 2);
  await referrals.close();

  // The command line, for a given month: what was sent is not sent again.
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'monthly-report', '--mois', '2026-11'], {
    cwd: ROOT,
    env: { ...process.env, AIGUILLAGE_DATA_DIR: dataDir, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, ADMIN_EMAIL: COORDINATION, AIGUILLAGE_SECRET: 'secret-de-test-0123456789' },
  });
  assert.deepEqual(JSON.parse(stdout), { month: '2026-11', queued: 0, already: 1, sent: 0, failed: 0 });
  const bad = await run(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'monthly-report', '--mois', 'novembre'], { cwd: ROOT, env: { ...process.env, AIGUILLAGE_DATA_DIR: dataDir } }).catch((e: { code: number; stderr: string }) => e);
  assert.equal((bad as { code: number }).code, 2);
});
