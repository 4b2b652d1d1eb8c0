// How the bot presents a routing decision and asks the one consent: the summary and who can
// help in one message, then one question naming every structure that may receive the request
// (now, and later if they do not answer), where the holder keeps all or only some of them.
import { actorNames, capitalized, type ActorNames } from '../domain/actor.js';
import { TIER_LABELS, type RoutingDecision } from '../domain/decision.js';
import type { Profile } from '../domain/profile.js';
import { fr } from './messages.fr.js';
import type { BotReply } from './qualificationFlow.js';

export interface ActorFacts {
  name: string;
  names?: ActorNames;
  offer: string;
  website: string | null;
  recontactDays: number;
  active?: boolean;
}

/** What the bot needs from routing, injected (keeps routing's internals out of bot/). */
export interface OrientationService {
  route(profile: Profile): Promise<RoutingDecision>;
  actor(id: string): ActorFacts | undefined;
}

/** How a request moves on (the referral service's policy), for the consent sentence. */
export interface EscalationPolicy {
  /** Days without an answer before the request goes to the next structures. */
  expireDays: number;
  /** The network head reached when no structure of the decision is left. */
  networkActorId: string;
}

function namesOf(service: OrientationService, actorId: string, fallbackName: string): ActorNames {
  const actor = service.actor(actorId);
  return actorNames({ name: actor?.name ?? fallbackName, names: actor?.names });
}

/** The summary, then every proposed structure with what it offers, why, and the delay. */
export function proposalText(summary: string, decision: RoutingDecision, service: OrientationService): string {
  const parts = [summary, fr.orientation.intro(decision.referrals.length)];
  if (decision.fallback) parts.push(fr.orientation.fallbackNote);
  decision.referrals.forEach((referral, i) => {
    const actor = service.actor(referral.actorId);
    parts.push(
      fr.orientation.referral(
        i + 1,
        capitalized(namesOf(service, referral.actorId, referral.actorName).subject),
        TIER_LABELS[referral.tier],
        actor?.offer ?? '',
        referral.reason,
        actor?.recontactDays ?? 10,
        actor?.website ?? null,
      ),
    );
  });
  return parts.join('\n\n');
}

/**
 * « je transmettrai votre demande à X et à Y ; sans réponse sous 14 jours… » for the kept
 * actors, as src/referrals/service.ts does it: every kept structure at once, except a welcome
 * (the territory's ESS welcome) which comes next, then the network head unless already there.
 */
export function routeSentence(decision: RoutingDecision, keep: readonly string[], service: OrientationService, policy: EscalationPolicy): string {
  const kept = decision.referrals.filter((r) => keep.includes(r.actorId));
  const direct = kept.filter((r) => r.welcome !== true);
  const now = direct.length ? direct : kept;
  const later = kept.filter((r) => !now.includes(r));
  const to = (r: { actorId: string; actorName: string }) => namesOf(service, r.actorId, r.actorName).to;
  const network = service.actor(policy.networkActorId);
  const lastResort = network && network.active !== false && !kept.some((r) => r.actorId === policy.networkActorId) ? namesOf(service, policy.networkActorId, network.name).to : null;
  return fr.contact.route(now.map(to), later.map(to), lastResort, policy.expireDays);
}

/** The label of the structure's own button in the consent question. */
export function structureLabel(service: OrientationService, actorId: string, actorName: string): string {
  return capitalized(namesOf(service, actorId, actorName).subject);
}

/** The proposal (one message) and the consent question (buttons, several structures: multi-select). */
export function presentProposal(summary: string, decision: RoutingDecision, service: OrientationService, policy: EscalationPolicy): BotReply[] {
  return [{ text: proposalText(summary, decision, service) }, ...consentQuestion(decision, service, policy)];
}

/** What consent means (who, what, how long), then the short question with its buttons. */
export function consentQuestion(decision: RoutingDecision, service: OrientationService, policy: EscalationPolicy): BotReply[] {
  const ids = uniqueActorIds(decision);
  const several = ids.length > 1;
  const info: BotReply = { text: fr.contact.consentInfo(routeSentence(decision, ids, service, policy)) };
  const text = fr.contact.consentAsk(several);
  if (!several) return [info, { text, buttons: [fr.contact.acceptOne, fr.buttons.correct, fr.contact.refuse] }];
  const labels = ids.map((id) => structureLabel(service, id, decision.referrals.find((r) => r.actorId === id)!.actorName));
  const exclusive = [fr.contact.acceptAll, fr.buttons.correct, fr.contact.refuse];
  return [
    info,
    {
      text,
      buttons: [fr.contact.acceptAll, ...labels, fr.buttons.correct, fr.contact.refuse],
      multiSelect: { submit: fr.buttons.validate, exclusive },
    },
  ];
}

export function uniqueActorIds(decision: RoutingDecision): string[] {
  return [...new Set(decision.referrals.map((r) => r.actorId))];
}

export type ConsentAnswer =
  | { kind: 'keep'; actorIds: string[]; /** How: a button, structures named, or a bare yes. */ via: 'button' | 'names' | 'yes' }
  | { kind: 'refuse'; via: 'button' | 'no' }
  | { kind: 'unclear' };

/**
 * The holder's answer: « Oui, à toutes » / yes keeps every structure; one or several structure
 * labels (a click, or the multi-select's « A, B » joined message, or typed words) keep those;
 * « Non merci » / no refuses.
 */
export function readConsent(
  text: string,
  decision: RoutingDecision,
  service: OrientationService,
  u: { normalize(text: string): string; yesNo(text: string): boolean | null },
): ConsentAnswer {
  const n = u.normalize(text);
  const ids = uniqueActorIds(decision);
  if (n === u.normalize(fr.contact.acceptAll) || n === u.normalize(fr.contact.acceptOne)) return { kind: 'keep', actorIds: ids, via: 'button' };
  if (n === u.normalize(fr.contact.refuse)) return { kind: 'refuse', via: 'button' };
  // Structure names hold commas (« le CADES, pôle ESS… »): find each label in the text, not split it.
  const padded = ` ${n} `;
  const named = ids.filter((id) => {
    const referral = decision.referrals.find((r) => r.actorId === id)!;
    const forms = namesOf(service, id, referral.actorName);
    const subject = u.normalize(forms.subject);
    const bare = subject.replace(/^(les|le|la|l) /, '');
    return [subject, bare, u.normalize(referral.actorName)].some((form) => form.length > 2 && padded.includes(` ${form} `));
  });
  // « Sauf la CCI », « pas aux Ecossolies »: every structure but the named ones.
  if (named.length > 0 && named.length < ids.length && /(^| )(sauf|pas|sans|excepte|hormis)( |$)/.test(n)) {
    return { kind: 'keep', actorIds: ids.filter((id) => !named.includes(id)), via: 'names' };
  }
  if (named.length > 0) return { kind: 'keep', actorIds: named, via: 'names' };
  const yes = u.yesNo(text);
  if (yes === true) return { kind: 'keep', actorIds: ids, via: 'yes' };
  if (yes === false) return { kind: 'refuse', via: 'no' };
  return { kind: 'unclear' };
}

/** The decision reduced to the structures the holder kept: only they receive the request. */
export function keptDecision(decision: RoutingDecision, keep: readonly string[]): RoutingDecision {
  const referrals = decision.referrals.filter((r) => keep.includes(r.actorId));
  return { ...decision, referrals: referrals.length ? referrals : decision.referrals };
}
