// Microsoft's own Direct Line client (botframework-directlinejs, unmodified, polling) holds a
// whole conversation with the server, then resumes it with its token.
import { afterAll, beforeAll, describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import { installXhr } from '../web/xhr.js';
import { startServer, type Harness } from '../web/server.js';

installXhr();
const { DirectLine, ConnectionStatus } = await import('botframework-directlinejs');

interface Received {
  id?: string;
  type: string;
  text?: string;
  from: { id: string; role?: string };
  suggestedActions?: { actions: { value?: unknown; title?: string }[] };
}

class Transcript {
  readonly activities: Received[] = [];

  async waitFor(predicate: (a: Received) => boolean, what: string, timeoutMs = 15_000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.activities.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${what} non reçu ; transcription :\n${this.dump()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  bot(): Received[] {
    return this.activities.filter((a) => a.from.role === 'bot' && a.type === 'message');
  }

  dump(): string {
    return this.activities.map((a) => `${a.from.role === 'bot' ? '<' : '>'} ${a.text ?? a.type}`).join('\n');
  }
}

function connect(h: Harness, extra: Record<string, unknown> = {}) {
  const dl = new DirectLine({ domain: `${h.base}/v3/directline`, webSocket: false, pollingInterval: 200, ...extra });
  const transcript = new Transcript();
  const subscription = dl.activity$.subscribe((a) => transcript.activities.push(a as unknown as Received));
  const statuses: number[] = [];
  dl.connectionStatus$.subscribe((s) => statuses.push(s));
  const post = (text: string) =>
    new Promise<string>((resolve, reject) => {
      dl.postActivity({ type: 'message', from: { id: 'visiteur' }, text } as never).subscribe({ next: resolve, error: reject });
    });
  const close = () => {
    subscription.unsubscribe();
    dl.end();
  };
  return { dl, transcript, post, close, statuses };
}

describe('botframework-directlinejs against the channel', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startServer();
  });
  afterAll(async () => {
  await h.close();
});

  it('holds a whole conversation (greeting, messages, buttons) and resumes it', async () => {
    const { dl, transcript, post, close, statuses } = connect(h);
    try {
      const greeting = await transcript.waitFor((a) => a.from.role === 'bot', 'accueil');
      assert.match(greeting.text ?? '', /Bonjour/);
      assert.ok(statuses.includes(ConnectionStatus.Online));

      if (h.bot === 'real') {
        // Everything in one sentence: the summary and the proposal come at once, with the consent.
        await post('Avec deux amies on veut créer une association de recyclerie à Vallet, pas en coopérative, on cherche un local');
        await transcript.waitFor((a) => /Voici ce que j’ai compris[\s\S]*Voici qui peut vous accompagner/.test(a.text ?? ''), 'résumé et orientation');
        assert.match(transcript.dump(), /Vallet/);
        await transcript.waitFor((a) => (a.suggestedActions?.actions ?? []).some((x) => x.value === 'Non merci'), 'consentement');
        await post('Non merci');
        await transcript.waitFor((a) => /je ne transmets rien/.test(a.text ?? ''), 'fin de la conversation');
      } else {
        await post('premier message');
        await transcript.waitFor((a) => a.text === 'Écho : premier message', 'écho');
      }
      // The user's own activities come back in the stream (Web Chat waits for them).
      assert.ok(transcript.activities.some((a) => a.from.role === 'user'));

      // Resume from another client with the conversation id and a token (as after a page change).
      const { conversationId, token } = dl as unknown as { conversationId: string; token: string };
      const before = transcript.activities.length;
      const resumed = connect(h, { token, conversationId });
      try {
        await resumed.transcript.waitFor(() => resumed.transcript.activities.length >= before, 'historique', 10_000);
        assert.deepEqual(
          resumed.transcript.activities.map((a) => a.id),
          transcript.activities.slice(0, before).map((a) => a.id),
        );
      } finally {
        resumed.close();
      }
    } finally {
      close();
    }
  });

  it('a client with a token of another conversation is refused', async () => {
    const first = connect(h);
    const second = connect(h);
    try {
      await first.transcript.waitFor((a) => a.from.role === 'bot', 'accueil 1');
      await second.transcript.waitFor((a) => a.from.role === 'bot', 'accueil 2');
      const token = (second.dl as unknown as { token: string }).token;
      const res = await fetch(`${h.base}/v3/directline/conversations/${(first.dl as unknown as { conversationId: string }).conversationId}/activities`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(res.status, 403);
    } finally {
      first.close();
      second.close();
    }
  });
});
