// The inbox detail a coordinator reads in Chromium: the holder's own words, the signs of a test
// request, no re-routing offered towards who has the request, the « marquer comme vérifié » form of an « à vérifier » case; axe-core finds no
// violation at 1366 and 375 px. Screenshots go to <tmp>/aiguillage-backoffice-screens.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchBrowser, axeViolations } from '../web/browser.js';
import { ADMIN, startBackoffice, type Harness } from './harness.js';

const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';
const SCREENS = process.env.SCREENSHOTS_DIR ? join(process.cwd(), process.env.SCREENSHOTS_DIR) : join(tmpdir(), 'aiguillage-backoffice-screens');

let h: Harness;
let browser: Browser;
let id = '';

beforeAll(async () => {
  if (noBrowser) return;
  h = await startBackoffice();
  const local = (actorId: string) => ({ actorId, actorName: actorId, role: 'local' as const, tier: 'local' as const, ruleId: `local-${actorId}`, reason: 'Parce que la structure accueille les projets de votre commune.' });
  const created = await h.referrals.service.createReferral({
    conversationId: 'conv-inbox-browser',
    partnerId: 'vignoble-nantais',
    profile: h.profileAt('44043', { stage: 'idee', sector: 'alimentation' }),
    decision: { referrals: [local('clisson-sevre-maine-eco'), local('chambre-agriculture-pdl')], fallback: false, rulesVersion: 'test', skipped: [] },
    consent: { textVersion: 'consentement-v1' },
    contact: { name: 'Test Azerty', email: 'test@yopmail.com', phone: null, channel: 'email', preferredTime: null },
    description: 'Une épicerie solidaire à Clisson, avec un coin café. Nous cherchons un local.',
  });
  id = created.referrals[0]!.id;
  await h.referrals.service.decline(id, { reason: 'hors_offre', shouldGoTo: 'chambre-agriculture-pdl' }, 'actor:clisson-sevre-maine-eco');
  browser = await launchBrowser();
  mkdirSync(SCREENS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

(noBrowser ? describe.skip : describe)('fiche d’une orientation dans Chromium', () => {
  it('mots du porteur, signes de test, pas de réorientation vers qui a la demande, puis « marquer comme vérifié »', async () => {
    for (const width of [1366, 375]) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, locale: 'fr-FR' });
      const page = await context.newPage();
      await page.goto(`${h.base}/connexion`);
      await page.getByLabel('Adresse e-mail').fill(ADMIN.email);
      await page.getByLabel('Mot de passe').fill(ADMIN.password);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.waitForURL(/\/orientations/);
      await page.goto(`${h.base}/orientations/${id}`);
      await page.getByText('Une épicerie solidaire à Clisson, avec un coin café.').waitFor();
      await page.getByText('Cette demande ressemble peut-être à un test').waitFor();
      assert.deepEqual(await axeViolations(page), [], `fiche à ${width} px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `la fiche déborde de ${overflow} px à ${width} px`);
      await page.screenshot({ path: join(SCREENS, `orientation-a-verifier-${width}.png`), fullPage: true });
      if (width === 1366) {
        // The structure that already has the request is not offered; the hint says what to do.
        assert.equal(await page.locator('#target option[value="chambre-agriculture-pdl"]').count(), 0);
        await page.getByText(/La structure suggérée, .*, a déjà cette demande/).waitFor();
        await page.getByLabel(/^Note/).fill('La Chambre d’agriculture suit déjà la demande.');
        await page.getByRole('button', { name: 'Marquer comme vérifié' }).click();
        await page.getByText('le cas n’est plus « à vérifier »').waitFor();
        assert.equal(await page.getByRole('button', { name: 'Marquer comme vérifié' }).count(), 0);
      }
      await context.close();
    }
  });
});
