// The onboarding of a territory (docs/onboarding-territoire.md), step by step in real Chromium,
// as the regional coordination did it for the Pays de Redon: create the territory by naming its
// intercommunality, check its structures and rules, its coverage (0 trou), declare a partner
// site, invite its coordinator, who then sees its statistics. Each page behind a step is checked
// in every run (and axe finds no violation at 1366 and 375 px); the screenshots of the doc are
// written only with AIGUILLAGE_SCREENSHOTS=1, so that a test run does not change the tree.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, launchBrowser, axeViolations } from '../web/browser.js';
import { ADMIN, startBackoffice, type Harness } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(ROOT, 'docs', 'screenshots');
const WRITE = process.env.AIGUILLAGE_SCREENSHOTS === '1';
const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';

/** The step's page is checked (axe at both widths); its screenshot written when asked. */
async function step(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  for (const width of [375, 1366]) {
    await page.setViewportSize({ width, height: 900 });
    assert.deepEqual(await axeViolations(page), [], `${name} à ${width} px`);
  }
  if (WRITE) await page.screenshot({ path: join(SHOTS, `onboarding-${name}.png`), fullPage: options.fullPage ?? false });
}

(noBrowser ? describe.skip : describe)('onboarding a territory (docs/onboarding-territoire.md), in Chromium', () => {
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let territoryDir: string;

  beforeAll(async () => {
    // The Pays de Redon as it was before its onboarding: not yet in the territories file.
    territoryDir = mkdtempSync(join(tmpdir(), 'aig-onboarding-'));
    cpSync(join(ROOT, 'data', 'territory'), territoryDir, { recursive: true });
    const file = join(territoryDir, 'named-territories.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { territories: Array<{ id: string }> };
    writeFileSync(file, JSON.stringify({ ...doc, territories: doc.territories.filter((t) => t.id !== 'pays-de-redon') }, null, 2));
    h = await startBackoffice({ territoryDir });
    await h.refer(h.profileAt('35236', { stage: 'idee', sector: 'alimentation' }));
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fr-FR' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${h.base}/connexion`);
    await page.getByLabel('Adresse e-mail').fill(ADMIN.email);
    await page.getByLabel('Mot de passe').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForURL(/\/orientations/);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
    rmSync(territoryDir, { recursive: true, force: true });
  });

  it('1-2. creates the territory by naming its intercommunality', async () => {
    await page.getByRole('link', { name: 'Territoires' }).click();
    await page.getByLabel('Nom du territoire').fill('Pays de Redon');
    await page.getByLabel('Identifiant').fill('pays-de-redon');
    await page.getByLabel('Intercommunalités').fill('Redon Agglomération');
    await step(page, '1-creer-territoire', { fullPage: true });
    await page.getByRole('button', { name: 'Créer le territoire' }).click();
    await page.waitForURL(/\/territoires\/pays-de-redon$/);
    const text = await page.locator('main').innerText();
    assert.match(text, /CA Redon Agglomération \(SIREN 243500741, 31 communes\)/);
    assert.match(text, /CADES, pôle ESS du Pays de Redon/);
    assert.match(text, /Structures partagées avec d’autres territoires[\s\S]*CRESS/);
    await step(page, '2-territoire', { fullPage: true });
  });

  it('3. its structures: the CADES, active, serving Redon Agglomération', async () => {
    await page.getByRole('link', { name: 'CADES, pôle ESS du Pays de Redon' }).first().click();
    await page.waitForURL(/\/acteurs\/cades-redon$/);
    assert.match(await page.locator('main').innerText(), /Redon Agglomération/);
    await step(page, '3-structure');
  });

  it('4-5. its rules, and its coverage with no hole', async () => {
    await page.goto(`${h.base}/territoires/pays-de-redon`);
    await page.getByRole('link', { name: 'Voir les règles qui s’appliquent sur le territoire' }).click();
    assert.match(await page.locator('main').innerText(), /CADES/);
    await step(page, '4-regles');
    await page.goto(`${h.base}/territoires/pays-de-redon`);
    await page.getByRole('link', { name: 'Couverture' }).click();
    assert.match(await page.locator('main').innerText(), /Trous \(seul un recours répond\)\s*:\s*0/);
    await step(page, '5-couverture');
  });

  it('6. declares a partner site, and gets the code to paste', async () => {
    await page.goto(`${h.base}/partenaires/nouveau`);
    await page.getByLabel('Identifiant').fill('cades-site');
    await page.getByLabel('Nom', { exact: true }).fill('Site du CADES');
    await page.getByLabel('Nom dans l’accueil du bot').fill('le CADES, pôle ESS du Pays de Redon');
    await page.getByLabel('Origines autorisées').fill('https://cades.example.org');
    await page.locator('#primary').fill('#005a7d');
    await page.locator('#territoryLabel').fill('Pays de Redon');
    await page.locator('input[name="add_territoryEpci"]').fill('Redon Agglomération');
    await step(page, '6-site-partenaire', { fullPage: true });
    await page.getByRole('button', { name: /Enregistrer|Ajouter le site/ }).last().click();
    await page.waitForURL(/\/partenaires\/cades-site$/);
    assert.match(await page.locator('#snippet').inputValue(), /data-partner="cades-site"/);
    await page.goto(`${h.base}/territoires/pays-de-redon`);
    assert.match(await page.locator('main').innerText(), /Site du CADES/);
  });

  it('7-8. invites its coordinator, who sees the territory’s statistics only', async () => {
    await page.goto(`${h.base}/comptes`);
    await page.getByLabel('Adresse e-mail').fill('coordination@cades.example.org');
    await page.getByLabel('Coordination (règles').check();
    await page.getByLabel('Territoire (pour la coordination)').selectOption('pays-de-redon');
    await page.getByRole('button', { name: 'Créer l’invitation' }).click();
    const link = (await page.locator('#lien-invitation').innerText()).trim();
    await step(page, '7-inviter-coordination');
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.goto(link.replace(/^https?:\/\/[^/]+/, h.base));
    await page.getByLabel('Votre nom').fill('Coordination du Pays de Redon');
    await page.getByLabel('Mot de passe', { exact: true }).fill('une phrase de passe pour Redon');
    await page.getByLabel('Mot de passe, une seconde fois').fill('une phrase de passe pour Redon');
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await page.goto(`${h.base}/statistiques`);
    const text = await page.locator('main').innerText();
    assert.match(text, /Pays de Redon/);
    assert.doesNotMatch(text, /Sèvre et Loire|Clisson/);
    await step(page, '8-statistiques');
  });

  it('the Redon demo page (a partner’s site with the widget) has no axe violation', async () => {
    await page.goto(pathToFileURL(join(ROOT, 'web-widget', 'demo', 'pays-de-redon.html')).href);
    for (const width of [375, 1366]) {
      await page.setViewportSize({ width, height: 900 });
      assert.deepEqual(await axeViolations(page), [], `démo Redon à ${width} px`);
    }
  });
});
