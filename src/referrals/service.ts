// Referral use cases: create (idempotent per conversation, confirmed after the durable write),
// status transitions (DESIGN.md §3), decline with a reason and a suggested actor, escalation to
// the next tier, follow-up (reminders, expiry, check-ins), anonymisation and a holder's rights.
// Each use case commits its records and the e-mails it owes in one atomic write.
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { absenceOn, parisDay, type Actor } from '../domain/actor.js';
import { routingDecisionSchema, type DecisionReferral } from '../domain/decision.js';
import { profileSchema } from '../domain/profile.js';
import {
  ACTION_LABELS,
  DECLINE_REASONS,
  IMPLICIT_TAKE_CARE,
  STATUS_LABELS,
  TRANSITIONS,
  contactSchema,
  isClosed,
  type DeclineReason,
  type HistoryEntry,
  type Referral,
  type ReferralAction,
  type ReferralStatus,
  type ReferralTier,
} from '../domain/referral.js';
import {
  actorCheckIn,
  actorNewReferral,
  actorReminder,
  coordinatorAlert,
  frenchDate,
  holderClosed,
  holderConfirmation,
  holderEscalated,
  holderNoStructure,
  holderStatusLink,
  holderTakenCare,
  type HolderFollow,
  type ActionLinks,
  type CoordinatorAlert,
  type PreviousAttempt,
} from '../notifications/compose.js';
import { queuedMail } from '../notifications/mailer.js';
import { parisMidnight } from '../stats/filters.js';
import { nextMonth } from '../stats/monthly.js';
import { ConflictError, KeyedLock, type ConversationStore, type QueuedMail, type ReferralStore, type StoreItems } from '../store/index.js';
import type { ActorDirectory } from './actors.js';
import { ReferralError } from './errors.js';
import { newReference, referralId } from './ids.js';
import { actorLinksValidUntil, DEFAULT_POLICY, monthsBefore, type FollowUpPolicy } from './policy.js';
import type { LinkAction, LinkSigner } from './tokens.js';
import { addWorkingDays } from './workingDays.js';

const DAY = 86_400_000;

export const createReferralInputSchema = z.object({
  conversationId: z.string().min(1).max(200),
  partnerId: z.string().min(1).max(100).nullable().default(null),
  profile: profileSchema,
  decision: routingDecisionSchema,
  consent: z.object({ textVersion: z.string().min(1).max(60), at: z.coerce.date().optional() }),
  contact: contactSchema,
  /** The holder's own words (personal data: erased and anonymised with the contact). */
  description: z.string().trim().max(1000).nullable().default(null),
});
export type CreateReferralInput = z.input<typeof createReferralInputSchema>;

export interface CreatedReferral {
  id: string;
  actorId: string;
  actorName: string;
  tier: ReferralTier;
  promisedDays: number;
  status: ReferralStatus;
}

export interface CreateReferralResult {
  /** The number the holder is given (`AIG-7K3F-Q2`). */
  reference: string;
  /** False when the conversation already had its referral (double submit): nothing new. */
  created: boolean;
  referrals: CreatedReferral[];
  /** Longest promised call-back delay among the actors, in days: what the bot can promise. */
  promisedDays: number;
  holderEmailQueued: boolean;
  /** The holder's signed status page, for the bot's last message. */
  statusUrl: string;
}

export interface DeclineInput {
  reason: DeclineReason;
  /** Actor id the request should go to, in the decliner's opinion. */
  shouldGoTo?: string | null;
  comment?: string | null;
}

export interface FollowUpReport {
  reminded: number;
  expired: number;
  checkedIn: number;
  errors: number;
}

export interface HolderExport {
  reference: string;
  exportedAt: string;
  referrals: Referral[];
  conversations: StoreItems;
  pendingEmails: { id: string; kind: string; attempts: number }[];
}

export interface ErasureReport {
  reference: string;
  referrals: number;
  conversations: number;
  discardedEmails: number;
  outboxFiles: number;
}

export interface ReferralServiceOptions {
  store: ReferralStore;
  actors: ActorDirectory;
  signer: LinkSigner;
  /** Base of the links in e-mails (PUBLIC_URL). */
  publicUrl: string;
  conversations?: ConversationStore;
  now?: () => Date;
  policy?: Partial<FollowUpPolicy>;
  /**
   * Production (several instances): how often the monthly loads are re-read from the store, and
   * re-read after each creation. Unset (embedded, one process): read once, then counted locally.
   */
  loadRefreshMs?: number;
  /** Coordinators' address; without it, alerts become notes in the outbox. */
  adminEmail?: string;
  /** MAIL_REPLY_TO: the address holders are told to write to. */
  replyTo?: string;
  /** Deletes files that hold a request's personal data outside the store (outbox copies). */
  purgeFiles?: (reference: string) => Promise<number>;
  log?: (message: string) => void;
}

interface Target {
  actor: Actor;
  tier: ReferralTier;
  ruleId: string;
  reason: string;
}

interface Plan {
  records: Referral[];
  mails: QueuedMail[];
}

const NOT_SERIOUS: DeclineReason = 'demande_non_serieuse';
const ACTIVE_OR_CONCLUDED: readonly ReferralStatus[] = ['pending', 'taking_care', 'done', 'done_no_help', 'unreachable'];
const referenceOf = (id: string) => id.replace(/-\d+$/, '');
const parisMonthStart = (month: string) => new Date(parisMidnight(`${month}-01`));

/** What a plan may need to know from the store, read before the (synchronous) plan runs. */
interface PlanContext {
  /** The holder was already told that the request is closed. */
  holderClosedKnown: boolean;
}

export class ReferralService {
  readonly policy: FollowUpPolicy;
  private readonly lock = new KeyedLock();
  private readonly reservedReferences = new Set<string>();
  private loadCache: { month: string; counts: Map<string, number> };
  private loadRefresh: Promise<void> | undefined;
  private loadStale = false;
  private loadTimer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: ReferralServiceOptions) {
    this.policy = { ...DEFAULT_POLICY, ...options.policy };
    this.now = options.now ?? (() => new Date());
    this.loadCache = { month: parisDay(this.now()).slice(0, 7), counts: new Map() };
    void this.refreshLoads().catch(() => undefined);
    if (options.loadRefreshMs) {
      this.loadTimer = setInterval(() => void this.refreshLoads().catch(() => undefined), options.loadRefreshMs);
      this.loadTimer.unref();
    }
  }

  /** Stops the periodic refresh of the monthly loads. */
  close(): void {
    clearInterval(this.loadTimer);
  }

  // ── reading ────────────────────────────────────────────────────────────────

  get(id: string): Promise<Referral | undefined> {
    return this.options.store.referrals.get(id);
  }

  byReference(reference: string): Promise<Referral[]> {
    return this.options.store.referrals.byReference(reference);
  }

  /**
   * Referrals an actor received this calendar month (Paris): the router's `loadOf`, which is
   * synchronous. Served from a per-month count refreshed from the store (one grouped query)
   * every `loadRefreshMs` and after this instance's own commits, so that the referrals created
   * by other instances count too.
   */
  actorLoad(actorId: string): number {
    const month = parisDay(this.now()).slice(0, 7);
    if (this.loadCache.month !== month) {
      this.loadCache = { month, counts: new Map() };
      void this.refreshLoads().catch(() => undefined);
    }
    return this.loadCache.counts.get(actorId) ?? 0;
  }

  /** Reads this month's loads from the store; concurrent calls share one query, plus one after it. */
  refreshLoads(): Promise<void> {
    if (this.loadRefresh) {
      this.loadStale = true;
      return this.loadRefresh;
    }
    this.loadRefresh = (async () => {
      do {
        this.loadStale = false;
        const month = parisDay(this.now()).slice(0, 7);
        const counts = await this.options.store.referrals.monthlyLoads(parisMonthStart(month), parisMonthStart(nextMonth(month)));
        this.loadCache = { month, counts };
      } while (this.loadStale);
    })().finally(() => (this.loadRefresh = undefined));
    return this.loadRefresh;
  }

  /** Counts this instance's new records at once (the router may ask before the refresh lands). */
  private countNew(records: Referral[]): void {
    for (const r of records) {
      if (r.version === 1 && parisDay(new Date(r.createdAt)).slice(0, 7) === this.loadCache.month) {
        this.loadCache.counts.set(r.actorId, (this.loadCache.counts.get(r.actorId) ?? 0) + 1);
      }
    }
    if (records.some((r) => r.version === 1) && this.options.loadRefreshMs) void this.refreshLoads().catch(() => undefined);
  }

  // ── creation ───────────────────────────────────────────────────────────────

  async createReferral(raw: CreateReferralInput): Promise<CreateReferralResult> {
    const parsed = createReferralInputSchema.safeParse(raw);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'demande'} : ${i.message}`).join(' ; ');
      throw new ReferralError('invalid_input', `Demande d’orientation invalide — ${detail}`);
    }
    const input = parsed.data;
    return this.lock.run(`conversation:${input.conversationId}`, async () => {
      // Double submit of the same project: the records and their e-mails were committed
      // together, nothing is owed. Another project in the same conversation (after
      // « recommencer ») is a new request with its own reference.
      const existing = (await this.options.store.referrals.byConversation(input.conversationId)).filter((r) => isDeepStrictEqual(r.profile, input.profile));
      if (existing.length > 0) return await this.result(existing, false);
      const now = this.now();
      const targets = this.firstTargets(input.decision.referrals);
      let reference = newReference((r) => this.reservedReferences.has(r));
      while ((await this.options.store.referrals.referenceExists(reference)) || this.reservedReferences.has(reference)) reference = newReference((r) => this.reservedReferences.has(r));
      this.reservedReferences.add(reference);
      try {
        const at = now.toISOString();
        const records = targets.map((target, i): Referral => ({
          id: referralId(reference, i + 1),
          reference,
          version: 1,
          createdAt: at,
          updatedAt: at,
          partnerId: input.partnerId,
          conversationId: input.conversationId,
          profile: input.profile,
          decision: { rulesVersion: input.decision.rulesVersion, fallback: input.decision.fallback, referrals: input.decision.referrals },
          actorId: target.actor.id,
          actorName: target.actor.name,
          tier: target.tier,
          ruleId: target.ruleId,
          reason: target.reason,
          escalatedFrom: null,
          promisedDays: target.actor.recontactDays,
          consent: { textVersion: input.consent.textVersion, at: (input.consent.at ?? now).toISOString() },
          contact: input.contact,
          description: input.description || null,
          status: 'pending',
          statusAt: at,
          closedAt: null,
          decline: null,
          review: null,
          followUp: { reminders: 0, checkIns: 0 },
          erasedAt: null,
          anonymisedAt: null,
          history: [entry(now, 'create', 'holder', null, 'pending', `règle ${target.ruleId}`, null)],
        }));
        const mails = this.creationMails(records, now);
        // Confirmed only once on disk: records and the e-mails they owe, in one append.
        try {
          await this.options.store.commit({ referrals: records, enqueue: mails });
        } catch (error) {
          // The same submit committed on another instance meanwhile (PostgreSQL): answer with it.
          if (!(error instanceof ConflictError)) throw error;
          const committed = (await this.options.store.referrals.byConversation(input.conversationId)).filter((r) => isDeepStrictEqual(r.profile, input.profile));
          if (committed.length === 0) throw error;
          return await this.result(committed, false);
        }
        this.countNew(records);
        this.options.log?.(`orientation ${reference} créée (${records.map((r) => `${r.id} → ${r.actorId}`).join(', ')})`);
        // No read after the commit: the referral is confirmed even if the database drops now.
        return await this.result(records, true, mails.some((m) => m.id === `${reference}.holder-confirm`));
      } finally {
        this.reservedReferences.delete(reference);
      }
    });
  }

  private async result(records: Referral[], created: boolean, holderEmailQueued?: boolean): Promise<CreateReferralResult> {
    const first = records.filter((r) => r.escalatedFrom === null);
    const shown = first.length ? first : records;
    return {
      reference: records[0]!.reference,
      created,
      referrals: shown.map((r) => ({ id: r.id, actorId: r.actorId, actorName: r.actorName, tier: r.tier, promisedDays: r.promisedDays, status: r.status })),
      promisedDays: Math.max(...shown.map((r) => r.promisedDays)),
      holderEmailQueued: holderEmailQueued ?? (await this.options.store.mails.known(`${records[0]!.reference}.holder-confirm`)),
      statusUrl: this.statusUrl(records[0]!),
    };
  }

  /**
   * Who receives the request at once: every structure proposed (proximity and ESS expertise
   * together, as the holder was told), except a welcome (the ESS welcome of a territory), which
   * comes next if nobody follows the request; the network head when no structure is known.
   */
  private firstTargets(referrals: DecisionReferral[]): Target[] {
    const known = referrals
      .map((d) => ({ d, actor: this.options.actors.actorById(d.actorId) }))
      .filter((x): x is { d: DecisionReferral; actor: Actor } => x.actor !== undefined)
      .map(({ d, actor }): Target & { welcome: boolean } => ({ actor, tier: d.tier, ruleId: d.ruleId, reason: d.reason, welcome: d.welcome === true }));
    const now = known.filter((t) => !t.welcome);
    const targets = now.length ? now : known;
    if (targets.length) return targets.map(({ welcome: _welcome, ...target }) => target);
    const network = this.networkTarget();
    if (!network) throw new ReferralError('no_target', 'Aucune structure connue pour cette orientation : vérifiez l’annuaire des accompagnateurs.');
    return [network];
  }

  private networkTarget(): Target | undefined {
    const actor = this.options.actors.actorById(this.policy.networkActorId);
    if (!actor) return undefined;
    return {
      actor,
      tier: 'reseau',
      ruleId: 'escalade',
      reason: `${actor.name}, tête de réseau régionale de l’ESS, étudie les demandes qu’aucune structure n’a pu suivre et oriente le porteur.`,
    };
  }

  private creationMails(records: Referral[], now: Date): QueuedMail[] {
    const mails = records.flatMap((r) => this.actorNewMail(r, now, [], records.filter((o) => o.id !== r.id).map((o) => o.actorName)));
    const first = records[0]!;
    if (first.contact?.email) {
      const content = holderConfirmation({
        reference: first.reference,
        name: first.contact.name,
        referrals: records.map((referral) => ({ referral, actor: this.actorOf(referral) })),
        anonymiseAfterMonths: this.policy.anonymiseAfterMonths,
        then: this.nextTierNames(records),
        ...this.follow(first),
      });
      mails.push(queuedMail(`${first.reference}.holder-confirm`, first.reference, 'holder-confirm', [first.contact.email], content, now));
    }
    return mails;
  }

  /** The structures the request would go to after these ones (a welcome of the decision). */
  private nextTierNames(records: Referral[]): string[] {
    const sent = new Set(records.map((r) => r.actorId));
    return records[0]!.decision.referrals
      .filter((d) => !sent.has(d.actorId))
      .map((d) => this.options.actors.actorById(d.actorId))
      .filter((a): a is Actor => a?.active === true)
      .map((a) => a.name);
  }

  // ── transitions ────────────────────────────────────────────────────────────

  /**
   * Applies an action; `by` is `actor:<id>`, `system`, `coordinator:<who>` or `holder`.
   * `decline` needs a reason from DECLINE_REASONS (use `decline()` to suggest an actor).
   */
  async transition(id: string, action: ReferralAction, by: string, reason?: string): Promise<Referral> {
    if (action === 'decline') {
      if (!DECLINE_REASONS.includes(reason as DeclineReason)) {
        throw new ReferralError('invalid_input', `Motif de refus inconnu : choisissez parmi ${DECLINE_REASONS.join(', ')}.`);
      }
      return this.decline(id, { reason: reason as DeclineReason }, by);
    }
    return this.mutate(id, (record, dossier, now, context) => {
      const updated = applyAction(record, action, by, reason ?? null, now);
      const plan: Plan = { records: [updated], mails: [] };
      const tookCare = record.status === 'pending' && (action === 'take_care' || IMPLICIT_TAKE_CARE.includes(action));
      if (tookCare) plan.mails.push(...this.takenCareMails(updated, now));
      if (action === 'expire') return this.followOn(plan, dossier, updated, 'expired', now);
      plan.mails.push(...this.closedMails(updated, dossier, now, context));
      return plan;
    });
  }

  async decline(id: string, input: DeclineInput, by: string): Promise<Referral> {
    if (!DECLINE_REASONS.includes(input.reason)) {
      throw new ReferralError('invalid_input', `Motif de refus inconnu : choisissez parmi ${DECLINE_REASONS.join(', ')}.`);
    }
    const shouldGoTo = input.shouldGoTo || null;
    if (shouldGoTo && !this.options.actors.actorById(shouldGoTo)) {
      throw new ReferralError('unknown_actor', `Structure suggérée inconnue : « ${shouldGoTo} ».`);
    }
    const comment = input.comment?.trim().slice(0, 500) || null;
    return this.mutate(id, (record, dossier, now) => {
      const updated = applyAction(record, 'decline', by, input.reason, now);
      updated.decline = { reason: input.reason, shouldGoTo: shouldGoTo === record.actorId ? null : shouldGoTo, comment };
      // A test or a joke: the request stops here. No next tier, no e-mail to the "holder"; the
      // coordination is told, so that nothing is dropped silently.
      if (input.reason === NOT_SERIOUS) {
        return { records: [updated], mails: [this.alertMail(updated, ['not_serious'], comment ? [`Commentaire : ${comment}`] : [], now)] };
      }
      return this.followOn({ records: [updated], mails: [] }, dossier, updated, 'declined', now);
    });
  }

  /** A coordinator sends the request to an actor of their choice (after a review, typically). */
  async reroute(id: string, actorId: string, by: string): Promise<Referral> {
    const actor = this.options.actors.actorById(actorId);
    if (!actor) throw new ReferralError('unknown_actor', `Structure inconnue : « ${actorId} ».`);
    return this.mutate(id, (record, dossier, now) => {
      if (!isClosed(record.status) || record.status === 'done') {
        throw new ReferralError('invalid_transition', `L’orientation ${id} est « ${STATUS_LABELS[record.status]} » : seule une orientation déclinée ou expirée peut être réorientée.`);
      }
      if (dossier.some((r) => r.actorId === actorId && !isClosed(r.status))) {
        throw new ReferralError('invalid_transition', `La demande ${record.reference} est déjà en cours chez ${actor.name}.`);
      }
      const tier: ReferralTier = actor.role;
      const source = bump(record, now);
      source.review = null;
      const plan: Plan = { records: [source], mails: [] };
      const target: Target = { actor, tier, ruleId: 'coordination', reason: `Orientation confiée par la coordination d’Aiguillage à ${actor.name}.` };
      this.addFollowOn(plan, dossier, source, [target], 'reroute', by, now);
      return plan;
    });
  }

  /** A coordinator has looked at an « à vérifier » case and says why nothing more is needed. */
  async clearReview(id: string, note: string, by: string): Promise<Referral> {
    const why = note.trim().slice(0, 500);
    if (!why) throw new ReferralError('invalid_input', 'Écrivez une note : ce qui a été vérifié ou décidé.');
    return this.mutate(id, (record, _dossier, now) => {
      if (!record.review) throw new ReferralError('already_done', `L’orientation ${id} n’est pas « à vérifier ».`);
      const updated = bump(record, now);
      updated.review = null;
      updated.history.push(entry(now, 'review', by, record.status, record.status, `vérifiée : ${why}`, null));
      return { records: [updated], mails: [] };
    });
  }

  private async mutate(id: string, change: (record: Referral, dossier: Referral[], now: Date, context: PlanContext) => Plan): Promise<Referral> {
    return this.lock.run(`reference:${referenceOf(id)}`, async () => {
      // The lock is this instance's: another instance may save the request meanwhile
      // (ConflictError). Planned again from what it saved, the action may then be « déjà fait ».
      for (let attempt = 1; ; attempt++) {
        const record = await this.options.store.referrals.get(id);
        if (!record) throw new ReferralError('not_found', `Orientation ${id} introuvable.`);
        const dossier = await this.options.store.referrals.byReference(record.reference);
        const context: PlanContext = { holderClosedKnown: await this.options.store.mails.known(`${record.reference}.holder-closed`) };
        const plan = change(structuredClone(record), dossier, this.now(), context);
        if (plan.records.length === 0) return record; // nothing to do after all
        try {
          await this.options.store.commit({ referrals: plan.records, enqueue: plan.mails });
        } catch (error) {
          if (error instanceof ConflictError && attempt < 3) continue;
          throw error;
        }
        return this.committed(id, plan);
      }
    });
  }

  /** Runs `work` again (reading afresh) when another instance saved the request meanwhile. */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 3) throw error;
      }
    }
  }

  private committed(id: string, plan: Plan): Referral {
    this.countNew(plan.records);
    const updated = plan.records.find((r) => r.id === id)!;
    const created = plan.records.filter((r) => r.version === 1).map((r) => r.id);
    this.options.log?.(`orientation ${id} : ${STATUS_LABELS[updated.status]}${created.length ? `, confiée ensuite à ${created.join(', ')}` : ''}`);
    return updated;
  }

  /** What follows a decline or an expiry: re-routing, escalation, or a coordinator's review. */
  private followOn(plan: Plan, dossier: Referral[], closing: Referral, cause: 'expired' | 'declined', now: Date): Plan {
    const alerts: CoordinatorAlert[] = cause === 'expired' ? ['expired'] : [];
    const details: string[] = [];
    const tried = new Set(dossier.map((r) => r.actorId));
    const suggested = closing.decline?.shouldGoTo ?? null;

    if (suggested) {
      const nextTier = nextTierOf(closing.tier);
      const inNextTier =
        closing.decision.referrals.some((d) => d.actorId === suggested && d.tier === nextTier) ||
        (nextTier === 'reseau' && suggested === this.policy.networkActorId);
      const actor = this.options.actors.actorById(suggested);
      if (inNextTier && actor?.active && !tried.has(suggested)) {
        const decided = closing.decision.referrals.find((d) => d.actorId === suggested);
        const target: Target = decided
          ? { actor, tier: decided.tier, ruleId: decided.ruleId, reason: decided.reason }
          : this.networkTarget()!;
        this.addFollowOn(plan, dossier, closing, [target], 'reroute', 'system', now);
        return plan;
      }
      closing.review = { kind: 'suggested_actor', actorId: suggested, at: now.toISOString() };
      closing.history.push(entry(now, 'review', 'system', closing.status, closing.status, 'structure suggérée hors du niveau suivant : à vérifier', null));
      alerts.push('suggested_actor');
      details.push(`Structure suggérée par ${closing.actorId} : ${suggested}`);
      plan.mails.push(this.alertMail(closing, alerts, details, now));
      return plan;
    }

    const others = dossier.filter((r) => r.id !== closing.id);
    if (others.some((r) => ACTIVE_OR_CONCLUDED.includes(r.status) && r.erasedAt === null) || closing.erasedAt !== null) {
      if (alerts.length) plan.mails.push(this.alertMail(closing, alerts, ['Une autre structure suit encore la demande.'], now));
      return plan;
    }
    const targets = this.escalationTargets(dossier, closing, tried, now);
    if (targets.length === 0) {
      closing.review = { kind: 'no_target', actorId: null, at: now.toISOString() };
      closing.history.push(entry(now, 'review', 'system', closing.status, closing.status, 'plus aucune structure disponible', null));
      alerts.push('no_target');
      plan.mails.push(this.alertMail(closing, alerts, details, now));
      if (closing.contact?.email && closing.erasedAt === null) {
        const content = holderNoStructure({ referral: closing, ...this.follow(closing) });
        plan.mails.push(queuedMail(`${closing.reference}.holder-no-structure`, closing.reference, 'holder-no-structure', [closing.contact.email], content, now));
      }
      return plan;
    }
    this.addFollowOn(plan, dossier, closing, targets, 'escalate', 'system', now);
    alerts.push('escalated');
    const created = plan.records.filter((r) => r.version === 1);
    details.push(`Confiée à : ${created.map((r) => `${r.id} (${r.actorId})`).join(', ')}`);
    plan.mails.push(this.alertMail(closing, alerts, details, now));
    return plan;
  }

  /**
   * After everyone tried has closed: the structures of the decision not tried yet (a welcome),
   * available today, then the network head.
   */
  private escalationTargets(dossier: Referral[], closing: Referral, tried: Set<string>, now: Date): Target[] {
    const untried = closing.decision.referrals
      .filter((d) => !tried.has(d.actorId))
      .map((d) => ({ d, actor: this.options.actors.actorById(d.actorId) }))
      .filter((x): x is { d: DecisionReferral; actor: Actor } => x.actor !== undefined && this.available(x.actor, now))
      .map(({ d, actor }): Target => ({ actor, tier: d.tier, ruleId: d.ruleId, reason: d.reason }));
    if (untried.length) return untried;
    const network = this.networkTarget();
    return network && network.actor.active && !tried.has(network.actor.id) ? [network] : [];
  }

  /** As the router judges it today: active, not absent, below its monthly capacity. */
  private available(actor: Actor, now: Date): boolean {
    if (!actor.active || absenceOn(actor, parisDay(now))) return false;
    return actor.monthlyCapacity === undefined || this.actorLoad(actor.id) < actor.monthlyCapacity;
  }

  /** New records in the same request, with the history handed over; the holder is told. */
  private addFollowOn(plan: Plan, dossier: Referral[], source: Referral, targets: Target[], kind: 'escalate' | 'reroute', by: string, now: Date): void {
    const at = now.toISOString();
    const why = kind === 'reroute' ? 'réorientation' : source.status === 'expired' ? 'escalade après expiration' : 'escalade après refus';
    const created = targets.map((target, i): Referral => ({
      ...structuredClone(source),
      id: referralId(source.reference, dossier.length + 1 + i),
      version: 1,
      createdAt: at,
      updatedAt: at,
      actorId: target.actor.id,
      actorName: target.actor.name,
      tier: target.tier,
      ruleId: target.ruleId,
      reason: target.reason,
      escalatedFrom: source.id,
      promisedDays: target.actor.recontactDays,
      status: 'pending',
      statusAt: at,
      closedAt: null,
      decline: null,
      review: null,
      followUp: { reminders: 0, checkIns: 0 },
      history: [entry(now, 'create', by, null, 'pending', why, source.id)],
    }));
    source.history.push(entry(now, kind, by, source.status, source.status, why, created.map((r) => r.id).join(',')));
    plan.records.push(...created);
    const previous: PreviousAttempt[] = [...dossier.filter((r) => r.id !== source.id), source].map((r) => ({
      actorName: r.actorName,
      createdAt: r.createdAt,
      status: r.status,
      declineReason: r.decline?.reason ?? null,
    }));
    for (const record of created) plan.mails.push(...this.actorNewMail(record, now, previous, created.filter((o) => o.id !== record.id).map((o) => o.actorName)));
    if (source.contact?.email && source.erasedAt === null) {
      const content = holderEscalated({
        ...this.follow(source),
        referral: source,
        previousActorName: source.actorName,
        why: source.status === 'expired' ? 'expired' : 'declined',
        targets: created.map((referral) => ({ referral, actor: this.actorOf(referral) })),
      });
      plan.mails.push(queuedMail(`${created[0]!.id}.holder-escalated`, source.reference, 'holder-escalated', [source.contact.email], content, now));
    }
  }

  // ── follow-up ──────────────────────────────────────────────────────────────

  /** One pass of reminders, expiries (with escalation) and check-ins. */
  async followUp(): Promise<FollowUpReport> {
    const report: FollowUpReport = { reminded: 0, expired: 0, checkedIn: 0, errors: 0 };
    const now = this.now();
    // Only what may be due: a reminder or an expiry needs at least that many calendar days
    // (working days are longer), a check-in the first check-in's delay.
    const pendingDays = Math.min(this.policy.expireDays, ...this.policy.reminderWorkingDays);
    const checkInDays = this.policy.checkInDays.length ? Math.min(...this.policy.checkInDays) : null;
    const work = await this.options.store.referrals.followUpCandidates({
      pendingCreatedBefore: new Date(now.getTime() - pendingDays * DAY),
      takingCareSince: checkInDays === null ? null : new Date(now.getTime() - checkInDays * DAY),
    });
    for (const s of work) {
      try {
        if (s.status === 'pending') {
          if (now.getTime() - s.createdAt >= this.policy.expireDays * DAY) {
            await this.transition(s.id, 'expire', 'system', `sans réponse en ${this.policy.expireDays} jours`);
            report.expired += 1;
            continue;
          }
          const due = this.policy.reminderWorkingDays.filter((d) => addWorkingDays(new Date(s.createdAt), d) <= now).length;
          if (due > s.reminders && (await this.remind(s.id, due))) report.reminded += 1;
        } else {
          const due = this.policy.checkInDays.filter((d) => s.statusAt + d * DAY <= now.getTime()).length;
          if (due > s.checkIns && (await this.checkIn(s.id, due))) report.checkedIn += 1;
        }
      } catch (error) {
        report.errors += 1;
        this.options.log?.(`suivi de l’orientation ${s.id} impossible : ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return report;
  }

  private async remind(id: string, n: number): Promise<boolean> {
    let sent = false;
    await this.mutate(id, (record, _dossier, now) => {
      sent = false; // planned again after a conflict
      if (record.status !== 'pending' || record.followUp.reminders >= n) return { records: [], mails: [] };
      const updated = bump(record, now);
      updated.followUp.reminders = n;
      updated.history.push(entry(now, 'remind', 'system', 'pending', 'pending', `relance ${n}`, null));
      const actor = this.actorOf(updated);
      const { links, validUntil } = this.links(updated, ['take_care', 'decline', 'done', 'done_no_help', 'unreachable'], now);
      const content = actorReminder({ referral: updated, actor, links, linksValidUntil: validUntil, expireDays: this.policy.expireDays, reminder: n });
      sent = true;
      return { records: [updated], mails: [queuedMail(`${id}.remind-${n}`, updated.reference, 'actor-remind', [actor.notification.email], content, now)] };
    }).catch((error: unknown) => {
      if (error instanceof ReferralError && error.code === 'not_found') return undefined;
      throw error;
    });
    return sent;
  }

  private async checkIn(id: string, n: number): Promise<boolean> {
    let sent = false;
    await this.mutate(id, (record, _dossier, now) => {
      sent = false; // planned again after a conflict
      if (record.status !== 'taking_care' || record.followUp.checkIns >= n) return { records: [], mails: [] };
      const updated = bump(record, now);
      updated.followUp.checkIns = n;
      updated.history.push(entry(now, 'check_in', 'system', 'taking_care', 'taking_care', `point d’étape ${n}`, null));
      const actor = this.actorOf(updated);
      const { links, validUntil } = this.links(updated, ['done', 'done_no_help', 'unreachable'], now);
      const content = actorCheckIn({ referral: updated, actor, links, linksValidUntil: validUntil });
      sent = true;
      return { records: [updated], mails: [queuedMail(`${id}.check-in-${n}`, updated.reference, 'actor-check-in', [actor.notification.email], content, now)] };
    });
    return sent;
  }

  // ── the holder's follow-up ─────────────────────────────────────────────────

  /**
   * Sends the status link again to the e-mail on file (asked from the chat, where anyone may
   * type a reference): at most once a day per request, and the address is never shown.
   */
  async resendStatusLink(reference: string): Promise<'sent' | 'already_sent' | 'no_email' | 'not_found'> {
    const ref = reference.trim().toUpperCase();
    return this.lock.run(`reference:${ref}`, async () => {
      const records = await this.options.store.referrals.byReference(ref);
      if (records.length === 0) return 'not_found';
      const first = records[0]!;
      if (!first.contact?.email || first.erasedAt !== null) return 'no_email';
      const now = this.now();
      const id = `${ref}.holder-link-${parisDay(now)}`;
      if (await this.options.store.mails.known(id)) return 'already_sent';
      const content = holderStatusLink({ reference: ref, name: first.contact.name, ...this.follow(first) });
      await this.options.store.commit({ enqueue: [queuedMail(id, ref, 'holder-link', [first.contact.email], content, now)] });
      return 'sent';
    });
  }

  // ── personal data ──────────────────────────────────────────────────────────

  /** Anonymises records closed (or idle) for longer than the policy allows; returns how many. */
  async anonymiseDue(): Promise<number> {
    const cutoff = monthsBefore(this.now(), this.policy.anonymiseAfterMonths).getTime();
    const references = await this.options.store.referrals.anonymisationDue(new Date(cutoff));
    let count = 0;
    for (const reference of references) {
      count += await this.lock.run(`reference:${reference}`, () => this.retrying(async () => {
        const now = this.now();
        const records = (await this.options.store.referrals.byReference(reference)).filter(
          (r) => r.anonymisedAt === null && Date.parse(r.closedAt ?? r.statusAt) <= cutoff,
        );
        const scrubbed = records.map((r) => scrub(r, now, 'anonymise', 'system'));
        if (records.length === 0) return 0;
        // E-mails still retrying after all this time hold personal data too.
        const discard = (await this.options.store.mails.queuedFor(reference)).map((m) => m.id);
        await this.options.store.commit({ referrals: scrubbed, discard });
        await this.options.purgeFiles?.(reference);
        return scrubbed.length;
      }));
    }
    if (count) this.options.log?.(`${count} orientation(s) anonymisée(s)`);
    return count;
  }

  private async holderRecords(reference: string, proof: string): Promise<Referral[]> {
    const records = await this.options.store.referrals.byReference(reference.trim().toUpperCase());
    const wanted = normaliseProof(proof);
    const matches = records.some((r) => r.contact && (normaliseProof(r.contact.email ?? '') === wanted || normaliseProof(r.contact.phone ?? '') === wanted));
    if (!wanted || !matches) {
      throw new ReferralError('not_found', `Aucune donnée personnelle ne correspond à la référence ${reference} et à cette adresse.`);
    }
    return records;
  }

  /** Everything stored about one holder's request, for the holder (reference + e-mail or phone). */
  async exportHolder(reference: string, proof: string): Promise<HolderExport> {
    const records = await this.holderRecords(reference, proof);
    const conversations: StoreItems = {};
    for (const id of new Set(records.map((r) => r.conversationId))) {
      Object.assign(conversations, (await this.options.conversations?.findByConversationId(id)) ?? {});
    }
    const pendingEmails: HolderExport['pendingEmails'] = [];
    for (const m of await this.options.store.mails.queuedFor(records[0]!.reference)) {
      const mail = await this.options.store.mails.get(m.id);
      if (mail) pendingEmails.push({ id: mail.id, kind: mail.kind, attempts: mail.attempts });
    }
    return { reference: records[0]!.reference, exportedAt: this.now().toISOString(), referrals: records, conversations, pendingEmails };
  }

  /** Erases one holder's personal data now: records scrubbed, e-mails not yet sent dropped. */
  async eraseHolder(reference: string, proof: string, by = 'holder'): Promise<ErasureReport> {
    const first = await this.holderRecords(reference, proof);
    const ref = first[0]!.reference;
    const report = await this.lock.run(`reference:${ref}`, () => this.retrying(async () => {
      const now = this.now();
      const records = await this.options.store.referrals.byReference(ref);
      const conversationIds = new Set(records.map((r) => r.conversationId));
      const discard = (await this.options.store.mails.queuedFor(ref)).map((m) => m.id);
      await this.options.store.commit({ referrals: records.map((r) => scrub(r, now, 'erase', by)), discard });
      let conversations = 0;
      for (const id of conversationIds) conversations += (await this.options.conversations?.deleteByConversationId(id)) ?? 0;
      const outboxFiles = (await this.options.purgeFiles?.(ref)) ?? 0;
      return { reference: ref, referrals: records.length, conversations, discardedEmails: discard.length, outboxFiles };
    }));
    // Old journal lines still hold the data until they are compacted away: do it now.
    await this.options.store.compact({ pruneReceiptsBefore: new Date(this.now().getTime() - this.policy.receiptDays * DAY) });
    this.options.log?.(`données du porteur effacées pour ${ref}`);
    return report;
  }

  // ── e-mails ────────────────────────────────────────────────────────────────

  private actorOf(record: Referral): Actor {
    const actor = this.options.actors.actorById(record.actorId);
    if (!actor) throw new ReferralError('unknown_actor', `Structure « ${record.actorId} » absente de l’annuaire.`);
    return actor;
  }

  private links(record: Referral, actions: LinkAction[], now: Date): { links: ActionLinks; validUntil: Date } {
    const validUntil = actorLinksValidUntil(this.policy, record, now);
    const base = this.options.publicUrl.replace(/\/+$/, '');
    const links: ActionLinks = {};
    for (const action of actions) links[action] = `${base}/r/${this.options.signer.sign(record.id, action, validUntil)}`;
    return { links, validUntil };
  }

  /** Fresh links for an actor's page after an action (the e-mail's may be near expiry). */
  nextLinks(record: Referral): ActionLinks {
    const actions: LinkAction[] = record.status === 'taking_care' ? ['done', 'done_no_help', 'unreachable'] : [];
    return this.links(record, actions, this.now()).links;
  }

  private actorNewMail(record: Referral, now: Date, previous: PreviousAttempt[], alongside: string[] = []): QueuedMail[] {
    const actor = this.actorOf(record);
    const { links, validUntil } = this.links(record, ['take_care', 'decline', 'done', 'done_no_help', 'unreachable'], now);
    const content = actorNewReferral({ referral: record, actor, links, linksValidUntil: validUntil, expireDays: this.policy.expireDays, previous, alongside });
    return [queuedMail(`${record.id}.actor-new`, record.reference, 'actor-new', [actor.notification.email], content, now)];
  }

  /** The holder's status link: valid as long as the request keeps personal data. */
  statusUrl(record: Pick<Referral, 'reference' | 'createdAt'>): string {
    const until = monthsBefore(new Date(record.createdAt), -this.policy.anonymiseAfterMonths);
    return `${this.options.publicUrl.replace(/\/+$/, '')}/suivi/${this.options.signer.signStatus(record.reference, until)}`;
  }

  private follow(record: Pick<Referral, 'reference' | 'createdAt'>): HolderFollow {
    return { statusUrl: this.statusUrl(record), replyTo: this.options.replyTo };
  }

  /** The last structure still working on the request has closed it: the holder is told once. */
  private closedMails(updated: Referral, dossier: Referral[], now: Date, context: PlanContext): QueuedMail[] {
    if (!updated.contact?.email || updated.erasedAt !== null || !isClosed(updated.status)) return [];
    const stillOpen = dossier.some((r) => r.id !== updated.id && !isClosed(r.status));
    const id = `${updated.reference}.holder-closed`;
    if (stillOpen || context.holderClosedKnown) return [];
    const content = holderClosed({ referral: updated, actor: this.actorOf(updated), ...this.follow(updated) });
    return [queuedMail(id, updated.reference, 'holder-closed', [updated.contact.email], content, now)];
  }

  private takenCareMails(record: Referral, now: Date): QueuedMail[] {
    if (!record.contact?.email || record.erasedAt !== null) return [];
    const content = holderTakenCare({ referral: record, actor: this.actorOf(record), ...this.follow(record) });
    return [queuedMail(`${record.id}.holder-taken`, record.reference, 'holder-taken', [record.contact.email], content, now)];
  }

  private alertMail(record: Referral, kinds: CoordinatorAlert[], details: string[], now: Date): QueuedMail {
    const content = coordinatorAlert({
      id: record.id,
      actorId: record.actorId,
      kinds,
      details: [`Statut : ${STATUS_LABELS[record.status]} depuis le ${frenchDate(record.statusAt)}`, ...details],
    });
    const to = this.options.adminEmail ? [this.options.adminEmail] : [];
    return queuedMail(`${record.id}.coord-${kinds.join('-')}`, record.reference, 'coordinator', to, content, now);
  }

}

// ── pure helpers ─────────────────────────────────────────────────────────────

function entry(
  now: Date,
  action: HistoryEntry['action'],
  by: string,
  from: ReferralStatus | null,
  to: ReferralStatus,
  reason: string | null,
  relatedId: string | null,
): HistoryEntry {
  return { at: now.toISOString(), action, by, from, to, reason, relatedId };
}

/** A copy ready to be saved as the next version. */
function bump(record: Referral, now: Date): Referral {
  return { ...structuredClone(record), version: record.version + 1, updatedAt: now.toISOString() };
}

function nextTierOf(tier: ReferralTier): ReferralTier | null {
  return tier === 'local' ? 'expert' : tier === 'expert' ? 'reseau' : null;
}

const allowedFrom = (action: ReferralAction): ReferralStatus[] => [
  ...(IMPLICIT_TAKE_CARE.includes(action) ? (['pending'] as ReferralStatus[]) : []),
  ...TRANSITIONS[action].from,
];

/** The status change itself, with DESIGN.md §3 enforced; French message when refused. */
export function applyAction(record: Referral, action: ReferralAction, by: string, reason: string | null, now: Date): Referral {
  const rule = TRANSITIONS[action];
  if (record.status === rule.to) {
    throw new ReferralError('already_done', `L’orientation ${record.id} est déjà « ${STATUS_LABELS[rule.to]} » depuis le ${frenchDate(record.statusAt)}.`);
  }
  const from = allowedFrom(action);
  if (!from.includes(record.status)) {
    throw new ReferralError(
      'invalid_transition',
      `Action impossible : l’orientation ${record.id} est « ${STATUS_LABELS[record.status]} » ; « ${ACTION_LABELS[action]} » n’est possible que si elle est « ${from.map((s) => STATUS_LABELS[s]).join(' » ou « ')} ».`,
    );
  }
  const updated = bump(record, now);
  if (record.status === 'pending' && IMPLICIT_TAKE_CARE.includes(action)) {
    updated.history.push(entry(now, 'take_care', by, 'pending', 'taking_care', 'prise en charge implicite', null));
    updated.status = 'taking_care';
  }
  updated.history.push(entry(now, action, by, updated.status, rule.to, reason, null));
  updated.status = rule.to;
  updated.statusAt = now.toISOString();
  updated.closedAt = isClosed(rule.to) ? now.toISOString() : null;
  return updated;
}

function normaliseProof(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.includes('@')) return v;
  const digits = v.replace(/[^0-9+]/g, '').replace(/^\+33/, '0');
  return digits.length >= 6 ? digits : '';
}

/** Removes personal fields; keeps what statistics need (profile, decision, statuses, dates). */
export function scrub(record: Referral, now: Date, action: 'anonymise' | 'erase', by: string): Referral {
  const updated = bump(record, now);
  updated.contact = null;
  updated.description = null;
  updated.conversationId = `anonyme-${createHash('sha256').update(record.conversationId).digest('hex').slice(0, 16)}`;
  if (updated.decline) updated.decline.comment = null;
  // Reasons typed by people may name someone; system reasons and codes stay.
  for (const h of updated.history) if (h.by !== 'system' && h.by !== 'holder' && !DECLINE_REASONS.includes(h.reason as DeclineReason)) h.reason = null;
  updated.history.push(entry(now, action, by, record.status, record.status, action === 'erase' ? 'demande du porteur' : 'durée de conservation atteinte', null));
  if (action === 'erase') updated.erasedAt = now.toISOString();
  updated.anonymisedAt = now.toISOString();
  return updated;
}
