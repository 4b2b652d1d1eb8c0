// What the bot needs to hand a holder over to the actors: one durable write, injected.
import type { RoutingDecision } from '../domain/decision.js';
import type { Profile } from '../domain/profile.js';
import type { ContactDetails } from './contactFlow.js';
import type { EscalationPolicy } from './orientation.js';

export interface HandOffRequest {
  conversationId: string;
  partnerId: string | null;
  profile: Profile;
  /** Only the structures the holder kept. */
  decision: RoutingDecision;
  consent: { textVersion: string; at: string };
  contact: ContactDetails;
  /** The holder's own words about the project (at most 1,000 characters), or null. */
  description: string | null;
}

export interface HandOffReceipt {
  reference: string;
  /** False when this conversation had already been handed off (double submit). */
  created: boolean;
  /** The structures that received the request now. */
  actors: { id: string; name: string }[];
  promisedDays: number;
  holderEmailQueued: boolean;
  /** The holder's signed status page (no account), when the service gives one. */
  statusUrl?: string;
}

export interface HandOffService {
  /** Resolves only once the referral is durably written. */
  submit(request: HandOffRequest): Promise<HandOffReceipt>;
  /** How requests move on when a structure does not answer (said in the consent). */
  readonly policy?: EscalationPolicy;
}
