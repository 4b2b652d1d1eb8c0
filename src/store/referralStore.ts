// Referrals and the mail queue on one journal, so that a use case commits a status change and
// the e-mails it owes in one atomic, durable append (no lost notification between the two).
import type { Referral } from '../domain/referral.js';
import { Journal, type Meta, type OpenJournalOptions, type Put } from './journal.js';
import {
  ConflictError,
  type ClaimOptions,
  type MailQueue,
  type MailSummary,
  type QueuedMail,
  type ReferralRepository,
  type ReferralStore,
  type ReferralSummary,
  type StoreStats,
  type StoreTransaction,
} from './ports.js';

type ReferralMeta = Meta & ReferralSummary & { t: 'r' };
type MailMeta = Meta & MailSummary & { t: 'm' };
type AnyMeta = ReferralMeta | MailMeta;

const referralKey = (id: string) => `r:${id}`;
const mailKey = (id: string) => `m:${id}`;
const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

export function summarize(r: Referral): ReferralSummary {
  return {
    id: r.id,
    reference: r.reference,
    conversationId: r.conversationId,
    partnerId: r.partnerId,
    actorId: r.actorId,
    tier: r.tier,
    status: r.status,
    version: r.version,
    createdAt: Date.parse(r.createdAt),
    statusAt: Date.parse(r.statusAt),
    closedAt: ms(r.closedAt),
    reminders: r.followUp.reminders,
    checkIns: r.followUp.checkIns,
    review: r.review !== null,
    erased: r.erasedAt !== null,
    anonymised: r.anonymisedAt !== null,
  };
}

function referralPut(r: Referral): Put<AnyMeta> {
  return { meta: { k: referralKey(r.id), t: 'r', ...summarize(r) }, body: r };
}

function mailPut(m: QueuedMail): Put<AnyMeta> {
  const meta: MailMeta = {
    k: mailKey(m.id),
    t: 'm',
    id: m.id,
    reference: m.reference,
    state: 'queued',
    attempts: m.attempts,
    nextAttemptAt: Date.parse(m.nextAttemptAt),
    sentAt: null,
  };
  return { meta, body: m };
}

/** Multimap kept beside the journal's index; a lone id is stored bare (most keys have one). */
class Lookup {
  private readonly map = new Map<string, string | string[]>();
  add(key: string, id: string): void {
    const current = this.map.get(key);
    if (current === undefined) this.map.set(key, id);
    else if (typeof current === 'string') {
      if (current !== id) this.map.set(key, [current, id]);
    } else if (!current.includes(id)) current.push(id);
  }
  remove(key: string, id: string): void {
    const current = this.map.get(key);
    if (current === id) this.map.delete(key);
    else if (Array.isArray(current)) {
      const rest = current.filter((x) => x !== id);
      this.map.set(key, rest.length === 1 ? rest[0]! : rest);
    }
  }
  get(key: string): string[] {
    const current = this.map.get(key);
    return current === undefined ? [] : typeof current === 'string' ? [current] : [...current];
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
}

const DEFAULT_LEASE_MS = 5 * 60_000;
const byDate = (a: Referral, b: Referral) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id, 'en', { numeric: true });

export class JournalReferralStore implements ReferralStore {
  private readonly byReference = new Lookup();
  /** Change log of this process: ids in write order; position + 1 is the change number. */
  private readonly changeLog: string[] = [];
  private readonly changeOf = new Map<string, number>();
  /** Mails claimed by the mailer: id → lease end (epoch ms). One process: memory is enough. */
  private readonly leases = new Map<string, number>();
  private readonly byConversation = new Lookup();
  private queuedCount = 0;
  private referralCount = 0;
  /** Versions and mail ids claimed by commits still being written. */
  private readonly claimedVersions = new Map<string, number>();
  private readonly claimedMails = new Set<string>();
  private journal!: Journal<AnyMeta>;

  static async open(dir: string, options: Omit<OpenJournalOptions, 'onIndex'> = {}): Promise<JournalReferralStore> {
    const store = new JournalReferralStore();
    store.journal = await Journal.open<AnyMeta>(dir, { ...options, onIndex: (key, meta, previous) => store.onIndex(key, meta as AnyMeta, previous as AnyMeta) });
    return store;
  }

  private onIndex(_key: string, meta: AnyMeta | undefined, previous: AnyMeta | undefined): void {
    if (previous?.t === 'r') {
      this.referralCount -= 1;
      this.byReference.remove(previous.reference, previous.id);
      this.byConversation.remove(previous.conversationId, previous.id);
    } else if (previous?.t === 'm' && previous.state === 'queued') this.queuedCount -= 1;
    if (meta?.t === 'r') {
      this.changeLog.push(meta.id);
      this.changeOf.set(meta.id, this.changeLog.length);
      this.referralCount += 1;
      this.byReference.add(meta.reference, meta.id);
      this.byConversation.add(meta.conversationId, meta.id);
    } else if (meta?.t === 'm' && meta.state === 'queued') this.queuedCount += 1;
    if (previous?.t === 'm' && meta?.t !== 'm') this.leases.delete(previous.id);
    else if (meta?.t === 'm' && (meta.state !== 'queued' || previous?.t === 'm')) this.leases.delete(meta.id); // requeued, delivered
  }

  private bodies(ids: string[]): Referral[] {
    return ids
      .map((id) => this.journal.body<Referral>(referralKey(id)))
      .filter((r): r is Referral => r !== undefined)
      .sort(byDate);
  }

  private referralMetas(): ReferralSummary[] {
    const list: ReferralSummary[] = [];
    for (const meta of this.journal.metas()) if (meta.t === 'r') list.push(meta);
    return list;
  }

  private queuedMetas(): MailSummary[] {
    const list: MailSummary[] = [];
    for (const meta of this.journal.metas()) if (meta.t === 'm' && meta.state === 'queued') list.push(meta);
    return list.sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
  }

  private mailMeta(id: string): MailSummary | undefined {
    const meta = this.journal.meta(mailKey(id));
    return meta?.t === 'm' ? meta : undefined;
  }

  private known(id: string): boolean {
    return this.journal.has(mailKey(id)) || this.claimedMails.has(id);
  }

  // The in-memory index answers every port at once; the promises only match the SQL adapter.
  readonly referrals: ReferralRepository = {
    get: async (id) => this.journal.body<Referral>(referralKey(id)),
    byReference: async (reference) => this.bodies(this.byReference.get(reference)),
    byConversation: async (conversationId) => this.bodies(this.byConversation.get(conversationId)),
    referenceExists: async (reference) => this.byReference.has(reference),
    summary: async (id) => {
      const meta = this.journal.meta(referralKey(id));
      return meta?.t === 'r' ? meta : undefined;
    },
    count: async () => this.referralCount,
    followUpCandidates: async ({ pendingCreatedBefore, takingCareSince }) =>
      this.referralMetas().filter(
        (s) =>
          !s.erased &&
          !s.anonymised &&
          ((s.status === 'pending' && s.createdAt <= pendingCreatedBefore.getTime()) ||
            (s.status === 'taking_care' && takingCareSince !== null && s.statusAt <= takingCareSince.getTime())),
      ),
    anonymisationDue: async (cutoff) => [
      ...new Set(this.referralMetas().filter((s) => !s.anonymised && (s.closedAt ?? s.statusAt) <= cutoff.getTime()).map((s) => s.reference)),
    ],
    monthlyLoads: async (from, to) => {
      const counts = new Map<string, number>();
      for (const s of this.referralMetas()) {
        if (s.createdAt >= from.getTime() && s.createdAt < to.getTime()) counts.set(s.actorId, (counts.get(s.actorId) ?? 0) + 1);
      }
      return counts;
    },
    changes: async (cursor, limit) => {
      let at = cursor === null ? 0 : Number(cursor);
      if (!Number.isInteger(at) || at < 0 || at > this.changeLog.length) at = 0; // another process's cursor: start over
      const records: Referral[] = [];
      while (at < this.changeLog.length && records.length < limit) {
        const id = this.changeLog[at]!;
        at += 1;
        if (this.changeOf.get(id) !== at) continue; // superseded by a later change
        const record = this.journal.body<Referral>(referralKey(id));
        if (record) records.push(record);
      }
      return { records, cursor: String(at), done: at >= this.changeLog.length };
    },
    summaries: async function* (this: JournalReferralStore) {
      yield* this.referralMetas();
    }.bind(this),
    scan: async function* (this: JournalReferralStore) {
      const ids = this.referralMetas().map((s) => s.id);
      for (const id of ids) {
        const record = this.journal.body<Referral>(referralKey(id));
        if (record) yield record;
      }
    }.bind(this),
  };

  readonly mails: MailQueue = {
    known: async (id) => this.known(id),
    get: async (id) => {
      const meta = this.journal.meta(mailKey(id));
      return meta?.t === 'm' && meta.state === 'queued' ? (this.journal.body<QueuedMail>(mailKey(id)) ?? undefined) : undefined;
    },
    summary: async (id) => this.mailMeta(id),
    queuedFor: async (reference) => this.queuedMetas().filter((m) => m.reference === reference),
    claim: async (now: Date, options: ClaimOptions = {}) => {
      const t = now.getTime();
      const taken: QueuedMail[] = [];
      for (const m of this.queuedMetas()) {
        if (taken.length >= (options.limit ?? 20)) break;
        if (m.nextAttemptAt > t || (this.leases.get(m.id) ?? -Infinity) > t) continue;
        const body = this.journal.body<QueuedMail>(mailKey(m.id));
        if (!body) continue;
        this.leases.set(m.id, t + (options.leaseMs ?? DEFAULT_LEASE_MS));
        taken.push(body);
      }
      return taken;
    },
    due: async (now) => this.queuedMetas().filter((m) => m.nextAttemptAt <= now.getTime()),
    queued: async () => this.queuedMetas(),
  };

  async commit(tx: StoreTransaction): Promise<void> {
    const puts: Put<AnyMeta>[] = [];
    const claimedKeys: string[] = [];
    const claimedMailIds: string[] = [];
    try {
      for (const record of tx.referrals ?? []) {
        const key = referralKey(record.id);
        const current = this.claimedVersions.get(key) ?? (this.journal.meta(key) as ReferralMeta | undefined)?.version ?? 0;
        if (record.version !== current + 1) {
          throw new ConflictError(`L’orientation ${record.id} a été modifiée entre-temps (version ${current}, reçue ${record.version}).`);
        }
        this.claimedVersions.set(key, record.version);
        claimedKeys.push(key);
        puts.push(referralPut(record));
      }
      for (const mail of tx.enqueue ?? []) {
        if (this.known(mail.id)) continue;
        this.claimedMails.add(mail.id);
        claimedMailIds.push(mail.id);
        puts.push(mailPut(mail));
      }
      for (const mail of tx.requeue ?? []) {
        if (this.mailMeta(mail.id)?.state === 'queued') puts.push(mailPut(mail));
      }
      for (const { id, at } of tx.delivered ?? []) {
        const current = this.mailMeta(id);
        if (!current) continue;
        const receipt: MailMeta = { ...(current as MailMeta), state: 'sent', sentAt: at.getTime() };
        puts.push({ meta: receipt, body: null });
      }
      for (const id of tx.discard ?? []) {
        if (this.journal.has(mailKey(id))) puts.push({ meta: { k: mailKey(id), d: 1 } as unknown as AnyMeta, body: null });
      }
      await this.journal.commit(puts);
    } finally {
      for (const key of claimedKeys) this.claimedVersions.delete(key);
      for (const id of claimedMailIds) this.claimedMails.delete(id);
    }
  }

  async needsCompaction(): Promise<boolean> {
    const { deadLines, liveKeys } = this.journal.stats();
    return deadLines > Math.max(10_000, liveKeys);
  }

  async compact(options: { pruneReceiptsBefore?: Date } = {}): Promise<StoreStats> {
    const before = options.pruneReceiptsBefore?.getTime() ?? -Infinity;
    await this.journal.compact((meta) => !(meta.t === 'm' && meta.state === 'sent' && (meta.sentAt ?? 0) < before));
    return this.stats();
  }

  async stats(): Promise<StoreStats> {
    const s = this.journal.stats();
    return {
      referrals: this.referralCount,
      queuedMails: this.queuedCount,
      journalBytes: s.journalBytes,
      snapshotBytes: s.snapshotBytes,
      deadLines: s.deadLines,
      openMs: s.openMs,
      droppedBytes: s.droppedBytes,
    };
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
