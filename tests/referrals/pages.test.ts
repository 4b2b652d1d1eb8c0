// The signed-link pages in headless Chromium, as an actor and a holder see them: the back
// office's look, axe-core finds no violation, nothing wider than a 375 px phone, the holder's
// words and the other structures shown. Screenshots at 1366 and 375 px go to
// <tmp>/aiguillage-link-screens (SCREENSHOTS_DIR=docs/screenshots to refresh the README's).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import restify from 'restify';
import type { Browser, Page } from 'playwright-core';
import { mountReferralLinks, openReferrals, type Referrals } from '../../src/referrals/index.js';
import { chromiumPath, launchBrowser, axeViolations } from '../web/browser.js';
import { Clock, decision, holderInput, ROOT, tempDir } from './helpers.js';
import { testActors } from './helpers.js';

const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';
const SCREENS = process.env.SCREENSHOTS_DIR ? join(ROOT, process.env.SCREENSHOTS_DIR) : join(tmpdir(), 'aiguillage-link-screens');
const WIDTHS = [1366, 375] as const;

let browser: Browser;
let referrals: Referrals;
let server: restify.Server;
let base = '';
const urls: Record<string, string> = {};
const cleanup: (() => void)[] = [];

beforeAll(async () => {
  if (noBrowser) return;
  const dir = tempDir({ after: (fn) => cleanup.push(fn) }, 'aig-pages');
  server = restify.createServer({ handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 64 * 1024, mapParams: false, rejectUnknown: true }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clock = new Clock(Date.parse('2026-11-16T09:00:00Z'));
  referrals = await openReferrals({
    dataDir: dir,
    publicUrl: base,
    actors: await testActors(),
    mailFrom: 'Aiguillage <aiguillage@example.org>',
    secret: 'secret-de-test-0123456789',
    replyTo: 'coordination@aiguillage.example.org',
    now: clock.now,
  });
  mountReferralLinks(server, referrals.links);
  const { reference } = await referrals.service.createReferral(
    holderInput({
      decision: decision(['clisson-sevre-maine-eco', 'mission-locale-vignoble'], ['ecossolies']),
      description:
        'Avec trois voisines, nous voulons ouvrir une épicerie solidaire à Clisson : produits locaux, prix adaptés aux revenus, et un coin café pour créer du lien. Nous cherchons un local et des conseils sur le statut (association ou coopérative ?).',
    }),
  );
  await referrals.service.transition(`${reference}-2`, 'take_care', 'actor:mission-locale-vignoble');
  const mail = (await referrals.store.mails.get(`${reference}-1.actor-new`))!.text;
  const link = (label: string) => /https?:\/\/\S+/.exec(mail.slice(mail.indexOf(label)))![0];
  urls['lien-prise-en-charge'] = link('Je prends en charge');
  urls['lien-decliner'] = link('Ce n’est pas pour nous');
  urls['suivi-porteur'] = referrals.service.statusUrl({ reference, createdAt: new Date(clock.now()).toISOString() });
  urls['lien-non-valide'] = `${base}/suivi/${reference}.s.zzzz.AAAAAAAAAAAAAAAAAAAAAA`;
  browser = await launchBrowser();
  mkdirSync(SCREENS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await referrals?.close();
  server?.close();
  for (const fn of cleanup) fn();
});

async function open(name: string, width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 800 : 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  page.on('pageerror', (error) => process.stderr.write(`[page] ${error.message}\n`));
  await page.goto(urls[name]!);
  return page;
}

(noBrowser ? describe.skip : describe)('pages des liens signés dans Chromium', () => {
  for (const name of ['lien-prise-en-charge', 'lien-decliner', 'suivi-porteur', 'lien-non-valide']) {
    it(`${name} : sans violation axe, lisible à 375 px, au style du back-office`, async () => {
      for (const width of WIDTHS) {
        const page = await open(name, width);
        assert.deepEqual(await axeViolations(page), [], `${name} à ${width} px`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${name} à ${width} px déborde de ${overflow} px`);
        const header = await page.evaluate(() => getComputedStyle(document.querySelector('header.top')!).backgroundColor);
        assert.equal(header, 'rgb(31, 78, 121)', 'le bandeau du back-office');
        await page.screenshot({ path: join(SCREENS, `${name}-${width}.png`), fullPage: true });
        await page.context().close();
      }
    });
  }

  it('la page de prise en charge montre les mots du porteur et les autres structures ; après l’action, la page de suivi change', async () => {
    const page = await open('lien-prise-en-charge', 375);
    await page.getByText('Avec trois voisines, nous voulons ouvrir une épicerie solidaire').waitFor();
    await page.getByRole('heading', { name: 'Autres structures sollicitées pour cette demande' }).waitFor();
    await page.getByRole('button', { name: 'Je prends en charge' }).click();
    await page.getByRole('heading', { name: 'C’est enregistré' }).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.screenshot({ path: join(SCREENS, 'lien-enregistre-375.png'), fullPage: true });
    await page.goto(urls['suivi-porteur']!);
    assert.equal(await page.getByText('Vous a pris en charge le 16 novembre 2026').count(), 2);
    await page.context().close();
  });
});
