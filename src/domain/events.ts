// What the bot reports of each conversation, for the statistics (funnel, unmet demand,
// abandonment). No personal data: no text typed by the holder, no contact details.
import { z } from 'zod';
import { profileSchema } from './profile.js';

export const CONVERSATION_STEPS = [
  /** The holder wrote or was greeted: a conversation exists. */
  'started',
  /** The bot asked a question (`question` says which): the last one asked tells where holders give up. */
  'asked',
  /** The holder confirmed the summary (`profile`). */
  'qualified',
  /** The orientation was shown (`fallback`, `rulesVersion`, `actorIds`). */
  'oriented',
  /** The holder declined to be put in touch after seeing the orientation. */
  'contact_declined',
  /** The holder refused consent. */
  'consent_refused',
  /** A referral was written (`reference`). */
  'handed_off',
] as const;
export type ConversationStep = (typeof CONVERSATION_STEPS)[number];

export const conversationEventSchema = z.object({
  step: z.enum(CONVERSATION_STEPS),
  conversationId: z.string().min(1).max(200),
  partnerId: z.string().max(100).nullable(),
  at: z.iso.datetime(),
  question: z.string().max(40).optional(),
  profile: profileSchema.optional(),
  fallback: z.boolean().optional(),
  rulesVersion: z.string().optional(),
  actorIds: z.array(z.string()).optional(),
  reference: z.string().optional(),
});
export type ConversationEvent = z.infer<typeof conversationEventSchema>;

/** Where the bot sends its events; must not throw into a conversation. */
export type ConversationEventSink = (event: ConversationEvent) => void;
