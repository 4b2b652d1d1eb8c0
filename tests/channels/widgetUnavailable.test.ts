// The widget when the service answers 503 (its database restarting): the holder reads the
// French « réessayez » sentence, the message stays queued, and goes once the service is back.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchBrowser } from '../web/browser.js';
import { startServer, type Harness } from '../web/server.js';

const W = 'aiguillage-chat';
const UNAVAILABLE = 'Le service est momentanément indisponible, réessayez dans quelques secondes.';
const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';

describe('widget: service momentarily unavailable (503)', () => {
  let h: Harness;
  let browser: Browser;
  beforeAll(async () => {
    if (noBrowser) return;
    h = await startServer({ bot: 'echo' });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  (noBrowser ? it.skip : it)('shows the French sentence, keeps the message, sends it once the service answers again', async () => {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${h.base}/demo`);
    await page.locator(`${W} .launcher`).click();
    await page.locator(`${W} .msg.bot`).first().waitFor();

    let refused = 0;
    await page.route('**/v3/directline/conversations/*/activities*', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      refused += 1;
      await route.fulfill({ status: 503, headers: { 'Retry-After': '1', 'Content-Type': 'application/json' }, body: JSON.stringify({ code: 'ServiceUnavailable', message: UNAVAILABLE }) });
    });
    await page.locator(`${W} input`).fill('pendant la panne');
    await page.keyboard.press('Enter');
    await page.locator(`${W} .status`, { hasText: UNAVAILABLE }).waitFor();
    await page.locator(`${W} .msg.user`, { hasText: 'pas encore envoyé' }).waitFor();
    await page.unroute('**/v3/directline/conversations/*/activities*');

    await page.locator(`${W} .msg.bot`, { hasText: 'pendant la panne' }).waitFor();
    await page.waitForFunction((tag) => document.querySelector(tag)!.shadowRoot!.querySelector('.status')!.textContent === '', W);
    assert.ok(refused >= 1);
    const users = await page.locator(`${W} .msg.user`).allTextContents();
    assert.equal(users.filter((t) => t.includes('pendant la panne')).length, 1, 'sent once, shown once');
  });
});
