// Composition root: configuration, territory, bot, servers. Nothing else wires.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createBot, handOffService } from './bot/index.js';
import { createBotServer } from './channels/server.js';
import { InProcessAdapter } from './channels/inProcessAdapter.js';
import { mountWebChannel } from './channels/directline/index.js';
import { DEFAULT_PARTNERS_FILE, loadPartners } from './channels/partners.js';
import { loadConfig } from './config.js';
import { logError, logInfo } from './log.js';
import { warmUpInSteps } from './qualification/index.js';
import { createRouter, DEFAULT_ACTORS_FILE, DEFAULT_RULES_DIR, describeReload } from './routing/index.js';
import { loadTerritory } from './territory/index.js';
import { liveActorLoad, openReferrals, mountReferralLinks, reportRecipients } from './referrals/index.js';
import { loadOrCreateSecret } from './store/index.js';
import { EventLog, type EventLogPort } from './store/eventLog.js';
import { openDatabase, type Database } from './store/postgres/database.js';
import { PostgresEventLog } from './store/postgres/events.js';
import { loadOrCreateSharedSecret } from './store/postgres/secret.js';
import { openJobQueue } from './jobs/queue.js';
import { createBackoffice, LivePartnerDirectory } from './backoffice/index.js';
import { followPublications, type Publications } from './backoffice/publication.js';
import { createOffer, modifiedAt } from './offer/index.js';

export async function main(): Promise<void> {
  const started = performance.now();
  const config = loadConfig();
  // Production mode (DATABASE_URL): every store on PostgreSQL, shared by the instances; the
  // migrations run first (once, whichever instance starts first). Unset: the embedded store.
  let database: Database | undefined;
  let publications: Publications | undefined;
  if (config.DATABASE_URL) {
    database = await openDatabase({ url: config.DATABASE_URL, log: logInfo });
    logInfo(`mode production : magasin PostgreSQL (${describeDatabase(config.DATABASE_URL)})`);
    // The rules, structures, partner sites and territories published from any instance's back
    // office: brought into this instance's files before anything reads them, then followed.
    publications = await followPublications(database, { rulesDir: DEFAULT_RULES_DIR, actorsFile: DEFAULT_ACTORS_FILE, partnersFile: DEFAULT_PARTNERS_FILE, log: logInfo });
  }
  // Swapped in place when a coordinator edits a partner site in the back office.
  const partners = new LivePartnerDirectory(loadPartners());
  // Rules and actors are watched: a valid edit goes live at once, an invalid one is refused
  // (logged with the file, the rule and the problem) and the last good set stays.
  const territory = loadTerritory();
  // Monthly capacities are enforced with each actor's real load, counted in the referral store.
  const load = liveActorLoad();
  const router = await createRouter({
    loadOf: load.loadOf,
    rulesDir: DEFAULT_RULES_DIR,
    actorsFile: DEFAULT_ACTORS_FILE,
    territory,
    watch: true,
    onReload: (result) => logInfo(describeReload(result)),
  });
  logInfo(`règles d’orientation chargées : ${router.ruleCount} règles, version ${router.rulesVersion}`);
  // One secret signs widget tokens and e-mail links; generated once if unset (into the data dir,
  // or the database, so that a link signed by one instance opens on another).
  const secret = database ? await loadOrCreateSharedSecret(database, config.AIGUILLAGE_SECRET) : loadOrCreateSecret(config.AIGUILLAGE_DATA_DIR, config.AIGUILLAGE_SECRET);
  // Coordinators who receive the monthly report: the back office's accounts, once it is open.
  let coordinatorEmails = async (): Promise<string[]> => (config.ADMIN_EMAIL ? [config.ADMIN_EMAIL] : []);
  const referrals = await openReferrals({
    dataDir: config.AIGUILLAGE_DATA_DIR,
    database,
    publicUrl: config.publicUrl,
    actors: router,
    mailFrom: config.MAIL_FROM,
    secret,
    smtpUrl: config.SMTP_URL,
    adminEmail: config.ADMIN_EMAIL,
    replyTo: config.mailReplyTo,
    monthlyReport: {
      workingDay: config.MONTHLY_REPORT_DAY,
      hour: config.MONTHLY_REPORT_HOUR,
      recipients: async () => reportRecipients(partners.all(), await coordinatorEmails()),
      labels: { actor: (id) => router.actorById(id)?.name ?? id, partner: (id) => partners.get(id)?.name ?? id },
    },
    intervalMs: config.FOLLOWUP_INTERVAL_SECONDS * 1000,
    backoff: { baseMs: config.MAIL_RETRY_SECONDS * 1000 },
    mailLeaseMs: config.MAIL_LEASE_SECONDS * 1000,
    log: logInfo,
  });
  load.attach(referrals.service);
  // What the bot reports of each conversation (no personal data), for the statistics.
  const onEventError = (e: unknown) => logError('évènements de conversation', e);
  const events: EventLogPort & { close(): Promise<void> } = database ? new PostgresEventLog(database, { onError: onEventError }) : new EventLog(join(config.AIGUILLAGE_DATA_DIR, 'events'), onEventError);
  if (!config.SMTP_URL) logInfo(`SMTP_URL non défini : les e-mails sont écrits dans ${config.AIGUILLAGE_DATA_DIR}/outbox`);
  const bot = await createBot({
    router,
    storage: referrals.conversationStorage,
    // The e-mails are already queued durably; send them now rather than at the next tick.
    handOff: handOffService(referrals.service, () => void referrals.mailer.flush().catch((e: unknown) => logError('envoi des courriels', e))),
    partnerName: (id) => partners.greetingName(id), logError: (e) => logError('tour du bot', e),
    events: (event) => events.append(event),
    // « Où en est ma demande AIG-… ? »: statuses only, and the status link sent again.
    statusQuery: { service: referrals.service, replyTo: config.mailReplyTo, afterResend: () => void referrals.mailer.flush().catch((e: unknown) => logError('envoi des courriels', e)) } });
  const inProcess = new InProcessAdapter((context) => bot.run(context));

  // The published offer (/offre) and its open data: the live directory and rules.
  const offer = createOffer({
    router,
    territory,
    publicUrl: config.publicUrl,
    updatedAt: modifiedAt(DEFAULT_ACTORS_FILE),
    contact: config.mailReplyTo,
    partnerEpcis: (id) => partners.get(id)?.defaultTerritory?.epci,
  });

  let warm = false;
  let channel: { close(): Promise<void> } | undefined;
  const server = createBotServer({
    config,
    logic: (context) => bot.run(context),
    health: () => ({ warm, uptimeSeconds: Math.round(process.uptime()) }),
    logError,
    offer,
    mount: (s) => {
      channel = mountWebChannel(s, { process: (activity) => inProcess.process(activity), partners, secret, logError, trustProxy: config.PUBLIC_TRUST_PROXY, database });
      mountReferralLinks(s, referrals.links);
    },
  });
  await new Promise<void>((resolve) => server.listen(config.PORT, resolve));
  logInfo(`bot prêt sur http://localhost:${config.PORT} en ${Math.round(performance.now() - started)} ms (${Math.round(performance.now())} ms depuis le lancement du processus)`);
  if (!config.MicrosoftAppId) logInfo('/api/messages désactivé (MicrosoftAppId non défini)');
  logInfo(`démonstration du widget : http://localhost:${config.PORT}/demo`);

  // The recognizers' first calls cost seconds: pay them now, step by step so that the server
  // keeps answering meanwhile, rather than on a holder's first turn.
  setImmediate(() => {
    void warmUpInSteps().then(({ ms }) => {
      warm = true;
      logInfo(`reconnaissance préchauffée en ${Math.round(ms)} ms`);
      // Then the états des lieux of /offre (the region's takes a few seconds, EPCI by EPCI).
      void offer.prewarm().catch((e: unknown) => logError('état des lieux de l’offre', e));
    });
  });

  // With several instances, each job runs once: the follow-up goes through pg-boss.
  await referrals.scheduler.start({ jobs: database ? await openJobQueue({ database, log: logInfo }) : undefined });

  // Back office (staff): its own port, authenticated.
  const backoffice = await createBackoffice({
    dataDir: config.AIGUILLAGE_DATA_DIR,
    database,
    publications,
    router,
    territory,
    service: referrals.service,
    store: referrals.store,
    events,
    partners,
    rulesDir: DEFAULT_RULES_DIR,
    actorsFile: DEFAULT_ACTORS_FILE,
    partnersFile: DEFAULT_PARTNERS_FILE,
    secret,
    publicUrl: config.publicUrl,
    // Invitations go by e-mail only when a real SMTP server is set; otherwise the page shows the link.
    sendMail: config.SMTP_URL ? (mail) => referrals.sendMail(mail) : undefined,
    adminEmail: config.ADMIN_EMAIL,
    adminPassword: config.ADMIN_PASSWORD,
    trustProxy: config.BACKOFFICE_TRUST_PROXY,
    cookieSecure: config.COOKIE_SECURE,
    log: logInfo,
  });
  coordinatorEmails = async () => backoffice.coordinatorEmails();
  await backoffice.listen(config.BACKOFFICE_PORT);
  logInfo(`back-office prêt sur http://localhost:${config.BACKOFFICE_PORT}`);

  const stop = (signal: string) => {
    logInfo(`arrêt (${signal})`);
    router.close();
    server.close();
    // The job queue waits up to 10 s for a job in progress (referrals.close stops it).
    void Promise.allSettled([backoffice.close(), events.close(), channel?.close(), publications?.close()])
      .then(() => referrals.close())
      .then(() => database?.close())
      .finally(() => process.exit(0));
    setTimeout(() => process.exit(0), database ? 12_000 : 2000).unref();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  logError('démarrage impossible', error);
  process.exit(1);
});

/** The database's host and name for the log, never its password. */
function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}
