// Test helper: a project holder chatting with the real bot through botbuilder's TestAdapter.
import { TestAdapter, type Activity } from 'botbuilder';
import { createBot, type BotDependencies } from '../../src/bot/index.js';

export interface Reply {
  text: string;
  buttons: string[];
}

export class Holder {
  readonly adapter: TestAdapter;
  readonly transcript: string[] = [];
  messagesSent = 0;
  private readonly bot;

  constructor(deps: BotDependencies = {}) {
    this.bot = createBot({ logError: (e) => this.transcript.push(`!! ${String(e)}`), ...deps });
    this.adapter = new TestAdapter(async (context) => (await this.bot).run(context));
    this.adapter.locale = 'en-US'; // a browser in English: the bot must still speak French
  }

  /** Sends a message (or any activity) and returns every reply of that turn. */
  async say(input: string | Partial<Activity>): Promise<Reply[]> {
    if (typeof input === 'string') {
      this.messagesSent += 1;
      this.transcript.push(`> ${input.slice(0, 120)}`);
    }
    await this.adapter.receiveActivity(input);
    const replies: Reply[] = [];
    while (this.adapter.activeQueue.length > 0) {
      const activity = this.adapter.getNextReply();
      if (activity.type !== 'message') continue;
      const reply = {
        text: activity.text ?? '',
        buttons: (activity.suggestedActions?.actions ?? []).map((a) => String(a.value ?? a.title)),
      };
      this.transcript.push(`< ${reply.text}${reply.buttons.length ? ` [${reply.buttons.join(' | ')}]` : ''}`);
      replies.push(reply);
    }
    return replies;
  }

  /** Clicks a button of the last reply that has one, by its exact label. */
  async click(label: string, replies: Reply[]): Promise<Reply[]> {
    const withButtons = [...replies].reverse().find((r) => r.buttons.length > 0);
    if (!withButtons || !withButtons.buttons.includes(label)) {
      throw new Error(`Pas de bouton « ${label} » dans :\n${this.transcript.join('\n')}`);
    }
    return this.say(label);
  }
}

export function allText(replies: Reply[]): string {
  return replies.map((r) => r.text).join('\n');
}

export function lastQuestion(replies: Reply[]): Reply {
  const last = replies[replies.length - 1];
  if (!last) throw new Error('Aucune réponse du bot');
  return last;
}
