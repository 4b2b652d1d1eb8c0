// Turns the flow's replies into Bot Framework activities: buttons become suggested actions
// (imBack, so a click sends the label as the holder's own message). A question with several
// answers also carries channelData.aiguillage.multiSelect: the widget then lets the holder tick
// options and sends them in one message, titles joined by ", " (exclusive ones are sent alone).
import { MessageFactory, type TurnContext } from 'botbuilder';
import type { BotReply } from './qualificationFlow.js';

export async function sendReplies(context: TurnContext, replies: readonly BotReply[]): Promise<void> {
  if (replies.length === 0) return;
  await context.sendActivities(
    replies.map((r) => {
      const activity = r.buttons && r.buttons.length > 0 ? MessageFactory.suggestedActions(r.buttons, r.text) : MessageFactory.text(r.text);
      activity.textFormat = 'plain';
      if (r.multiSelect && r.buttons?.length) {
        activity.channelData = { ...(activity.channelData as object | undefined), aiguillage: { multiSelect: { submit: r.multiSelect.submit, exclusive: [...r.multiSelect.exclusive] } } };
      }
      activity.locale = 'fr-FR';
      return activity;
    }),
  );
}
