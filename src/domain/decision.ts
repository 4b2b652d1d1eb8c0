// What routing answers for one holder: whom to contact, in which order, and why. No I/O here.
import { z } from 'zod';
import { ROLES } from './actor.js';

/** `local`: the proximity generalist, always presented first; `expert`: ESS expertise. */
export const TIERS = ['local', 'expert'] as const;
export type Tier = (typeof TIERS)[number];

export const TIER_LABELS: Record<Tier, string> = {
  local: 'Accompagnement de proximité',
  expert: 'Expertise ESS',
};

export const SKIP_REASONS = ['inactive', 'absent', 'over_capacity', 'out_of_territory'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const SKIP_REASON_LABELS: Record<SkipReason, string> = {
  inactive: 'accompagnateur désactivé',
  absent: 'accompagnateur absent en ce moment',
  over_capacity: 'capacité mensuelle atteinte',
  out_of_territory: 'ne couvre pas le territoire du projet',
};

export const referralSchema = z.object({
  actorId: z.string(),
  actorName: z.string(),
  role: z.enum(ROLES),
  tier: z.enum(TIERS),
  /** Rule that proposed this actor; `dernier-recours` when the router's built-in last resort was used. */
  ruleId: z.string(),
  /** French sentence for the holder: why this actor. */
  reason: z.string(),
  /**
   * A welcome (rule with `onlyIfNoExpert`, e.g. the CRESS's ESS welcome): the request goes there
   * only when the other structures proposed do not follow it. Absent: false.
   */
  welcome: z.boolean().optional(),
});
export type DecisionReferral = z.infer<typeof referralSchema>;

export const skippedSchema = z.object({
  actorId: z.string(),
  ruleId: z.string(),
  why: z.enum(SKIP_REASONS),
});
export type SkippedCandidate = z.infer<typeof skippedSchema>;

export const routingDecisionSchema = z.object({
  /** Local tier first, then expert tier; never empty. */
  referrals: z.array(referralSchema).min(1),
  /** True when no routing rule matched and a fallback (territorial or last resort) answered. */
  fallback: z.boolean(),
  /** Short content hash of the rules and actors that produced the decision. */
  rulesVersion: z.string(),
  /** Candidates proposed by a rule but not retained, with the reason. */
  skipped: z.array(skippedSchema),
});
export type RoutingDecision = z.infer<typeof routingDecisionSchema>;

/** Rule id stamped on the router's built-in last resort (see rules/README.md). */
export const LAST_RESORT_RULE_ID = 'dernier-recours';
