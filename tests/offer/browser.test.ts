// The published offer in headless Chromium, on the real bot server with the real directory and
// rules: axe at 1366 px and 375 px, the filters with JavaScript off, the page's own CSP (its
// inline stylesheet applies, nothing is refused), print, and the widget's « Voir toutes les
// structures » link. OFFER_SCREENSHOTS=1 also writes docs/screenshots/offre-*.png.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchBrowser } from '../web/browser.js';
import { startServer, type Harness } from '../web/server.js';
import { realOffer } from './helpers.js';

const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = process.env.OFFER_SCREENSHOTS === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : undefined;
const SIZES = [
  { name: '1366', viewport: { width: 1366, height: 768 } },
  { name: '375', viewport: { width: 375, height: 740 } },
] as const;

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(viewport: { width: number; height: number }, options: { javaScriptEnabled?: boolean; bypassCSP?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport, ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

async function axe(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown }[] }[] }> } };
    const result = await w.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} → ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

const cardNames = (page: Page) => page.locator('.card h4').allTextContents();

(noBrowser ? describe.skip : describe)('the published offer in Chromium', () => {
  beforeAll(async () => {
    h = await startServer({ bot: 'echo', offer: await realOffer() });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  for (const size of SIZES) {
    it(`${size.name} px: /offre/vignoble-nantais and /offre have no axe violation, nothing wider than the screen`, async () => {
      // axe is injected as an inline script, which the page's CSP rightly refuses: bypassed here only.
      const page = await newPage(size.viewport, { bypassCSP: true });
      for (const path of ['/offre/vignoble-nantais', '/offre/vignoble-nantais?stade=creation&secteur=habitat', '/offre', '/offre/pays-inconnu']) {
        await page.goto(`${h.base}${path}`);
        assert.deepEqual(await axe(page), [], `axe sur ${path} à ${size.name} px`);
        // Only the état des lieux table may scroll sideways, inside its own focusable region.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${path} : la page déborde de ${overflow} px à ${size.name} px`);
      }
      if (SHOTS) {
        mkdirSync(SHOTS, { recursive: true });
        await page.goto(`${h.base}/offre/vignoble-nantais`);
        await page.screenshot({ path: `${SHOTS}offre-vignoble-nantais-${size.name}.png`, fullPage: true });
        await page.locator('section[aria-labelledby="etat-des-lieux"]').screenshot({ path: `${SHOTS}offre-etat-des-lieux-${size.name}.png` });
      }
    });
  }

  it('the filters work without JavaScript: a GET form and plain links', async () => {
    const page = await newPage({ width: 1366, height: 768 }, { javaScriptEnabled: false });
    await page.goto(`${h.base}/offre/vignoble-nantais`);
    const all = await cardNames(page);
    assert.ok(all.some((n) => n.startsWith('Chambre d’agriculture')), all.join(' | '));
    await page.getByLabel('Stade du projet', { exact: true }).selectOption('developpement');
    await page.getByLabel('Secteur d’activité', { exact: true }).selectOption('alimentation');
    await page.getByRole('button', { name: 'Afficher les structures' }).click();
    await page.waitForURL(/stade=developpement&secteur=alimentation/);
    const filtered = await cardNames(page);
    assert.ok(filtered.length > 0 && filtered.length < all.length, `${filtered.length} sur ${all.length}`);
    // The Chambre d'agriculture welcomes installations (idée, création), not development.
    assert.ok(!filtered.some((n) => n.startsWith('Chambre d’agriculture')), filtered.join(' | '));
    assert.ok(filtered.some((n) => n.startsWith('DLA')), filtered.join(' | '));
    assert.equal(await page.getByLabel('Stade du projet', { exact: true }).inputValue(), 'developpement');
    assert.match((await page.locator('.count').textContent()) ?? '', /structures? sur \d+ pour un projet au stade « Développement d’une structure existante » dans le secteur « Alimentation/);
    // A column heading of the état des lieux is a plain link to that sector's structures.
    await page.locator('table.state thead').getByRole('link', { name: 'Habitat' }).click();
    await page.waitForURL(/secteur=habitat/);
    const habitat = await cardNames(page);
    assert.ok(!habitat.some((n) => n.startsWith('Chambre d’agriculture')), habitat.join(' | '));
    await page.getByRole('link', { name: 'Voir toutes les structures' }).click();
    assert.equal((await cardNames(page)).length, all.length);
  });

  it('its own CSP: the inline stylesheet applies and nothing is refused; printed without the form', async () => {
    const page = await newPage({ width: 1366, height: 768 });
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    await page.goto(`${h.base}/offre/vignoble-nantais`);
    const header = await page.locator('header.site').evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(header, 'rgb(31, 78, 121)', 'la feuille de style en ligne est appliquée');
    assert.deepEqual(refused, []);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('form.filters').isVisible(), false, 'pas de formulaire à l’impression');
    assert.equal(await page.locator('table.state').isVisible(), true);
  });

  it('the widget offers « Voir toutes les structures »: its territory’s offer, in a new tab', async () => {
    const page = await newPage({ width: 1366, height: 768 });
    await page.goto(`${h.base}/demo`);
    await page.locator('aiguillage-chat .launcher').click();
    const link = page.locator('aiguillage-chat .legal a.offer');
    await link.waitFor();
    assert.equal(await link.getAttribute('href'), `${h.base}/offre?partenaire=demo`);
    assert.equal(await link.getAttribute('target'), '_blank');
    // Reachable with Tab inside the dialog (the focus trap includes it).
    let reached = false;
    for (let i = 0; i < 12 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.querySelector('aiguillage-chat')?.shadowRoot?.activeElement?.classList.contains('offer') ?? false);
    }
    assert.ok(reached, 'le lien est atteignable au clavier');
    const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await tab.waitForLoadState();
    assert.equal(new URL(tab.url()).pathname, '/offre/vignoble-nantais');
    assert.match(await tab.locator('h1').textContent() ?? '', /Pays du Vignoble Nantais/);
  });
});
