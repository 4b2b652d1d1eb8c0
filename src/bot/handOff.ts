// What the bot needs to hand a holder over to the actors: one durable write, injected.
import type { RoutingDecision } from '../domain/decision.js';
import type { Profile } from '../domain/profile.js';
import type { ContactDetails } from './contactFlow.js';

export interface HandOffRequest {
  conversationId: string;
  partnerId: string | null;
  profile: Profile;
  decision: RoutingDecision;
  consent: { textVersion: string; at: string };
  contact: ContactDetails;
}

export interface HandOffReceipt {
  reference: string;
  /** False when this conversation had already been handed off (double submit). */
  created: boolean;
  actorNames: string[];
  promisedDays: number;
  holderEmailQueued: boolean;
}

export interface HandOffService {
  /** Resolves only once the referral is durably written. */
  submit(request: HandOffRequest): Promise<HandOffReceipt>;
}
