// The widget's DOM inside its shadow root. Text is only ever set with textContent (links are
// built as elements from https URLs found in the text): nothing a server or a visitor sends
// becomes markup.
import { renderChoices, type Choice, type MultiSelect } from './choices.js';
import { appendText } from './richText.js';
import { css } from './styles.js';
import { t } from './text.js';

export type Speaker = 'bot' | 'user' | 'note';

/** Space kept between a message and the transcript's edge when scrolling to it (its padding). */
const GAP = 12;
/** The answer buttons' area never shrinks below this (about one row, the hint and « Valider »). */
const CHOICES_MIN_PX = 132;

type Attrs = Record<string, string>;

/** Element builder: the widget never assigns markup (innerHTML), which also keeps it working
 * on sites that enforce Trusted Types. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  el.append(...children);
  return el;
}

function icon(): SVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute(
    'd',
    'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z',
  );
  svg.appendChild(path);
  return svg;
}

export class View {
  readonly root: HTMLElement;
  readonly launcher: HTMLButtonElement;
  readonly panel: HTMLElement;
  readonly log: HTMLElement;
  readonly input: HTMLInputElement;
  readonly sendButton: HTMLButtonElement;
  readonly closeButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly choices: HTMLElement;
  private readonly title: HTMLElement;
  private readonly form: HTMLFormElement;
  private readonly legal: HTMLElement;
  private typing: HTMLElement | undefined;
  private lastBot: HTMLElement | undefined;

  constructor(private readonly shadow: ShadowRoot) {
    const sheet = supportsAdopted() ? new CSSStyleSheet() : undefined;
    if (sheet) {
      // Constructed sheets are not inline styles: a partner's strict CSP does not block them.
      sheet.replaceSync(css);
      shadow.adoptedStyleSheets = [sheet];
    } else {
      const style = document.createElement('style');
      style.textContent = css;
      shadow.appendChild(style);
    }
    this.launcher = h('button', { class: 'launcher', type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false' }, icon(), h('span', {}, t.launcher));
    this.title = h('h2', { id: 'ag-title' });
    this.closeButton = h('button', { class: 'close', type: 'button', 'aria-label': t.close, title: t.close }, h('span', { 'aria-hidden': 'true' }, '×'));
    this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': t.log, tabindex: '0' });
    this.status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
    this.choices = h('div', { class: 'choices', role: 'group', 'aria-label': t.choices });
    this.input = h('input', { id: 'ag-input', type: 'text', autocomplete: 'off', maxlength: '4000', placeholder: t.placeholder });
    this.sendButton = h('button', { type: 'submit' }, t.send);
    this.form = h('form', { novalidate: '' }, h('label', { class: 'sr', for: 'ag-input' }, t.inputLabel), this.input, this.sendButton);
    this.panel = h(
      'div',
      { class: 'panel', role: 'dialog', 'aria-modal': 'true', 'aria-label': t.title, hidden: '' },
      h('div', { class: 'head' }, h('div', {}, this.title, h('p', {}, t.subtitle)), this.closeButton),
      this.log,
      this.status,
      this.choices,
      this.form,
      (this.legal = h('p', { class: 'legal' }, t.privacy)),
    );
    this.root = h('div', { class: 'root' }, this.launcher, this.panel);
    shadow.appendChild(this.root);
    // The panel follows the window (and a phone's keyboard): the question stays in view.
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.keepQuestionInView()).observe(this.panel);
  }

  onSubmit(handler: (text: string) => void): void {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (!text || this.input.disabled) return;
      this.input.value = '';
      handler(text);
    });
  }

  /** Partner look: colours as custom properties on our own root (the page cannot set them). */
  theme(vars: Record<string, string>, title: string, dialogLabel: string): void {
    for (const [name, value] of Object.entries(vars)) this.root.style.setProperty(name, value);
    this.title.textContent = title;
    this.panel.setAttribute('aria-label', dialogLabel);
  }

  /** « Voir toutes les structures » in the footer: the published offer, in a new tab (the chat stays). */
  setOfferLink(href: string): void {
    const link = h('a', { class: 'offer', href, target: '_blank', rel: 'noopener' }, t.offer, h('span', { class: 'sr' }, ` ${t.newTab}`));
    this.legal.append(' ', link);
  }

  setPosition(position: 'left' | 'right'): void {
    this.root.classList.toggle('left', position === 'left');
  }

  showPanel(open: boolean): void {
    this.panel.hidden = !open;
    this.launcher.hidden = open;
    this.launcher.setAttribute('aria-expanded', String(open));
  }

  addMessage(speaker: Speaker, text: string, pending = false): HTMLElement {
    const bubble = document.createElement('div');
    bubble.className = `msg ${speaker}${pending ? ' pending' : ''}`;
    if (speaker !== 'note') {
      const who = document.createElement('span');
      who.className = 'sr';
      who.textContent = `${speaker === 'user' ? t.you : t.bot} : `;
      bubble.appendChild(who);
    }
    appendText(bubble, text, speaker === 'bot');
    if (speaker === 'bot') this.lastBot = bubble;
    if (pending) this.setPending(bubble, t.sending);
    this.log.insertBefore(bubble, this.typing ?? null);
    this.scroll();
    return bubble;
  }

  setPending(bubble: HTMLElement, label: string | undefined): void {
    bubble.querySelector('small')?.remove();
    bubble.classList.toggle('pending', label !== undefined);
    if (label === undefined) return;
    const small = document.createElement('small');
    small.textContent = label;
    bubble.appendChild(small);
  }

  /** The bot's suggested answers for its last message; an empty list clears them. */
  setChoices(choices: Choice[], multi: MultiSelect | undefined, send: (text: string) => void): void {
    renderChoices(this.choices, choices, multi, send);
  }

  setTyping(on: boolean): void {
    if (on === (this.typing !== undefined)) return;
    if (on) {
      this.typing = document.createElement('div');
      this.typing.className = 'typing';
      this.typing.setAttribute('aria-hidden', 'true');
      this.typing.append(document.createElement('i'), document.createElement('i'), document.createElement('i'));
      this.log.appendChild(this.typing);
      this.scroll();
    } else {
      this.typing?.remove();
      this.typing = undefined;
    }
  }

  setStatus(text: string): void {
    if (this.status.textContent !== text) this.status.textContent = text;
  }

  setInputEnabled(enabled: boolean): void {
    this.input.disabled = !enabled;
    this.sendButton.disabled = !enabled;
  }

  /** Focusable elements of the open panel, in tab order. */
  focusables(): HTMLElement[] {
    return Array.from(this.panel.querySelectorAll<HTMLElement>('button, input, a[href], [tabindex="0"]')).filter(
      (el) => !(el as HTMLButtonElement).disabled && el.offsetParent !== null,
    );
  }

  active(): Element | null {
    return this.shadow.activeElement;
  }

  /**
   * After a batch of replies: the first new one from its top (long answers are read from their
   * start). With answer buttons, the end of the last bot message (the question they answer)
   * must also be in view, above them: it wins when the batch does not fit. Without `first`
   * (history reloaded on another page): the end.
   */
  reveal(first: HTMLElement | undefined): void {
    this.fitChoices();
    const start = first ? first.offsetTop - GAP : undefined;
    const end = this.questionEnd();
    if (start === undefined && end === undefined) this.scroll();
    else this.log.scrollTop = Math.max(start ?? -Infinity, end ?? -Infinity);
  }

  /** The scroll position that puts the last bot message's end at the bottom of the transcript,
   * when answer buttons are shown; undefined otherwise. */
  private questionEnd(): number | undefined {
    if (!this.lastBot?.isConnected || this.choices.childElementCount === 0) return undefined;
    return this.lastBot.offsetTop + this.lastBot.offsetHeight + GAP - this.log.clientHeight;
  }

  /** When the last bot message does not fit above its buttons but would with less room for
   * them, their area gives up what is missing (down to CHOICES_MIN_PX; its buttons then
   * scroll). A message that fits in no case keeps the buttons whole: its end is shown. */
  private fitChoices(): void {
    const area = this.choices;
    area.style.removeProperty('max-height');
    if (!this.lastBot?.isConnected || area.childElementCount === 0) return;
    const missing = this.lastBot.offsetHeight + 2 * GAP - this.log.clientHeight;
    if (missing > 0 && area.offsetHeight - missing >= CHOICES_MIN_PX) {
      area.style.setProperty('max-height', `${area.offsetHeight - missing}px`);
    }
  }

  private keepQuestionInView(): void {
    this.fitChoices();
    const end = this.questionEnd();
    if (end !== undefined && this.log.scrollTop < end) this.log.scrollTop = end;
  }

  private scroll(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

function supportsAdopted(): boolean {
  try {
    return 'adoptedStyleSheets' in Document.prototype && typeof new CSSStyleSheet().replaceSync === 'function';
  } catch {
    return false;
  }
}
