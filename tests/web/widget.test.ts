// The widget in headless Chromium, against the real server (and the real bot when it loads):
// qualification by clicks and typing, keyboard only, axe, continuity across pages, refused
// origin, hostile page CSS, network loss, no storage before opening, loading twice.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumPath, launchBrowser } from './browser.js';
import { startServer, type Harness } from './server.js';

const W = 'aiguillage-chat';
const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

// Says everything the rules turn on: the summary and the proposal come at once.
const ONE_SENTENCE = 'Bonjour, avec deux amies on veut créer une association de recyclerie à Vallet, pas en coopérative, on cherche un local pour stocker';
const ORIENTATION = /Voici qui peut vous accompagner/;
const DECLINE = 'Non merci';
const END = /je ne transmets rien/;

let h: Harness;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => process.stderr.write(`[page] ${error.message}\n`));
  return page;
}

async function openWidget(page: Page): Promise<void> {
  await page.locator(`${W} .launcher`).click();
  await page.locator(`${W} .msg.bot`).first().waitFor();
}

function botSaid(page: Page, text: RegExp | string) {
  return page.locator(`${W} .msg.bot`, { hasText: text }).last().waitFor();
}

function choice(page: Page, label: string) {
  return page.locator(`${W} .choices`).getByRole('button', { name: label, exact: true });
}

async function type(page: Page, text: string): Promise<void> {
  await page.locator(`${W} input`).fill(text);
  await page.keyboard.press('Enter');
}

/** What has the focus: inside the widget's shadow root, or elsewhere on the page. */
function focused(page: Page): Promise<{ inWidget: boolean; text: string; cls: string; tag: string }> {
  return page.evaluate((tag) => {
    const host = document.querySelector(tag);
    const inner = host?.shadowRoot?.activeElement as HTMLElement | null | undefined;
    return {
      inWidget: document.activeElement === host && !!inner,
      text: inner?.textContent?.trim() ?? '',
      cls: inner?.className ?? '',
      tag: inner?.tagName ?? document.activeElement?.tagName ?? '',
    };
  }, W);
}

/** Keyboard only: Shift+Tab from the input until the button with this label has the focus. */
async function pressChoice(page: Page, label: string): Promise<void> {
  await choice(page, label).waitFor();
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Shift+Tab');
    const f = await focused(page);
    assert.ok(f.inWidget, 'la tabulation ne sort pas du widget');
    if (f.tag === 'BUTTON' && f.text === label) {
      await page.keyboard.press('Enter');
      return;
    }
  }
  assert.fail(`bouton « ${label} » inaccessible au clavier`);
}

async function userBubbles(page: Page): Promise<string[]> {
  return page.locator(`${W} .msg.user`).evaluateAll((els) =>
    els.map((e) =>
      Array.from(e.childNodes)
        .filter((n) => !(n instanceof HTMLElement && (n.classList.contains('sr') || n.tagName === 'SMALL')))
        .map((n) => n.textContent)
        .join('')
        .trim(),
    ),
  );
}

(noBrowser ? describe.skip : describe)('widget in Chromium', () => {
  beforeAll(async () => {
    h = await startServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  it('no cookie or storage before opening; qualification by typing and clicks; continues on a second page', async () => {
    const page = await newPage();
    await page.goto(`${h.base}/demo`);
    await page.locator(`${W} .launcher`).waitFor();
    // Loading the script a second time adds nothing.
    await page.addScriptTag({ url: '/widget.js' }).catch(() => undefined);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.src = '/widget.js';
      s.dataset.partner = 'demo';
      document.body.appendChild(s);
    });
    await page.waitForTimeout(200);
    assert.equal(await page.locator(W).count(), 1);
    const before = await page.evaluate(() => ({ cookie: document.cookie, session: sessionStorage.length, local: localStorage.length }));
    assert.deepEqual(before, { cookie: '', session: 0, local: 0 });

    await openWidget(page);
    const dialog = page.getByRole('dialog');
    assert.equal(await dialog.getAttribute('aria-modal'), 'true');
    assert.match((await dialog.getAttribute('aria-label')) ?? '', /Discussion Aiguillage avec le Pays du Vignoble Nantais/);
    assert.equal((await focused(page)).tag, 'INPUT', 'the input has the focus once open');
    if (h.bot === 'real') await botSaid(page, /Bonjour et bienvenue sur Aiguillage, avec le Pays du Vignoble Nantais/);
    // Records whether the typing indicator shows while the bot works.
    await page.evaluate((tag) => {
      const log = document.querySelector(tag)!.shadowRoot!.querySelector('.log')!;
      new MutationObserver(() => {
        if (log.querySelector('.typing')) (window as unknown as { typingSeen: boolean }).typingSeen = true;
      }).observe(log, { childList: true });
    }, W);

    const sent: string[] = [];
    if (h.bot === 'real') {
      await type(page, ONE_SENTENCE);
      sent.push(ONE_SENTENCE);
      await botSaid(page, /Vallet/);
      await botSaid(page, ORIENTATION);
      await choice(page, DECLINE).click();
      sent.push(DECLINE);
      await botSaid(page, END);
    } else {
      await type(page, 'Bonjour <b>gras</b>');
      sent.push('Bonjour <b>gras</b>');
      await botSaid(page, 'Écho : Bonjour <b>gras</b>');
      await choice(page, 'Oui').click();
      sent.push('Oui');
      await botSaid(page, 'Écho : Oui');
    }
    assert.equal(await page.evaluate(() => (window as unknown as { typingSeen?: boolean }).typingSeen), true);
    // Text stays text: nothing the bot or the visitor sends becomes markup.
    assert.equal(await page.locator(`${W} .log b`).count(), 0);
    assert.deepEqual(await userBubbles(page), sent);
    const stored = await page.evaluate(() => Object.keys(sessionStorage));
    assert.deepEqual(stored, ['aiguillage:demo']);
    assert.equal(await page.evaluate(() => document.cookie), '');

    // Another page of the site: same conversation, history reloaded, and it goes on.
    const countBefore = await page.locator(`${W} .msg`).count();
    await page.goto(`${h.base}/demo/page2`);
    await page.getByRole('dialog').waitFor();
    await page.waitForFunction(
      ([tag, n]) => document.querySelector(tag as string)!.shadowRoot!.querySelectorAll('.msg').length >= (n as number),
      [W, countBefore] as const,
    );
    assert.deepEqual(await userBubbles(page), sent);
    assert.equal(await page.locator(`${W} .msg`).count(), countBefore);
    const botCount = await page.locator(`${W} .msg.bot`).count();
    await type(page, 'aide');
    await page.waitForFunction(
      ([tag, n]) => document.querySelector(tag as string)!.shadowRoot!.querySelectorAll('.msg.bot').length > (n as number),
      [W, botCount] as const,
    );
    assert.deepEqual(await userBubbles(page), [...sent, 'aide']);
  });

  it('works with the keyboard only: launcher, answers, buttons, focus trap, Escape', async () => {
    const page = await newPage();
    await page.goto(`${h.base}/demo`);
    await page.locator(`${W} .launcher`).waitFor();
    let reached = false;
    for (let i = 0; i < 30 && !reached; i += 1) {
      await page.keyboard.press('Tab');
      reached = (await focused(page)).cls.includes('launcher');
    }
    assert.ok(reached, 'the launcher is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.locator(`${W} .msg.bot`).first().waitFor();
    assert.equal((await focused(page)).tag, 'INPUT');

    if (h.bot === 'real') {
      await page.keyboard.type('je veux faire un projet');
      await page.keyboard.press('Enter');
      await botSaid(page, /commune/);
      await page.keyboard.type('Clisson');
      await page.keyboard.press('Enter');
      await pressChoice(page, 'C’est une idée');
      // The next questions depend on the rules (only those that change the orientation are
      // asked): « je ne sais pas » answers each of them, typed, until the proposal.
      const bot = page.locator(`${W} .msg.bot`);
      for (let i = 0; i < 8 && (await bot.filter({ hasText: ORIENTATION }).count()) === 0; i += 1) {
        const count = await bot.count();
        await page.keyboard.type('je ne sais pas');
        await page.keyboard.press('Enter');
        await page.waitForFunction(
          ([tag, n]) => (document.querySelector(tag as string)?.shadowRoot?.querySelectorAll('.msg.bot').length ?? 0) > (n as number),
          [W, count] as const,
        );
        await page.waitForTimeout(150);
      }
      await botSaid(page, /Clisson/);
      await botSaid(page, ORIENTATION);
      await pressChoice(page, DECLINE);
      await botSaid(page, END);
    } else {
      await page.keyboard.type('bonjour');
      await page.keyboard.press('Enter');
      await botSaid(page, 'Écho : bonjour');
      await pressChoice(page, 'Oui');
      await botSaid(page, 'Écho : Oui');
    }

    // Tab cycles inside the open dialog.
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      assert.ok((await focused(page)).inWidget, 'focus stays in the dialog');
    }
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('dialog').count(), 0);
    const f = await focused(page);
    assert.ok(f.cls.includes('launcher'), 'focus returns to the launcher');
    assert.equal(await page.locator(`${W} .launcher`).getAttribute('aria-expanded'), 'false');
  });

  it('axe-core finds no violation in the widget, closed and open', async () => {
    const page = await newPage();
    await page.goto(`${h.base}/demo`);
    await page.locator(`${W} .launcher`).waitFor();
    await page.waitForFunction(() => 'customElements' in window);
    await page.addScriptTag({ content: axeSource });
    const audit = () =>
      page.evaluate(async (tag) => {
        const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown }[] }[] }> } }).axe;
        const result = await axe.run({ include: [[tag]] }, { resultTypes: ['violations'] });
        return result.violations.map((v) => `${v.id}: ${v.help} → ${JSON.stringify(v.nodes.map((n) => n.target))}`);
      }, W);
    assert.deepEqual(await audit(), [], 'fermé');
    await openWidget(page);
    await type(page, h.bot === 'real' ? 'je veux faire un projet' : 'bonjour');
    if (h.bot === 'real') await botSaid(page, /commune/);
    else await choice(page, 'Oui').waitFor();
    await type(page, h.bot === 'real' ? 'Clisson' : 'encore');
    await page.locator(`${W} .choices button`).first().waitFor();
    assert.deepEqual(await audit(), [], 'ouvert');
  });

  it('hostile page CSS changes nothing in the widget', async () => {
    const page = await newPage();
    await page.goto(`${h.base}/demo`);
    await openWidget(page);
    const measure = () =>
      // No named function inside: tsx would wrap it with a helper the page does not have.
      page.evaluate(
        ([tag, selectors]) =>
          selectors.map((s) => {
            const el = document.querySelector(tag)!.shadowRoot!.querySelector(s) as HTMLElement;
            const r = el.getBoundingClientRect();
            const cs = getComputedStyle(el);
            return [s, Math.round(r.x), Math.round(r.y), Math.round(r.width), Math.round(r.height), cs.fontSize, cs.color, cs.display, cs.fontFamily].join(' ');
          }),
        [W, ['.panel', '.head', 'h2', '.log', '.msg.bot', 'input', 'form button', '.close']] as const,
      );
    const clean = await measure();
    await page.addStyleTag({
      content: `
        body * { all: unset !important; display: none !important; font-size: 40px !important; line-height: 5 !important; }
        html, body { font-size: 40px !important; line-height: 5 !important; color: red !important; font-family: "Comic Sans MS", cursive !important; letter-spacing: 3px !important; }
        aiguillage-chat { display: none !important; visibility: hidden !important; transform: scale(.5) !important; position: absolute !important; opacity: 0 !important; }
        button, input, div, h2 { all: unset !important; color: lime !important; }`,
    });
    assert.equal(await page.locator('main').isVisible(), false, 'the hostile sheet is in force on the page');
    assert.deepEqual(await measure(), clean);
    assert.ok(await page.locator(`${W} input`).isVisible());
    await type(page, 'toujours là');
    await page.locator(`${W} .msg.user`, { hasText: 'toujours là' }).waitFor();
  });

  it('network loss: French message, nothing lost, sent once back online', async () => {
    const page = await newPage();
    await page.goto(`${h.base}/demo`);
    await openWidget(page);
    await page.context().setOffline(true);
    await type(page, 'message hors ligne');
    await page.locator(`${W} .status`, { hasText: 'Connexion perdue, nouvel essai…' }).waitFor();
    await page.locator(`${W} .msg.user`, { hasText: 'pas encore envoyé' }).waitFor();
    await page.locator(`${W} input`).fill('brouillon pas encore envoyé');
    await page.context().setOffline(false);
    await page.waitForFunction((tag) => {
      const root = document.querySelector(tag)!.shadowRoot!;
      return root.querySelector('.status')!.textContent === '' && !root.querySelector('.msg.user small');
    }, W);
    assert.equal(await page.locator(`${W} input`).inputValue(), 'brouillon pas encore envoyé');
    const saved = await page.evaluate(() => JSON.parse(sessionStorage.getItem('aiguillage:demo') ?? '{}') as { draft: string; outbox: unknown[] });
    assert.equal(saved.draft, 'brouillon pas encore envoyé');
    assert.deepEqual(saved.outbox, []);
    assert.deepEqual(await userBubbles(page), ['message hors ligne']);
  });

  it('phone: the open widget fills the screen', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${h.base}/demo`);
    await openWidget(page);
    const box = await page.locator(`${W} .panel`).boundingBox();
    assert.deepEqual(box, { x: 0, y: 0, width: 390, height: 844 });
  });

  it('a page whose origin is not allowed is refused, in French, without CORS allowance', async () => {
    const foreign = await serveForeignPage(h.base);
    try {
      const page = await newPage();
      const refused: { url: string; allow: string | null }[] = [];
      page.on('response', (r) => {
        if (r.url().includes('/v3/directline/conversations')) refused.push({ url: r.url(), allow: r.headers()['access-control-allow-origin'] ?? null });
      });
      await page.goto(foreign.url);
      await page.locator(`${W} .launcher`).click();
      await page.locator(`${W} .status`, { hasText: 'n’est pas activé sur ce site' }).waitFor();
      assert.equal(await page.locator(`${W} input`).isDisabled(), true);
      // Even a direct attempt from that page gets no conversation.
      const direct = await page.evaluate(async (base) => {
        try {
          const r = await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"partner":"demo"}' });
          return `status ${r.status}`;
        } catch {
          return 'refusé par le navigateur';
        }
      }, h.base);
      assert.equal(direct, 'refusé par le navigateur');
      assert.ok(refused.every((r) => r.allow === null), JSON.stringify(refused));
      const server = await fetch(`${h.base}/v3/directline/conversations`, {
        method: 'POST',
        headers: { origin: foreign.origin, 'content-type': 'application/json' },
        body: '{"partner":"demo"}',
      });
      assert.equal(server.status, 403);
      assert.equal(server.headers.get('access-control-allow-origin'), null);
    } finally {
      foreign.server.close();
    }
  });
});

/** A page on another loopback address (another origin) embedding the widget as partner "demo". */
async function serveForeignPage(base: string): Promise<{ server: HttpServer; url: string; origin: string }> {
  const html = `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Site non autorisé</title></head>
<body><h1>Un site qui n’est pas partenaire</h1><script src="${base}/widget.js" data-partner="demo" async></script></body></html>`;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const origin = `http://127.0.0.2:${(server.address() as AddressInfo).port}`;
  return { server, url: `${origin}/`, origin };
}
