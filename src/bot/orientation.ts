// How the bot presents a routing decision: who, what they offer, why, the promised delay.
import { TIER_LABELS, type RoutingDecision } from '../domain/decision.js';
import type { Profile } from '../domain/profile.js';
import { fr } from './messages.fr.js';
import type { BotReply } from './qualificationFlow.js';

/** What the bot needs from routing, injected (keeps routing's internals out of bot/). */
export interface OrientationService {
  route(profile: Profile): Promise<RoutingDecision>;
  actor(id: string): { offer: string; website: string | null; recontactDays: number } | undefined;
}

export function presentDecision(decision: RoutingDecision, service: OrientationService): BotReply[] {
  const replies: BotReply[] = [{ text: fr.orientation.intro(decision.referrals.length) }];
  if (decision.fallback) replies.push({ text: fr.orientation.fallbackNote });
  decision.referrals.forEach((referral, i) => {
    const actor = service.actor(referral.actorId);
    replies.push({
      text: fr.orientation.referral(
        i + 1,
        referral.actorName,
        TIER_LABELS[referral.tier],
        actor?.offer ?? '',
        referral.reason,
        actor?.recontactDays ?? 10,
        actor?.website ?? null,
      ),
    });
  });
  const first = decision.referrals[0];
  if (first) replies.push({ text: fr.orientation.offerContact(first.actorName), buttons: [fr.orientation.yes, fr.orientation.no] });
  return replies;
}
