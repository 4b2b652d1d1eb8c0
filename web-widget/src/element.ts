// <aiguillage-chat>: the launcher and the dialog in a shadow root. Keyboard: Tab
// stays in the open dialog, Escape closes it, focus goes back to the launcher.
import { ApiError, Client, type PartnerConfig } from './client.js';
import { Chat } from './chat.js';
import type { WidgetConfig } from './config.js';
import { readableOn, textOn } from './contrast.js';
import { Store } from './storage.js';
import { t } from './text.js';
import { View } from './view.js';

export const TAG = 'aiguillage-chat';

export function defineElement(): void {
  if (customElements.get(TAG)) return;

  class AiguillageChat extends HTMLElement {
    config: WidgetConfig | undefined;
    private started = false;

    connectedCallback(): void {
      if (this.started || !this.config) return;
      this.started = true;
      start(this, this.config);
    }
  }

  customElements.define(TAG, AiguillageChat);
}

function start(host: HTMLElement, config: WidgetConfig): void {
  const view = new View(host.attachShadow({ mode: 'open' }));
  const client = new Client(config.server);
  const chat = new Chat(config.partner, client, new Store(config.partner), view);
  view.setPosition(config.position);
  // The published offer of the partner's territory (the server picks it from the partner).
  view.setOfferLink(`${config.server}/offre?partenaire=${encodeURIComponent(config.partner)}`);
  applyTheme(view, config, undefined);

  const open = (focus: boolean) => {
    view.showPanel(true);
    chat.open();
    if (focus) view.input.focus();
  };
  const close = () => {
    view.showPanel(false);
    chat.close();
    view.launcher.focus();
  };

  view.launcher.addEventListener('click', () => open(true));
  view.closeButton.addEventListener('click', close);
  view.onSubmit((text) => chat.send(text));
  view.input.addEventListener('input', () => chat.saveDraft(view.input.value));
  view.panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    } else if (event.key === 'Tab') {
      trapTab(event, view);
    }
  });

  void loadPartner(client, config.partner).then(([partner, error]) => {
    applyTheme(view, config, partner);
    chat.setPartner(partner, error);
  });

  if (chat.restore()) open(true);
}

async function loadPartner(client: Client, id: string): Promise<[PartnerConfig | undefined, ('origin' | 'unknown')?]> {
  // Retries quietly: the launcher works with default colours meanwhile.
  for (let attempt = 0; ; attempt += 1) {
    try {
      const partner = await client.partner(id);
      return [partner, partner.originAllowed ? undefined : 'origin'];
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return [undefined, 'unknown'];
      if (attempt >= 5) return [undefined];
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
    }
  }
}

function applyTheme(view: View, config: WidgetConfig, partner: PartnerConfig | undefined): void {
  const primary = config.color ?? partner?.colors.primary ?? '#7b2342';
  const name = partner?.greetingName ?? partner?.name;
  view.theme(
    { '--p': primary, '--on-p': textOn(primary), '--p-text': readableOn(primary, '#ffffff') },
    config.title ?? (partner ? `${t.title} · ${partner.name}` : t.title),
    name ? t.dialogLabel(name) : t.title,
  );
}

function trapTab(event: KeyboardEvent, view: View): void {
  const items = view.focusables();
  if (items.length === 0) return;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const current = view.active();
  if (event.shiftKey && (current === first || !items.includes(current as HTMLElement))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (current === last || !items.includes(current as HTMLElement))) {
    event.preventDefault();
    first.focus();
  }
}
