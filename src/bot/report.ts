// Reporting conversation steps for the statistics without threading a sink through every
// dialog: the bot puts a reporter in the turn state, dialogs call report().
import type { TurnContext } from 'botbuilder';
import type { ConversationEvent, ConversationStep } from '../domain/events.js';

const KEY = Symbol('aiguillage.report');

type Extra = Omit<ConversationEvent, 'step' | 'conversationId' | 'partnerId' | 'at'>;
type Reporter = (step: ConversationStep, extra?: Extra) => void;

export function setReporter(context: TurnContext, reporter: Reporter): void {
  context.turnState.set(KEY, reporter);
}

export function report(context: TurnContext, step: ConversationStep, extra?: Extra): void {
  const reporter = context.turnState.get(KEY) as Reporter | undefined;
  reporter?.(step, extra);
}
