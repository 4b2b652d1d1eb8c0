// A BotAdapter that runs a turn in this process and hands the bot's replies back to the caller:
// used by the Direct Line channel, the terminal chat and the benchmarks (no HTTP hop).
import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  BotAdapter,
  TurnContext,
  type Activity,
  type ConversationReference,
  type ResourceResponse,
} from 'botbuilder';

export type BotLogic = (context: TurnContext) => Promise<void>;

export const CHANNEL_ID = 'aiguillage';
const BOT_ACCOUNT = { id: 'aiguillage-bot', name: 'Aiguillage', role: 'bot' } as const;

/** An incoming activity: only the conversation id is needed from the caller. */
export type IncomingActivity = Omit<Partial<Activity>, 'conversation'> & { conversation: { id: string } };

export class InProcessAdapter extends BotAdapter {
  /** Replies of the turns under way, by conversation id. */
  private readonly pending = new Map<string, Partial<Activity>[]>();

  constructor(private readonly logic: BotLogic) {
    super();
  }

  /**
   * Runs one turn for an incoming activity and returns what the bot sent during it.
   * The activity needs at least `type`, `conversation.id` and `from.id`.
   */
  async process(incoming: IncomingActivity): Promise<Partial<Activity>[]> {
    const conversationId = incoming.conversation.id;
    const activity: Partial<Activity> = {
      id: randomUUID(),
      channelId: CHANNEL_ID,
      serviceUrl: 'inprocess://aiguillage',
      timestamp: new Date(),
      recipient: { ...BOT_ACCOUNT },
      ...incoming,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
    };
    const replies: Partial<Activity>[] = [];
    const previous = this.pending.get(conversationId);
    this.pending.set(conversationId, replies);
    try {
      const context = new TurnContext(this, activity);
      await this.runMiddleware(context, this.logic);
    } finally {
      if (previous) this.pending.set(conversationId, previous);
      else this.pending.delete(conversationId);
    }
    return replies;
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const conversationId = context.activity.conversation?.id ?? '';
    const sink = this.pending.get(conversationId);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') continue;
      const id = randomUUID();
      responses.push({ id });
      if (activity.type === ActivityTypes.Trace) continue;
      sink?.push({
        ...activity,
        id,
        timestamp: new Date(),
        from: { ...BOT_ACCOUNT },
        conversation: context.activity.conversation,
        channelId: CHANNEL_ID,
      });
    }
    return responses;
  }

  override async updateActivity(): Promise<void> {
    throw new Error('updateActivity n’est pas pris en charge par ce canal');
  }

  override async deleteActivity(): Promise<void> {
    throw new Error('deleteActivity n’est pas pris en charge par ce canal');
  }

  override async continueConversation(reference: Partial<ConversationReference>, logic: BotLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference({ type: ActivityTypes.Event, name: 'continueConversation' }, reference, true);
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }
}
