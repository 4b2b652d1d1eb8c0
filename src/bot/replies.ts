// Turns the flow's replies into Bot Framework activities: buttons become suggested actions
// (imBack, so a click sends the label as the holder's own message).
import { MessageFactory, type TurnContext } from 'botbuilder';
import type { BotReply } from './qualificationFlow.js';

export async function sendReplies(context: TurnContext, replies: readonly BotReply[]): Promise<void> {
  if (replies.length === 0) return;
  await context.sendActivities(
    replies.map((r) => {
      const activity = r.buttons && r.buttons.length > 0 ? MessageFactory.suggestedActions(r.buttons, r.text) : MessageFactory.text(r.text);
      activity.textFormat = 'plain';
      activity.locale = 'fr-FR';
      return activity;
    }),
  );
}
