// What the statistics and the inbox need of every referral, in compact columns (no personal
// data). Built once from the store (reading each body), then kept current by reading the
// records written since the last pass (`changes`: on PostgreSQL, other instances' writes too).
import { DECLINE_REASONS, REFERRAL_STATUSES, REFERRAL_TIERS, type Referral, type ReferralStatus } from '../domain/referral.js';
import { NEEDS, PROJECT_TYPES, SECTORS, STAGES } from '../domain/profile.js';
import type { ReferralStore } from '../store/ports.js';
import { contactKey, contentSignals, REPEAT_THRESHOLD, SPAM_SIGNALS } from '../referrals/spam.js';
import { Dict, f64, i32, u16, u8 } from './columns.js';

export const STATUS_CODE = new Map(REFERRAL_STATUSES.map((s, i) => [s, i] as const));
const TIER_CODE = new Map(REFERRAL_TIERS.map((s, i) => [s, i] as const));
const code = <T extends string>(list: readonly T[], value: T | null | undefined) => (value ? list.indexOf(value) + 1 : 0);

export class ReferralIndex {
  /** Number of rows (one per referral record). */
  size = 0;
  readonly ids: string[] = [];
  private readonly slots = new Map<string, number>();

  readonly references = new Dict();
  readonly actors = new Dict();
  readonly partners = new Dict();
  readonly rules = new Dict();
  readonly rulesVersions = new Dict();
  readonly epcis = new Dict();
  readonly communes = new Dict();
  readonly departements = new Dict();
  /** Names seen in records, for display (communes and EPCIs by code). */
  readonly placeNames = new Map<string, string>();

  readonly version = i32();
  readonly reference = i32();
  readonly createdAt = f64();
  readonly statusAt = f64();
  /** First time the record reached "prise en charge" (implicitly included); NaN if never. */
  readonly takenCareAt = f64();
  readonly promisedDays = u16();
  readonly status = u8();
  readonly tier = u8();
  readonly actor = u16();
  readonly partner = u16();
  readonly rule = u16();
  readonly rulesVersion = u16();
  readonly fallback = u8();
  /** 1 when the record continues another one (escalation, re-routing): not a new request. */
  readonly followOn = u8();
  readonly epci = u16();
  readonly commune = i32();
  readonly departement = u16();
  /** Index + 1 in STAGES / SECTORS / PROJECT_TYPES; 0 = unknown. */
  readonly stage = u8();
  readonly sector = u8();
  readonly projectType = u8();
  /** Bit i set: NEEDS[i]. */
  readonly needs = u8();
  /** Index + 1 in DECLINE_REASONS; 0 = not declined. */
  readonly declineReason = u8();
  readonly shouldGoTo = u16();
  /** Declined by the coordination (re-routing away from a deactivated actor), not by the actor. */
  readonly declinedByCoordination = u8();
  readonly review = u8();
  /** Bit i set: SPAM_SIGNALS[i] found in the request itself. */
  readonly spam = u8();
  /** Declined as « demande non sérieuse / test »: set apart in the statistics. */
  readonly notSerious = u8();
  /** Same contact (hashed key, in memory only) → the references it made. */
  private readonly contactOf: (string | null)[] = [];
  /** A lone reference is stored bare: most contacts made one request (1,000,000 Sets cost ≈ 150 MiB). */
  private readonly byContact = new Map<string, number | Set<number>>();

  private syncing: Promise<number> | undefined;
  /** True once a first pass has read the whole store (a first build takes ≈ 1 min at 1,000,000). */
  built = false;
  /** Bumped by every `put`: what was computed from the index at another generation is stale. */
  generation = 0;
  private cursor: string | null = null;
  private source: unknown;

  /** Brings the index up to date; resolves with the number of records read. */
  sync(store: Pick<ReferralStore, 'referrals'>): Promise<number> {
    this.syncing ??= this.runSync(store).finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async runSync(store: Pick<ReferralStore, 'referrals'>): Promise<number> {
    // A cursor belongs to one store: another one (a test reopening) is read from the start.
    if (this.source !== store.referrals) {
      this.source = store.referrals;
      this.cursor = null;
    }
    let read = 0;
    let pending = store.referrals.changes(this.cursor, 2000);
    for (;;) {
      const page = await pending;
      // The next page is fetched while this one is indexed (the database and Node work at once).
      if (!page.done) {
        pending = store.referrals.changes(page.cursor, 2000);
        pending.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      }
      for (const record of page.records) {
        const slot = this.slots.get(record.id);
        if (slot !== undefined && this.version.data[slot] === record.version) continue;
        this.put(record);
        read += 1;
      }
      this.cursor = page.cursor;
      if (page.done) {
        this.built = true;
        return read;
      }
      // A first build reads every body: let the server breathe between pages.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Adds or replaces one record (also used by tests and benchmarks on generated data). */
  put(r: Referral): void {
    this.generation += 1;
    let slot = this.slots.get(r.id);
    if (slot === undefined) {
      slot = this.size;
      this.size += 1;
      this.slots.set(r.id, slot);
      this.ids.push(r.id);
      for (const column of this.columns()) column.ensure(this.size);
    }
    const p = r.profile;
    if (p.commune) this.placeNames.set(p.commune.code, p.commune.nom);
    if (p.epci) this.placeNames.set(p.epci.code, p.epci.nom);
    let takenCare = Number.NaN;
    for (const h of r.history) {
      if (h.to === 'taking_care') {
        takenCare = Date.parse(h.at);
        break;
      }
    }
    let needs = 0;
    for (const n of p.needs) needs |= 1 << NEEDS.indexOf(n);
    const declineEntry = r.status === 'declined' ? r.history.findLast((h) => h.action === 'decline') : undefined;

    this.version.data[slot] = r.version;
    this.reference.data[slot] = this.references.id(r.reference);
    this.createdAt.data[slot] = Date.parse(r.createdAt);
    this.statusAt.data[slot] = Date.parse(r.statusAt);
    this.takenCareAt.data[slot] = takenCare;
    this.promisedDays.data[slot] = r.promisedDays;
    this.status.data[slot] = STATUS_CODE.get(r.status)!;
    this.tier.data[slot] = TIER_CODE.get(r.tier)!;
    this.actor.data[slot] = this.actors.id(r.actorId);
    this.partner.data[slot] = this.partners.id(r.partnerId);
    this.rule.data[slot] = this.rules.id(r.ruleId);
    this.rulesVersion.data[slot] = this.rulesVersions.id(r.decision.rulesVersion);
    this.fallback.data[slot] = r.decision.fallback ? 1 : 0;
    this.followOn.data[slot] = r.escalatedFrom ? 1 : 0;
    this.epci.data[slot] = this.epcis.id(p.epci?.code);
    this.commune.data[slot] = this.communes.id(p.commune?.code);
    this.departement.data[slot] = this.departements.id(p.departement);
    this.stage.data[slot] = code(STAGES, p.stage);
    this.sector.data[slot] = code(SECTORS, p.sector);
    this.projectType.data[slot] = code(PROJECT_TYPES, p.projectType);
    this.needs.data[slot] = needs;
    this.declineReason.data[slot] = r.decline ? code(DECLINE_REASONS, r.decline.reason) : 0;
    this.shouldGoTo.data[slot] = this.actors.id(r.decline?.shouldGoTo);
    this.declinedByCoordination.data[slot] = declineEntry?.by.startsWith('coordinator:') ? 1 : 0;
    this.review.data[slot] = r.review ? 1 : 0;
    let spam = 0;
    for (const signal of contentSignals(r)) spam |= 1 << SPAM_SIGNALS.indexOf(signal);
    this.spam.data[slot] = spam;
    this.notSerious.data[slot] = r.decline?.reason === 'demande_non_serieuse' ? 1 : 0;
    const key = contactKey(r.contact);
    const before = this.contactOf[slot] ?? null;
    if (before !== key) {
      if (before) this.removeContact(before, this.reference.data[slot]!);
      if (key) this.addContact(key, this.reference.data[slot]!);
      this.contactOf[slot] = key;
    }
  }

  /** Requests made with the same e-mail or phone as this record (this one included; 0 once erased). */
  sameContactRequests(slot: number): number {
    const key = this.contactOf[slot];
    if (!key) return 0;
    const references = this.byContact.get(key);
    return references === undefined || typeof references === 'number' ? 1 : references.size;
  }

  private addContact(key: string, reference: number): void {
    const current = this.byContact.get(key);
    if (current === undefined) this.byContact.set(key, reference);
    else if (typeof current === 'number') {
      if (current !== reference) this.byContact.set(key, new Set([current, reference]));
    } else current.add(reference);
  }

  private removeContact(key: string, reference: number): void {
    const current = this.byContact.get(key);
    // Emptied: an empty set (size 0), as before, until the request's other records follow.
    if (current === reference) this.byContact.set(key, new Set());
    else if (current instanceof Set) current.delete(reference);
  }

  /** Per reference code: 1 when an actor declined one of its records as not serious (a test). */
  notSeriousReferences(): Uint8Array {
    const marks = new Uint8Array(this.references.size);
    for (let i = 0; i < this.size; i += 1) if (this.notSerious.data[i]) marks[this.reference.data[i]!] = 1;
    return marks;
  }

  /** The signs that the request may be a test, as SPAM_LABELS keys. */
  spamSignals(slot: number): (typeof SPAM_SIGNALS[number] | 'repeated')[] {
    const bits = this.spam.data[slot]!;
    const found: (typeof SPAM_SIGNALS[number] | 'repeated')[] = SPAM_SIGNALS.filter((_s, i) => bits & (1 << i));
    if (this.sameContactRequests(slot) >= REPEAT_THRESHOLD) found.push('repeated');
    return found;
  }

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }

  statusOf(slot: number): ReferralStatus {
    return REFERRAL_STATUSES[this.status.data[slot]!]!;
  }

  private columns() {
    return [
      this.version, this.reference, this.createdAt, this.statusAt, this.takenCareAt, this.promisedDays, this.status, this.tier,
      this.actor, this.partner, this.rule, this.rulesVersion, this.fallback, this.followOn, this.epci, this.commune, this.departement,
      this.stage, this.sector, this.projectType, this.needs, this.declineReason, this.shouldGoTo, this.declinedByCoordination, this.review,
      this.spam, this.notSerious,
    ];
  }
}
