// What the bot remembers of one conversation (stored through botbuilder's ConversationState).
import type { StatePropertyAccessor } from 'botbuilder';
import type { RoutingDecision } from '../domain/decision.js';
import { newQualificationState, type QualificationState } from './qualificationFlow.js';

export interface ConversationData {
  qualification: QualificationState;
  /** Set once the conversation reached its end; later messages get a short hint. */
  finished: boolean;
  /** The orientation presented to the holder, once routed. */
  decision?: RoutingDecision;
  /** Reference of the referral once the holder was handed off (a second submit gets it again). */
  handedOff?: string;
  /** Partner site the conversation started on (widget's data-partner). */
  partnerId?: string;
}

export function newConversationData(): ConversationData {
  return { qualification: newQualificationState(), finished: false };
}

/** « Recommencer »: a new project from scratch; the partner site the holder came from stays known. */
export function restartedConversationData(previous: ConversationData): ConversationData {
  return { ...newConversationData(), ...(previous.partnerId ? { partnerId: previous.partnerId } : {}) };
}

export type ConversationDataAccessor = StatePropertyAccessor<ConversationData>;

export async function loadConversationData(
  accessor: ConversationDataAccessor,
  context: Parameters<ConversationDataAccessor['get']>[0],
): Promise<ConversationData> {
  return accessor.get(context, newConversationData());
}
