// Everything referrals need, opened together: store, link signer, mail transport and queue,
// use cases, link handlers, follow-up scheduler. src/index.ts calls openReferrals once.
import { join } from 'node:path';
import { Mailer } from '../notifications/mailer.js';
import { deleteOutboxFiles, outboxTransport, smtpTransport } from '../notifications/transport.js';
import { loadOrCreateSecret, openStore, type ConversationStore, type QueuedMail, type Store } from '../store/index.js';
import type { Database } from '../store/postgres/database.js';
import type { ActorDirectory } from './actors.js';
import { createLinkHandlers, type LinkHandlers } from './links.js';
import type { FollowUpPolicy } from './policy.js';
import { MonthlyReports, type MonthlyReportSettings, type ReportRecipient } from './monthlyReport.js';
import type { Labels } from '../stats/table.js';
import { createScheduler, type Scheduler } from './scheduler.js';
import { ReferralService } from './service.js';
import { LinkSigner } from './tokens.js';

export interface OpenReferralsOptions {
  dataDir: string;
  /** Base of the links sent to actors (PUBLIC_URL). */
  publicUrl: string;
  actors: ActorDirectory;
  mailFrom: string;
  /** AIGUILLAGE_SECRET; unset: generated once and kept in the data directory. */
  secret?: string;
  /** Unset: e-mails are written as .eml files in <dataDir>/outbox. */
  smtpUrl?: string;
  adminEmail?: string;
  /** MAIL_REPLY_TO (default: adminEmail): Reply-To of the e-mails, named to holders as where to write. */
  replyTo?: string;
  policy?: Partial<FollowUpPolicy>;
  now?: () => Date;
  /** Scheduler period (default 60 s). */
  intervalMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  /** How long an e-mail claimed by one instance is kept from the others (default 5 min). */
  mailLeaseMs?: number;
  /** The monthly report's day and recipients (partner contacts, coordinators). */
  monthlyReport?: MonthlyReportSettings & { recipients: () => ReportRecipient[] | Promise<ReportRecipient[]>; labels: Pick<Labels, 'actor' | 'partner'> };
  /** Commands that only read while the service runs. */
  readOnly?: boolean;
  /** Production mode: referrals, mail queue and conversation state on this PostgreSQL database. */
  database?: Database;
  log?: (message: string) => void;
}

export interface Referrals {
  store: Store;
  service: ReferralService;
  links: LinkHandlers;
  mailer: Mailer;
  scheduler: Scheduler;
  /** Present when `monthlyReport` was given: `queue(month)` sends a month's report now. */
  reports?: MonthlyReports;
  /** botbuilder Storage for ConversationState (structurally compatible). */
  conversationStorage: ConversationStore;
  /**
   * Queues one e-mail that belongs to no request (a back-office invitation) durably, then sends
   * what is due: same retries and receipts as the referrals' e-mails.
   */
  sendMail(mail: QueuedMail): Promise<void>;
  close(): Promise<void>;
}

export async function openReferrals(options: OpenReferralsOptions): Promise<Referrals> {
  const now = options.now ?? (() => new Date());
  const store = await openStore({
    dataDir: options.dataDir,
    readOnly: options.readOnly,
    conversationTtlDays: options.policy?.conversationTtlDays,
    now,
    log: options.log,
    database: options.database,
  });
  const outboxDir = join(options.dataDir, 'outbox');
  const signer = new LinkSigner(options.readOnly ? (options.secret ?? 'lecture-seule-sans-liens') : loadOrCreateSecret(options.dataDir, options.secret));
  const transport = options.smtpUrl ? smtpTransport(options.smtpUrl, options.mailFrom) : outboxTransport(outboxDir, options.mailFrom);
  const replyTo = options.replyTo ?? options.adminEmail;
  if (!replyTo && !options.readOnly) {
    options.log?.('ni MAIL_REPLY_TO ni ADMIN_EMAIL : les courriels n’ont pas d’adresse de réponse, les porteurs devront répondre à MAIL_FROM');
  }
  const mailer = new Mailer({ store, transport, outboxDir, now, backoff: options.backoff, leaseMs: options.mailLeaseMs, replyTo, log: options.log });
  const service = new ReferralService({
    store,
    actors: options.actors,
    signer,
    publicUrl: options.publicUrl,
    conversations: store.conversations,
    now,
    policy: options.policy,
    adminEmail: options.adminEmail,
    replyTo,
    purgeFiles: (reference) => deleteOutboxFiles(outboxDir, reference),
    // Other instances create referrals too: re-read the monthly loads every 5 s.
    loadRefreshMs: options.database ? 5_000 : undefined,
    log: options.log,
  });
  await service.refreshLoads();
  const links = createLinkHandlers({ service, signer, actors: options.actors, now, replyTo, log: options.log });
  const reports = options.monthlyReport ? new MonthlyReports({ ...options.monthlyReport, store, now, log: options.log }) : undefined;
  const scheduler = createScheduler({ service, mailer, store, conversations: store.conversations, now, intervalMs: options.intervalMs, monthly: reports, log: options.log });
  return {
    store,
    service,
    links,
    mailer,
    scheduler,
    reports,
    conversationStorage: store.conversations,
    async sendMail(mail) {
      await store.commit({ enqueue: [mail] });
      void mailer.flush().catch((error: unknown) => options.log?.(`envoi des courriels : ${String(error)}`));
    },
    async close() {
      await scheduler.stop();
      service.close();
      mailer.close();
      await store.close();
    },
  };
}

/**
 * Each actor's referrals this month, for the router's `loadOf` (monthlyCapacity). The router is
 * built first (it is the referrals' actor directory), so the count is bound once the store opens.
 */
export function liveActorLoad(): { loadOf: (actorId: string) => number; attach(service: Pick<ReferralService, 'actorLoad'>): void } {
  let service: Pick<ReferralService, 'actorLoad'> | undefined;
  return {
    loadOf: (actorId) => service?.actorLoad(actorId) ?? 0,
    attach(s) {
      service = s;
    },
  };
}

export { ReferralService, applyAction, createReferralInputSchema } from './service.js';
export type { CreateReferralInput, CreateReferralResult, CreatedReferral, DeclineInput, ErasureReport, HolderExport } from './service.js';
export { ReferralError } from './errors.js';
export { LinkSigner } from './tokens.js';
export { createLinkHandlers, mountReferralLinks } from './links.js';
export type { LinkHandlers, LinkPage } from './links.js';
export { createScheduler } from './scheduler.js';
export { MonthlyReports, reportRecipients } from './monthlyReport.js';
export type { ReportRecipient, MonthlyReportSettings } from './monthlyReport.js';
export type { Scheduler, TickReport } from './scheduler.js';
export { actorDirectory, loadActorDirectory } from './actors.js';
export type { ActorDirectory } from './actors.js';
export { DEFAULT_POLICY } from './policy.js';
export type { FollowUpPolicy } from './policy.js';
