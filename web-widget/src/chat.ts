// The conversation: one loop that starts the conversation, sends what is queued, then polls.
// Network loss: French message, retry with backoff, nothing typed is lost (queued messages
// and the draft stay in session storage once the visitor has opened the chat).
import { ApiError, type Activity, type Client, type PartnerConfig, type Session } from './client.js';
import type { Pending, Saved, Store } from './storage.js';
import { readMultiSelect, type Choice } from './choices.js';
import { t } from './text.js';
import type { View } from './view.js';

const POLL_MS = 1000;
const POLL_FAST_MS = 300;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 15000];
const REFRESH_AFTER_MS = 10 * 60 * 1000;
const TYPING_MAX_MS = 15000;

export class Chat {
  private session: Session | undefined;
  private watermark = 0;
  private outbox: Pending[] = [];
  private draft = '';
  private isOpen = false;
  /** True once the visitor has opened the chat: only then is anything stored. */
  private engaged = false;
  private historyLoaded = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private again = false;
  private failures = 0;
  private waitingSince = 0;
  private readonly bubbles = new Map<string, HTMLElement>();
  private readonly seen = new Set<string>();
  private blocked: string | undefined;
  private partner: PartnerConfig | undefined;

  constructor(
    private readonly partnerId: string,
    private readonly client: Client,
    private readonly store: Store,
    private readonly view: View,
  ) {
    addEventListener('online', () => this.kick());
  }

  /** A conversation opened on a previous page of this site: returns whether it was open. */
  restore(): boolean {
    const saved = this.store.load();
    if (!saved) return false;
    this.engaged = true;
    this.session = saved.session;
    this.outbox = Array.isArray(saved.outbox) ? saved.outbox : [];
    this.draft = typeof saved.draft === 'string' ? saved.draft : '';
    this.view.input.value = this.draft;
    return saved.open === true;
  }

  setPartner(partner: PartnerConfig | undefined, error?: 'origin' | 'unknown'): void {
    this.partner = partner;
    this.blocked = error === 'origin' ? t.originRefused : error === 'unknown' ? t.unknownPartner : undefined;
    if (this.isOpen) this.kick();
  }

  open(): void {
    this.isOpen = true;
    this.engaged = true;
    this.persist();
    this.kick();
  }

  close(): void {
    this.isOpen = false;
    this.view.setTyping(false);
    this.persist();
  }

  send(text: string): void {
    const clientId = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    this.outbox.push({ clientId, text });
    this.bubbles.set(clientId, this.view.addMessage('user', text, true));
    this.view.setChoices([], undefined, () => undefined);
    this.draft = '';
    this.persist();
    this.kick();
  }

  saveDraft(text: string): void {
    this.draft = text;
    if (this.engaged) this.persist();
  }

  /** Runs the loop now (or right after the run under way). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    this.again = false;
    let delay: number | undefined;
    try {
      delay = await this.step();
      this.failures = 0;
      if (!this.blocked) this.view.setStatus('');
    } catch (error) {
      delay = this.onError(error);
    } finally {
      this.running = false;
    }
    const active = this.isOpen || this.outbox.length > 0;
    if (this.again) this.kick();
    else if (active && delay !== undefined) this.timer = setTimeout(() => this.kick(), delay);
  }

  /** One round: connect, send the queue, poll. Returns the delay before the next round. */
  private async step(): Promise<number | undefined> {
    if (this.blocked) {
      this.view.setStatus(this.blocked);
      this.view.setInputEnabled(false);
      return undefined;
    }
    if (!this.isOpen && this.outbox.length === 0) return undefined;
    this.view.setInputEnabled(true);
    if (!this.session) {
      this.view.setStatus(t.connecting);
      this.session = await this.client.start(this.partnerId, newUserId());
      this.watermark = 0;
      this.persist();
    } else if (Date.now() - this.session.tokenAt > REFRESH_AFTER_MS) {
      await this.client.refresh(this.session);
      this.persist();
    }
    const session = this.session;
    if (this.historyLoaded) {
      while (this.outbox.length > 0) {
        const item = this.outbox[0]!;
        await this.post(session, item);
        this.outbox.shift();
        this.persist();
      }
    }
    if (!this.isOpen && this.historyLoaded) return undefined;
    const page = await this.client.activities(session, this.watermark);
    this.receive(page.activities, session);
    const next = Number(page.watermark);
    if (Number.isFinite(next)) this.watermark = next;
    if (!this.historyLoaded) {
      this.historyLoaded = true;
      // Messages queued on a previous page: shown after the history, then sent.
      for (const item of this.outbox) if (!this.bubbles.has(item.clientId)) this.bubbles.set(item.clientId, this.view.addMessage('user', item.text, true));
      if (this.outbox.length > 0) return 0;
    }
    this.persist();
    if (this.waitingSince && Date.now() - this.waitingSince > TYPING_MAX_MS) this.stopWaiting();
    return this.waitingSince ? POLL_FAST_MS : POLL_MS;
  }

  private async post(session: Session, item: Pending): Promise<void> {
    try {
      await this.client.post(session, {
        type: 'message',
        text: item.text,
        textFormat: 'plain',
        locale: 'fr-FR',
        from: { id: session.userId, role: 'user' },
        channelData: { clientActivityID: item.clientId },
      });
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      // Refused for good (too long, invalid) or logged despite a bot failure: drop from the queue.
      if (status === 413 || status === 400 || status === 502) {
        const bubble = this.bubbles.get(item.clientId);
        if (bubble && status !== 502) this.view.setPending(bubble, t.tooLong);
        this.bubbles.delete(item.clientId);
        return;
      }
      throw error;
    }
    const bubble = this.bubbles.get(item.clientId);
    if (bubble) this.view.setPending(bubble, undefined);
    this.waitingSince = Date.now();
    this.view.setTyping(true);
  }

  private receive(activities: Activity[], session: Session): void {
    let firstReply: HTMLElement | undefined;
    let botSpoke = false;
    for (const activity of activities) {
      if (activity.id) {
        if (this.seen.has(activity.id)) continue;
        this.seen.add(activity.id);
      }
      const mine = activity.from?.role === 'user' || activity.from?.id === session.userId;
      if (activity.type === 'typing' && !mine) {
        this.waitingSince ||= Date.now();
        this.view.setTyping(true);
        continue;
      }
      if (activity.type !== 'message') continue;
      const text = activity.text ?? '';
      if (mine) {
        const clientId = activity.channelData?.clientActivityID;
        const bubble = clientId ? this.bubbles.get(clientId) : undefined;
        if (clientId) this.outbox = this.outbox.filter((p) => p.clientId !== clientId);
        if (bubble) this.view.setPending(bubble, undefined);
        else if (text) this.view.addMessage('user', text);
        continue;
      }
      this.stopWaiting();
      botSpoke = true;
      if (text) {
        const bubble = this.view.addMessage('bot', text);
        firstReply ??= bubble;
      }
      this.view.setChoices(choicesOf(activity), readMultiSelect(activity.channelData), (answer) => {
        this.send(answer);
        this.view.input.focus();
      });
    }
    // After the buttons are laid out: the new replies from their start, the question in view.
    if (botSpoke) this.view.reveal(this.historyLoaded ? firstReply : undefined);
  }

  private stopWaiting(): void {
    this.waitingSince = 0;
    this.view.setTyping(false);
  }

  private onError(error: unknown): number {
    const status = error instanceof ApiError ? error.status : 0;
    if (status === 401 || status === 403 || status === 404) {
      // Expired token or forgotten conversation: a new one starts; queued messages go there.
      if (this.session) this.view.addMessage('note', t.expired);
      this.session = undefined;
      this.historyLoaded = true;
      this.seen.clear();
      this.persist();
      return 0;
    }
    if (status === 429) {
      this.view.setStatus(t.slowDown);
      return Math.max(1, (error as ApiError).retryAfter) * 1000;
    }
    if (status === 503) {
      // The service's database is restarting: say so, keep everything, retry when told to.
      this.view.setStatus(t.unavailable);
      for (const bubble of this.bubbles.values()) this.view.setPending(bubble, t.notSent);
      this.failures += 1;
      return Math.max(1, (error as ApiError).retryAfter || 5) * 1000;
    }
    // Offline, server down or restarting: say so, keep everything, retry with backoff.
    this.view.setStatus(t.offline);
    for (const bubble of this.bubbles.values()) this.view.setPending(bubble, t.notSent);
    const delay = BACKOFF_MS[Math.min(this.failures, BACKOFF_MS.length - 1)]!;
    this.failures += 1;
    return delay;
  }

  private persist(): void {
    if (!this.engaged) return;
    const state: Saved = {
      ...(this.session ? { session: this.session } : {}),
      watermark: this.watermark,
      open: this.isOpen,
      outbox: this.outbox,
      draft: this.draft,
    };
    this.store.save(state);
  }

  get partnerConfig(): PartnerConfig | undefined {
    return this.partner;
  }
}

function choicesOf(activity: Activity): Choice[] {
  return (activity.suggestedActions?.actions ?? [])
    .map((a) => {
      const value = typeof a.value === 'string' && a.value ? a.value : (a.title ?? '');
      return { title: a.title || value, value };
    })
    .filter((c) => c.value.length > 0);
}

function newUserId(): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `u_${[...bytes].map((b) => b.toString(36).padStart(2, '0')).join('')}`;
}
