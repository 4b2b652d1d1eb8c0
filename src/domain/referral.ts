// A referral (orientation): one holder's request handed to one actor, followed until the holder
// is accompanied. One record per actor; the records of one request share a `reference` (the
// number the holder is given) and are told apart by `id` (`AIG-7K3F-Q2-1`, `-2`…). Statuses and
// transitions: DESIGN.md §3. No I/O here.
import { z } from 'zod';
import { referralSchema as decisionReferralSchema } from './decision.js';
import { profileSchema } from './profile.js';

export const REFERRAL_STATUSES = ['pending', 'taking_care', 'done', 'done_no_help', 'unreachable', 'declined', 'expired'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const STATUS_LABELS: Record<ReferralStatus, string> = {
  pending: 'en attente',
  taking_care: 'prise en charge',
  done: 'accompagnement engagé',
  done_no_help: 'close sans suite',
  unreachable: 'porteur injoignable',
  declined: 'déclinée',
  expired: 'expirée sans réponse',
};

/** Statuses after which nothing more happens to the record (the request may go on elsewhere). */
export const CLOSED_STATUSES: readonly ReferralStatus[] = ['done', 'done_no_help', 'unreachable', 'declined', 'expired'];
export const isClosed = (status: ReferralStatus): boolean => CLOSED_STATUSES.includes(status);

/** What an actor (or the scheduler) does to a referral. */
export const REFERRAL_ACTIONS = ['take_care', 'decline', 'done', 'done_no_help', 'unreachable', 'expire'] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

export const ACTION_LABELS: Record<ReferralAction, string> = {
  take_care: 'prendre en charge',
  decline: 'décliner',
  done: 'indiquer que l’accompagnement est engagé',
  done_no_help: 'clore sans suite',
  unreachable: 'signaler le porteur injoignable',
  expire: 'expirer',
};

/**
 * Allowed transitions. `done`, `done_no_help` and `unreachable` are also accepted from `pending`:
 * the actor who answers straight from the first e-mail has taken care implicitly, and the
 * history then records both steps (pending → taking_care → …), so the chain of §3 holds.
 */
export const TRANSITIONS: Record<ReferralAction, { from: readonly ReferralStatus[]; to: ReferralStatus }> = {
  take_care: { from: ['pending'], to: 'taking_care' },
  decline: { from: ['pending'], to: 'declined' },
  done: { from: ['taking_care'], to: 'done' },
  done_no_help: { from: ['taking_care'], to: 'done_no_help' },
  unreachable: { from: ['taking_care'], to: 'unreachable' },
  expire: { from: ['pending'], to: 'expired' },
};
export const IMPLICIT_TAKE_CARE: readonly ReferralAction[] = ['done', 'done_no_help', 'unreachable'];

/** Fixed list of reasons an actor gives when the referral is not for them. */
export const DECLINE_REASONS = [
  'hors_territoire',
  'hors_offre',
  'stade_projet',
  'capacite',
  'deja_accompagne',
  'demande_non_serieuse',
  'autre',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export const DECLINE_REASON_LABELS: Record<DeclineReason, string> = {
  hors_territoire: 'Le projet n’est pas sur notre territoire',
  hors_offre: 'Le projet ne correspond pas à notre offre ou à notre public',
  stade_projet: 'Le stade du projet ne correspond pas à notre accompagnement',
  capacite: 'Nous n’avons pas la capacité de l’accompagner en ce moment',
  deja_accompagne: 'Le porteur est déjà accompagné par notre structure',
  demande_non_serieuse: 'Demande de test, en double ou non sérieuse',
  autre: 'Autre raison',
};

/**
 * `local`/`expert`: the decision's tiers; `reseau`: the network head (CRESS) reached by
 * escalation when the decision has no further tier.
 */
export const REFERRAL_TIERS = ['local', 'expert', 'reseau'] as const;
export type ReferralTier = (typeof REFERRAL_TIERS)[number];

export const CONTACT_CHANNELS = ['email', 'phone', 'any'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];

export const contactSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(120),
    email: z.email().max(254).nullable().default(null),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 .()-]{6,25}$/, { error: 'numéro de téléphone illisible' })
      .nullable()
      .default(null),
    channel: z.enum(CONTACT_CHANNELS).default('any'),
    /** Free words from the holder, e.g. « le matin », « après 18 h ». */
    preferredTime: z.string().trim().max(120).nullable().default(null),
  })
  .refine((c) => c.email !== null || c.phone !== null, { error: 'une adresse e-mail ou un numéro de téléphone est nécessaire' });
export type Contact = z.infer<typeof contactSchema>;

export const consentSchema = z.strictObject({
  /** Version id of the consent text the holder read (the bot owns the text). */
  textVersion: z.string().min(1).max(60),
  at: z.iso.datetime(),
});
export type Consent = z.infer<typeof consentSchema>;

export const HISTORY_ACTIONS = [
  'create',
  ...REFERRAL_ACTIONS,
  'remind',
  'check_in',
  'escalate',
  'reroute',
  'review',
  'erase',
  'anonymise',
] as const;
export type HistoryAction = (typeof HISTORY_ACTIONS)[number];

export const historyEntrySchema = z.strictObject({
  at: z.iso.datetime(),
  action: z.enum(HISTORY_ACTIONS),
  /** `actor:<id>`, `system`, `coordinator:<who>`, `holder`. */
  by: z.string().min(1),
  from: z.enum(REFERRAL_STATUSES).nullable(),
  to: z.enum(REFERRAL_STATUSES),
  /** Why: a reason code or a short sentence. Free text is removed at anonymisation. */
  reason: z.string().nullable(),
  /** Another record involved (escalation target, source…). */
  relatedId: z.string().nullable(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

export const declineSchema = z.strictObject({
  reason: z.enum(DECLINE_REASONS),
  /** Actor id the decliner says the request should go to. */
  shouldGoTo: z.string().nullable(),
  comment: z.string().max(500).nullable(),
});
export type Decline = z.infer<typeof declineSchema>;

/** Set when a coordinator must look at the request. */
export const reviewSchema = z.strictObject({
  kind: z.enum(['suggested_actor', 'no_target']),
  actorId: z.string().nullable(),
  at: z.iso.datetime(),
});
export type Review = z.infer<typeof reviewSchema>;

export const REFERENCE_PATTERN = /^AIG-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}$/;
export const REFERRAL_ID_PATTERN = /^AIG-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{2}-\d{1,3}$/;

export const referralRecordSchema = z.strictObject({
  id: z.string().regex(REFERRAL_ID_PATTERN),
  reference: z.string().regex(REFERENCE_PATTERN),
  /** Incremented at every save: the store refuses a save based on an older version. */
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  partnerId: z.string().nullable(),
  conversationId: z.string().min(1),
  profile: profileSchema,
  decision: z.strictObject({
    rulesVersion: z.string(),
    fallback: z.boolean(),
    referrals: z.array(decisionReferralSchema),
  }),
  actorId: z.string(),
  actorName: z.string(),
  tier: z.enum(REFERRAL_TIERS),
  ruleId: z.string(),
  reason: z.string(),
  /** Record this one continues (escalation or re-routing), with its history handed over. */
  escalatedFrom: z.string().nullable(),
  /** Days within which the actor promised to call back (the actor's recontactDays). */
  promisedDays: z.number().int().min(1),
  consent: consentSchema.nullable(),
  /** Null once anonymised or erased. */
  contact: contactSchema.nullable(),
  /** The holder's own words about the project, sent with the consent; null once anonymised or erased. */
  description: z.string().max(1000).nullable().default(null),
  status: z.enum(REFERRAL_STATUSES),
  statusAt: z.iso.datetime(),
  closedAt: z.iso.datetime().nullable(),
  decline: declineSchema.nullable(),
  review: reviewSchema.nullable(),
  followUp: z.strictObject({ reminders: z.number().int().min(0), checkIns: z.number().int().min(0) }),
  erasedAt: z.iso.datetime().nullable(),
  anonymisedAt: z.iso.datetime().nullable(),
  history: z.array(historyEntrySchema).min(1),
});
export type Referral = z.infer<typeof referralRecordSchema>;

export const TIER_ORDER: Record<ReferralTier, number> = { local: 0, expert: 1, reseau: 2 };
