// Test helper: a project holder chatting with the real bot through botbuilder's TestAdapter.
import { MemoryStorage, TestAdapter, type Activity, type Storage } from 'botbuilder';
import type { Profile } from '../../src/domain/profile.js';
import { createBot, type BotDependencies } from '../../src/bot/index.js';
import { fr } from '../../src/bot/messages.fr.js';

export interface Reply {
  text: string;
  buttons: string[];
  /** channelData.aiguillage.multiSelect: several answers can be ticked, then sent as one message. */
  multiSelect?: { submit: string; exclusive: string[] };
}

export class Holder {
  readonly adapter: TestAdapter;
  readonly transcript: string[] = [];
  messagesSent = 0;
  private readonly bot;
  private readonly storage: Storage;

  constructor(deps: BotDependencies = {}) {
    this.storage = deps.storage ?? new MemoryStorage();
    this.bot = createBot({ logError: (e) => this.transcript.push(`!! ${String(e)}`), ...deps, storage: this.storage });
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
      const multiSelect = (activity.channelData as { aiguillage?: { multiSelect?: Reply['multiSelect'] } } | undefined)?.aiguillage?.multiSelect;
      const reply: Reply = {
        text: activity.text ?? '',
        buttons: (activity.suggestedActions?.actions ?? []).map((a) => String(a.value ?? a.title)),
        ...(multiSelect ? { multiSelect } : {}),
      };
      this.transcript.push(`< ${reply.text}${reply.buttons.length ? ` [${reply.buttons.join(' | ')}]` : ''}`);
      replies.push(reply);
    }
    return replies;
  }

  /** The qualification the bot holds for this conversation, read from its stored state. */
  async qualification(): Promise<{ profile: Profile; description?: string[] }> {
    const key = `${this.adapter.conversation.channelId}/conversations/${this.adapter.conversation.conversation.id}/`;
    const items = await this.storage.read([key]);
    const state = (items[key] as { aiguillage?: { qualification?: { profile: Profile; description?: string[] } } } | undefined)?.aiguillage?.qualification;
    if (!state) throw new Error(`Pas d’état de conversation sous ${key}`);
    return state;
  }

  /** The profile the bot holds for this conversation. */
  async profile(): Promise<Profile> {
    return (await this.qualification()).profile;
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

/**
 * The consent step: what consent means (one message), then the short question with its buttons
 * (the last message, so that it stays in view above them). Text of both, buttons of the last.
 */
export function consentStep(replies: Reply[]): Reply {
  const question = lastQuestion(replies);
  const info = replies[replies.length - 2];
  return { ...question, text: `${info?.text ?? ''}\n${question.text}` };
}

/** The consent question: one step naming the structures, « Oui, à toutes » or « Oui, d'accord ». */
export function isConsent(reply: Reply | undefined): boolean {
  return !!reply && (reply.buttons.includes(fr.contact.acceptAll) || reply.buttons.includes(fr.contact.acceptOne));
}

/** The consent's « yes » button, whichever the question shows. */
export function acceptButton(reply: Reply): string {
  return reply.buttons.includes(fr.contact.acceptAll) ? fr.contact.acceptAll : fr.contact.acceptOne;
}

/** Answers every question (first button by default) until the proposal and its consent question. */
export async function untilConsent(holder: Holder, replies: Reply[], answer: (q: Reply) => string = (q) => q.buttons[0] ?? 'je ne sais pas'): Promise<Reply[]> {
  let r = replies;
  for (let i = 0; i < 20 && !isConsent(lastQuestion(r)); i++) r = await holder.say(answer(lastQuestion(r)));
  if (!isConsent(lastQuestion(r))) throw new Error(`Pas de proposition :\n${holder.transcript.join('\n')}`);
  return r;
}

/** The proposal: the message that holds both the summary and who can help. */
export function proposal(replies: Reply[]): string {
  const found = replies.find((r) => r.text.includes(fr.summaryTitle) && r.text.includes('Voici qui peut vous accompagner'));
  if (!found) throw new Error(`Pas de résumé avec la proposition dans :\n${allText(replies)}`);
  return found.text;
}
