// sessionStorage, used only once the visitor has opened the chat: the conversation goes on
// across the pages of the site, and what was typed but not sent survives a page change.
import type { Session } from './client.js';

export interface Pending {
  /** clientActivityID: matches the server's echo with the bubble already shown. */
  clientId: string;
  text: string;
}

export interface Saved {
  session?: Session;
  watermark: number;
  open: boolean;
  outbox: Pending[];
  draft: string;
}

export class Store {
  private readonly key: string;

  constructor(partner: string) {
    this.key = `aiguillage:${partner}`;
  }

  load(): Saved | undefined {
    try {
      const raw = window.sessionStorage.getItem(this.key);
      return raw ? (JSON.parse(raw) as Saved) : undefined;
    } catch {
      return undefined; // storage blocked or corrupt: start afresh
    }
  }

  save(state: Saved): void {
    try {
      window.sessionStorage.setItem(this.key, JSON.stringify(state));
    } catch {
      // Storage blocked (private mode, policy): the chat still works on this page.
    }
  }
}
