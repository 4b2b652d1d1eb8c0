// The widget shows the question (issue 11 §5), in headless Chromium at a laptop's 1366×768 and a
// phone's 375×740: the last bot message stays entirely in view above its answer buttons, several
// needs are picked then validated in one message, the dossier number is one emphasised unit.
// Against the real bot; the multi-select contract also against a bot of the test's own that
// emits it, so the widget side is proven whatever the conversation asks.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MessageFactory, type TurnContext } from 'botbuilder';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { REFERENCE_PATTERN } from '../../src/domain/referral.js';
import { REFERENCE_IN_TEXT } from '../../web-widget/src/richText.js';
import { readMultiSelect } from '../../web-widget/src/choices.js';
import { chromiumPath, launchBrowser } from './browser.js';
import { startServer, type Harness } from './server.js';

const W = 'aiguillage-chat';
const noBrowser = chromiumPath() ? false : 'chromium absent (scripts/install-system-deps.sh)';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
/** WIDGET_SCREENSHOTS=1 also writes docs/screenshots/widget-*.png (to look at, and for the README). */
const SHOTS = process.env.WIDGET_SCREENSHOTS === '1' ? new URL('../../docs/screenshots/', import.meta.url).pathname : undefined;

export const SIZES = {
  desktop: { width: 1366, height: 768 },
  phone: { width: 375, height: 740 },
} as const;
type Size = keyof typeof SIZES;

const NEEDS = [
  'Financement',
  'Statut juridique',
  'Gouvernance',
  'Modèle économique',
  'Local, lieu',
  'Recrutement, emploi',
  'Partenaires, réseau',
  'Formation',
];
const NO_NEED = 'Aucun besoin particulier';
const REFERENCE = 'AIG-7K3M-Q2';

/** A bot that speaks the multi-select contract: a long message then the needs question, and a
 * confirmation with a dossier number (and markup that must stay text). */
async function contractBot(context: TurnContext): Promise<void> {
  const { activity } = context;
  if (activity.type === 'conversationUpdate') {
    if ((activity.membersAdded ?? []).some((m) => m.id !== activity.recipient?.id)) await context.sendActivity('Bonjour, je suis le bot du test.');
    return;
  }
  if (activity.type !== 'message') return;
  const text = activity.text ?? '';
  if (/besoin/i.test(text)) {
    await context.sendActivity(
      'C’est noté : Lieu : Clisson\nStade : une idée\nDomaine : Alimentation, circuits courts, agriculture\nForme : en groupe, en association.\n' +
        'Un porteur de projet sur trois cherche d’abord un financement ; beaucoup cherchent aussi un lieu, des partenaires ou une formation pour se lancer.',
    );
    const question = MessageFactory.suggestedActions([...NEEDS, NO_NEED], 'De quoi avez-vous besoin en priorité ? Vous pouvez en citer plusieurs.');
    question.channelData = { aiguillage: { multiSelect: { submit: 'Valider', exclusive: [NO_NEED] } } };
    await context.sendActivity(question);
    return;
  }
  if (text === 'fin du test') {
    await context.sendActivity(
      `C’est fait ! Votre demande est transmise à la Communauté de communes Clisson Sèvre et Maine Agglo et aux Ecossolies.\nVotre numéro de dossier : ${REFERENCE}\nOn vous recontactera sous 5 jours. <b>gras</b>`,
    );
    return;
  }
  await context.sendActivity(MessageFactory.suggestedActions(['Oui', 'Non'], `Reçu : « ${text} »`));
}

let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(size: Size): Promise<Page> {
  const context = await browser.newContext({ viewport: SIZES[size] });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('pageerror', (error) => process.stderr.write(`[page] ${error.message}\n`));
  return page;
}

async function open(page: Page, h: Harness): Promise<void> {
  await page.goto(`${h.base}/demo`);
  await page.locator(`${W} .launcher`).click();
  await page.locator(`${W} .msg.bot`).first().waitFor();
}

function botCount(page: Page): Promise<number> {
  return page.locator(`${W} .msg.bot`).count();
}

/** Sends with the keyboard (or by the caller's click), then waits for the bot's whole answer:
 * a new bot message, no typing indicator, nothing new for a moment (the widget polls). */
async function settle(page: Page, before: number): Promise<void> {
  await page.waitForFunction(
    ([tag, n]) => {
      const root = document.querySelector(tag as string)!.shadowRoot!;
      return root.querySelectorAll('.msg.bot').length > (n as number) && !root.querySelector('.typing');
    },
    [W, before] as const,
  );
  for (let stable = 0, last = -1; stable < 3; ) {
    await page.waitForTimeout(250);
    const now = await botCount(page);
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
}

async function say(page: Page, text: string): Promise<void> {
  const before = await botCount(page);
  await page.locator(`${W} input`).fill(text);
  await page.keyboard.press('Enter');
  await settle(page, before);
}

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}
interface Layout {
  viewport: { width: number; height: number };
  panel: Box;
  log: Box;
  question: Box;
  choices: Box | undefined;
  options: Box[];
  /** Several answers: the row with « Valider » and the options that send at once. */
  actions: Box | undefined;
}

/** Where the panel, transcript, last bot message and buttons are on screen. */
function layout(page: Page): Promise<Layout> {
  // No named function inside: tsx would wrap it with a helper the page does not have.
  return page.evaluate((tag) => {
    const root = document.querySelector(tag)!.shadowRoot!;
    const bots = root.querySelectorAll('.msg.bot');
    const choices = root.querySelector('.choices')!;
    const shown = choices.childElementCount > 0;
    const [panel, log, question, area, ...options] = [root.querySelector('.panel')!, root.querySelector('.log')!, bots[bots.length - 1]!, choices, ...Array.from(root.querySelectorAll('.choices button'))].map((el) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    });
    const actions = root.querySelector('.choices .actions')?.getBoundingClientRect();
    return {
      viewport: { width: innerWidth, height: innerHeight },
      panel: panel!,
      log: log!,
      question: question!,
      choices: shown ? area : undefined,
      options,
      actions: actions ? { top: actions.top, bottom: actions.bottom, left: actions.left, right: actions.right } : undefined,
    };
  }, W);
}

/** The question is whole and above its buttons, in a panel that is on screen. */
/** The widget's margin around a message it scrolls to (GAP in web-widget/src/view.ts). */
const GAP = 12;
/** Bot messages too tall to be shown whole above their buttons: said at the end of the run. */
const tooTall = new Set<string>();

function assertQuestionVisible(l: Layout, where: string): void {
  const eps = 0.5;
  const { panel, log, question, viewport } = l;
  assert.ok(panel.top >= -eps && panel.left >= -eps && panel.bottom <= viewport.height + eps && panel.right <= viewport.width + eps, `${where} : panneau hors de l’écran ${JSON.stringify(l)}`);
  assert.ok(question.bottom <= log.bottom + eps, `${where} : la fin de la question est cachée ${JSON.stringify(l)}`);
  if (question.bottom - question.top > log.bottom - log.top - 2 * GAP + 1) {
    // Taller than the transcript even with the buttons' area at its smallest: its end (where
    // the question is) at the bottom, the rest above it, read by scrolling up.
    assert.ok(question.bottom >= log.bottom - GAP - 2 && question.top < log.top, `${where} : message trop long mal placé ${JSON.stringify(l)}`);
    tooTall.add(`${where} (${Math.round(question.bottom - question.top)} px pour ${Math.round(log.bottom - log.top)} px)`);
  } else {
    assert.ok(question.top >= log.top - eps, `${where} : le haut de la question est caché ${JSON.stringify(l)}`);
  }
  if (l.choices) {
    assert.ok(question.bottom <= l.choices.top + eps, `${where} : les boutons couvrent la question ${JSON.stringify(l)}`);
    assert.ok(l.choices.bottom <= panel.bottom + eps, `${where} : boutons hors du panneau`);
    // The first buttons at least are on screen (the rest scroll within their own area).
    if (l.actions) assert.ok(l.actions.top >= l.choices.top - eps && l.actions.bottom <= l.choices.bottom + eps, `${where} : « Valider » caché ${JSON.stringify(l)}`);
    const first = l.options[0]!;
    assert.ok(first.top >= l.choices.top - eps && first.bottom <= l.choices.bottom + eps, `${where} : premier bouton caché ${JSON.stringify(l)}`);
  }
}

function audit(page: Page): Promise<string[]> {
  return page.evaluate(async (tag) => {
    const w = window as unknown as { axe?: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; help: string; nodes: { target: unknown }[] }[] }> } };
    if (!w.axe) throw new Error('axe absent');
    const result = await w.axe.run({ include: [[tag]] }, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} → ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  }, W);
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.mouse.move(0, 0); // no hover state in the picture
  await page.screenshot({ path: `${SHOTS}widget-${name}.png` });
}

function userTexts(page: Page): Promise<string[]> {
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

(noBrowser ? describe.skip : describe)('the widget shows the question (multi-select contract, bot of the test)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ logic: contractBot });
    browser ??= await launchBrowser();
  });
  afterAll(async () => {
    await h?.close();
  });

  for (const size of Object.keys(SIZES) as Size[]) {
    it(`${size}: the question above its buttons; needs toggled then validated as one message; keyboard; axe`, async () => {
      const page = await newPage(size);
      await open(page, h);
      const panel = await page.locator(`${W} .panel`).boundingBox();
      if (size === 'desktop') assert.deepEqual({ width: panel!.width, height: panel!.height }, { width: 400, height: 640 }, 'panneau de 640 px de haut');
      else assert.deepEqual(panel, { x: 0, y: 0, width: 375, height: 740 }, 'plein écran sur téléphone');

      await say(page, 'mes besoins');
      assertQuestionVisible(await layout(page), `${size}, question à choix multiple`);
      const options = page.locator(`${W} .choices .toggle`);
      assert.deepEqual(await options.allTextContents(), NEEDS);
      assert.deepEqual(await options.evaluateAll((els) => els.map((e) => e.getAttribute('aria-pressed'))), NEEDS.map(() => 'false'));
      const submit = page.locator(`${W} .choices .submit`);
      assert.equal(await submit.isDisabled(), true, 'Valider est désactivé tant que rien n’est choisi');
      await shot(page, `${size}-question`);
      // A smaller window (or a phone's keyboard): the panel stays inside, the question in view.
      await page.setViewportSize({ width: SIZES[size].width, height: 520 });
      await page.waitForTimeout(100);
      assertQuestionVisible(await layout(page), `${size}, fenêtre de 520 px`);
      await page.setViewportSize(SIZES[size]);
      await page.waitForTimeout(100);

      // Picked out of order, one of them by keyboard (Space on a focused toggle), one unpicked.
      await page.locator(`${W} .choices .toggle`, { hasText: 'Local, lieu' }).click();
      await page.locator(`${W} .choices .toggle`, { hasText: 'Formation' }).click();
      await page.locator(`${W} .choices .toggle`, { hasText: 'Formation' }).click();
      await page.locator(`${W} .choices .toggle`, { hasText: 'Financement' }).focus();
      await page.keyboard.press('Space');
      await page.locator(`${W} .choices .toggle`, { hasText: 'Recrutement, emploi' }).click();
      assert.deepEqual(
        await options.evaluateAll((els) => els.filter((e) => e.getAttribute('aria-pressed') === 'true').map((e) => e.textContent)),
        ['Financement', 'Local, lieu', 'Recrutement, emploi'],
      );
      // The checked state shows: filled button, not the unchecked look.
      const look = await options.evaluateAll((els) => els.slice(0, 2).map((e) => getComputedStyle(e).backgroundColor));
      assert.notEqual(look[0], look[1], 'un bouton choisi se voit');
      assert.equal(await submit.isDisabled(), false);
      assert.equal(await page.locator(`${W} .msg.user`).count(), 1, 'rien n’est envoyé avant « Valider »');
      assertQuestionVisible(await layout(page), `${size}, besoins choisis`);
      await page.addScriptTag({ content: axeSource });
      assert.deepEqual(await audit(page), [], 'axe, choix multiple en cours');
      await shot(page, `${size}-choix-multiple`);

      const before = await botCount(page);
      await submit.focus();
      await page.keyboard.press('Enter');
      await settle(page, before);
      // One message, titles in the order shown, joined by ", ".
      assert.deepEqual((await userTexts(page)).slice(-1), ['Financement, Local, lieu, Recrutement, emploi']);
      assert.equal(await page.locator(`${W} .msg.user`).count(), 2);
      await page.locator(`${W} .msg.bot`, { hasText: 'Reçu : « Financement, Local, lieu, Recrutement, emploi »' }).waitFor();
      // Single-choice buttons again: one click sends.
      assert.equal(await page.locator(`${W} .choices .toggle, ${W} .choices .submit`).count(), 0);
      assertQuestionVisible(await layout(page), `${size}, question simple`);
    });
  }

  it('an exclusive option sends at once; the reference is one bold, unbroken unit; markup stays text', async () => {
    const page = await newPage('phone');
    await open(page, h);
    await say(page, 'besoins');
    await page.locator(`${W} .choices .toggle`, { hasText: 'Gouvernance' }).click();
    const exclusive = page.locator(`${W} .choices button`, { hasText: NO_NEED });
    assert.equal(await exclusive.getAttribute('aria-pressed'), null, 'pas une case à cocher');
    const before = await botCount(page);
    await exclusive.click();
    await settle(page, before);
    assert.deepEqual((await userTexts(page)).slice(-1), [NO_NEED]);

    await say(page, 'fin du test');
    const last = page.locator(`${W} .msg.bot`).last();
    const refs = last.locator('strong');
    assert.deepEqual(await refs.allTextContents(), [REFERENCE], 'le numéro en gras, une fois : la balise <b> du message reste du texte');
    assert.equal(await last.locator('b').count(), 0);
    assert.match((await last.textContent()) ?? '', /<b>gras<\/b>/);
    assert.equal(await refs.evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap');
    // On one line whatever the width: its height is one line of the bubble's text.
    const lines = await refs.evaluate((e) => e.getClientRects().length);
    assert.equal(lines, 1);
    assertQuestionVisible(await layout(page), 'message final');
    await shot(page, 'phone-numero-de-dossier');
  });

  it('on another page of the site, the pending question comes back with its toggles, in view', async () => {
    const page = await newPage('desktop');
    await open(page, h);
    await say(page, 'besoins');
    await page.goto(`${h.base}/demo/page2`);
    await page.getByRole('dialog').waitFor();
    await page.locator(`${W} .choices .toggle`).first().waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.locator(`${W} .choices .toggle`).count(), NEEDS.length);
    assertQuestionVisible(await layout(page), 'historique rechargé');
  });

  it('reads the multiSelect contract defensively: anything malformed is a single choice', () => {
    assert.deepEqual(readMultiSelect({ aiguillage: { multiSelect: { submit: 'Valider', exclusive: ['Aucun', 3] } } }), { submit: 'Valider', exclusive: ['Aucun'] });
    assert.deepEqual(readMultiSelect({ aiguillage: { multiSelect: {} } }), { submit: 'Valider', exclusive: [] });
    for (const bad of [undefined, null, 'x', { aiguillage: null }, { aiguillage: { multiSelect: true } }, { multiSelect: {} }]) {
      assert.equal(readMultiSelect(bad), undefined, JSON.stringify(bad));
    }
  });

  it('the widget reads the dossier number with the referral service’s own pattern', () => {
    assert.equal(`^${REFERENCE_IN_TEXT.source}$`, REFERENCE_PATTERN.source);
    assert.ok(REFERENCE_IN_TEXT.global);
  });
});

(noBrowser ? describe.skip : describe)('the widget shows the question (real bot)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer({ bot: 'real', handOff: true });
    browser ??= await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await h?.close();
  });

  for (const size of Object.keys(SIZES) as Size[]) {
    it(`${size}: every question stays in view above its buttons, up to the dossier number`, async () => {
      const page = await newPage(size);
      await open(page, h);
      await page.addScriptTag({ content: axeSource });
      await say(page, 'Bonjour, je veux faire un projet');
      const seen = { multi: false, question: false, reference: false, asked: [] as string[] };
      for (let step = 0; step < 20 && !seen.reference; step += 1) {
        const last = page.locator(`${W} .msg.bot`).last();
        const question = ((await last.textContent()) ?? '').replace(/^Aiguillage : /, '');
        seen.asked.push(question.slice(0, 60));
        assert.doesNotMatch(question, /une erreur est survenue/, `le bot a échoué : ${seen.asked.join(' | ')}`);
        if (new RegExp(REFERENCE_IN_TEXT.source).test(question)) {
          seen.reference = true;
          const ref = last.locator('strong.ref');
          assert.equal(await ref.count(), 1);
          assert.equal(await ref.evaluate((e) => getComputedStyle(e).whiteSpace), 'nowrap');
          assert.equal(await ref.evaluate((e) => e.getClientRects().length), 1);
          assert.deepEqual(await audit(page), [], 'axe, numéro de dossier');
          await shot(page, `${size}-numero-de-dossier`);
          break;
        }
        if (/d’accord/.test(question)) {
          await shot(page, `${size}-consentement`);
          assert.deepEqual(await audit(page), [], 'axe, consentement (cases et actions)');
        }
        const l = await layout(page);
        assertQuestionVisible(l, `${size}, « ${question.slice(0, 50)} »`);
        const typed = answerTo(question);
        if (!l.choices || typed) {
          await say(page, typed ?? 'Je ne sais pas');
          continue;
        }
        const toggles = page.locator(`${W} .choices .toggle`);
        const labels = await page.locator(`${W} .choices button`).allTextContents();
        const before = await botCount(page);
        if (!seen.question) {
          seen.question = true;
          assert.deepEqual(await audit(page), [], 'axe, question à boutons');
          await shot(page, `${size}-question`);
        }
        if ((await toggles.count()) > 0 && /De quoi avez-vous besoin/.test(question)) {
          seen.multi = true;
          await toggles.nth(0).click();
          await toggles.nth(Math.min(4, (await toggles.count()) - 1)).click();
          const chosen = await toggles.evaluateAll((els) => els.filter((e) => e.getAttribute('aria-pressed') === 'true').map((e) => e.textContent ?? ''));
          assert.deepEqual(await audit(page), [], 'axe, choix multiple du vrai bot');
          await shot(page, `${size}-besoins`);
          await page.locator(`${W} .choices .submit`).click();
          await settle(page, before);
          assert.deepEqual((await userTexts(page)).slice(-1), [chosen.join(', ')]);
          // The bot acknowledges each need picked.
          const reply = (await page.locator(`${W} .msg.bot`).allTextContents()).slice(before).join('\n');
          for (const need of chosen) assert.ok(reply.toLowerCase().includes(need.toLowerCase()), `le bot reprend « ${need} » : ${reply}`);
          continue;
        }
        const plain = preferred(labels, await toggles.allTextContents());
        if (process.env.DEBUG_WIDGET) process.stderr.write(`[${size}] ${question.slice(0, 50)} → ${JSON.stringify(labels)} → ${plain}\n`);
        if (plain) {
          await page.locator(`${W} .choices button`, { hasText: plain }).first().click();
        } else {
          // Only toggles (say, the structures to keep): keep them all.
          for (let i = 0; i < (await toggles.count()); i += 1) await toggles.nth(i).click();
          await page.locator(`${W} .choices .submit`).click();
        }
        await settle(page, before);
      }
      assert.ok(seen.reference, `numéro de dossier atteint : ${seen.asked.join(' | ')}`);
      if (tooTall.size > 0) process.stderr.write(`(messages plus hauts que la discussion, montrés par leur fin : ${[...tooTall].join(' ; ')})\n`);
      if (!seen.multi) process.stderr.write(`(${size} : pas de question des besoins : ${seen.asked.join(" | ")})\n`);
    });
  }
});

/** What a holder types rather than clicks: the commune, their name and contact. */
function answerTo(message: string): string | undefined {
  const question = message.split('\n').pop() ?? '';
  if (/quelle commune/i.test(question)) return 'Clisson';
  if (/e-mail|téléphone|joindre|recontacte/i.test(question)) return 'Camille Martin, camille.martin@exemple.fr';
  if (/votre nom/i.test(question)) return 'Camille Martin';
  return undefined;
}

/** Among the buttons that send at once, what a willing holder clicks: agree and go on. */
function preferred(labels: string[], toggles: string[]): string | undefined {
  const plain = labels.filter((l) => !toggles.includes(l) && !/^Valider/.test(l));
  // « Oui, à toutes » to the consent; « Non » to a yes/no fact (the path that reaches the needs).
  const wanted = [/^oui, /i, /^non$/i, /peu importe/i];
  for (const pattern of wanted) {
    const hit = plain.find((l) => pattern.test(l));
    if (hit) return hit;
  }
  return toggles.length > 0 ? undefined : plain[0];
}
