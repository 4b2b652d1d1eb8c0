// Holder rights and follow-up from the command line:
//   export-holder REF EMAIL   prints everything stored about the request, as JSON (read only:
//                             works while the service runs)
//   erase-holder REF EMAIL    erases the holder's personal data now (service stopped)
//   followup                  runs one follow-up pass now (reminders, expiry, e-mails…)
//   monthly-report --mois M   sends month M's report now to the partners' contacts and the
//                             coordinators (service stopped; nothing is sent twice)
// EMAIL may also be the phone number the holder gave. Logs carry references only.
// With DATABASE_URL (production mode) they work on the shared database, services running or not.
import { join } from 'node:path';
import { loadPartners } from '../channels/partners.js';
import { loadConfig } from '../config.js';
import { AccountStore, type AccountStorePort } from '../store/accountStore.js';
import { PostgresAccountStore } from '../store/postgres/accounts.js';
import { openDatabase, type Database } from '../store/postgres/database.js';
import { loadOrCreateSharedSecret } from '../store/postgres/secret.js';
import { logError, logInfo } from '../log.js';
import { ReferralError, loadActorDirectory, openReferrals, reportRecipients, type Referrals } from '../referrals/index.js';
import { StoreLockedError } from '../store/index.js';

async function open(readOnly: boolean, withReports = false): Promise<Referrals> {
  const config = loadConfig();
  const database: Database | undefined = config.DATABASE_URL ? await openDatabase({ url: config.DATABASE_URL, log: logInfo }) : undefined;
  try {
    const referrals = await openWith(config, database, readOnly, withReports);
    // The command's connection pool closes with the store.
    return database ? { ...referrals, close: () => referrals.close().finally(() => database.close()) } : referrals;
  } catch (error) {
    await database?.close();
    throw error;
  }
}

async function openWith(config: ReturnType<typeof loadConfig>, database: Database | undefined, readOnly: boolean, withReports: boolean): Promise<Referrals> {
  const actors = await loadActorDirectory(process.env.AIGUILLAGE_ACTORS_FILE ?? 'data/actors.json');
  const partners = loadPartners(process.env.AIGUILLAGE_PARTNERS_FILE);
  const accounts: AccountStorePort | undefined = withReports ? (database ? new PostgresAccountStore(database) : await AccountStore.open(join(config.AIGUILLAGE_DATA_DIR, 'backoffice'))) : undefined;
  const coordinators = accounts ? (await accounts.accounts()).filter((a) => a.role === 'coordinator' && a.active).map((a) => a.email) : [];
  return openReferrals({
    dataDir: config.AIGUILLAGE_DATA_DIR,
    database,
    publicUrl: config.publicUrl,
    actors,
    mailFrom: config.MAIL_FROM,
    secret: database ? await loadOrCreateSharedSecret(database, config.AIGUILLAGE_SECRET) : config.AIGUILLAGE_SECRET,
    smtpUrl: config.SMTP_URL,
    adminEmail: config.ADMIN_EMAIL,
    replyTo: config.mailReplyTo,
    monthlyReport: {
      workingDay: 0, // the command sends the month it is given, whatever the day
      hour: 0,
      recipients: () => reportRecipients(partners.all(), coordinators.length ? coordinators : config.ADMIN_EMAIL ? [config.ADMIN_EMAIL] : []),
      labels: { actor: (id) => actors.actorById(id)?.name ?? id, partner: (id) => partners.get(id)?.name ?? id },
    },
    // The shared database has no single writer: only the embedded data directory is opened read-only.
    readOnly: database ? false : readOnly,
    log: logInfo,
  });
}

async function guarded(action: () => Promise<number>): Promise<number> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ReferralError || error instanceof StoreLockedError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    logError('commande interrompue', error);
    return 1;
  }
}

function holderArgs(args: string[], command: string): [string, string] | undefined {
  const [reference, proof] = args;
  if (!reference || !proof) {
    process.stderr.write(`Usage : npm run --silent cli -- ${command} RÉFÉRENCE COURRIEL\n(le courriel ou le téléphone donné par le porteur)\n`);
    return undefined;
  }
  return [reference, proof];
}

export const exportHolder = {
  run: (args: string[]) =>
    guarded(async () => {
      const parsed = holderArgs(args, 'export-holder');
      if (!parsed) return 2;
      const referrals = await open(true);
      try {
        const data = await referrals.service.exportHolder(...parsed);
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return 0;
      } finally {
        await referrals.close();
      }
    }),
};

export const eraseHolder = {
  run: (args: string[]) =>
    guarded(async () => {
      const parsed = holderArgs(args, 'erase-holder');
      if (!parsed) return 2;
      const referrals = await open(false);
      try {
        const report = await referrals.service.eraseHolder(...parsed, 'coordinator:cli');
        process.stdout.write(`${JSON.stringify(report)}\n`);
        process.stderr.write(
          `Données personnelles effacées pour ${report.reference} : ${report.referrals} orientation(s), ${report.conversations} conversation(s), ${report.discardedEmails} courriel(s) non envoyé(s), ${report.outboxFiles} fichier(s) de la boîte d’envoi.\n`,
        );
        return 0;
      } finally {
        await referrals.close();
      }
    }),
};

export const followup = {
  run: () =>
    guarded(async () => {
      const referrals = await open(false);
      try {
        const report = await referrals.scheduler.tick();
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return 0;
      } finally {
        await referrals.close();
      }
    }),
};

export const monthlyReport = {
  run: (args: string[]) =>
    guarded(async () => {
      const at = args.indexOf('--mois');
      const month = at >= 0 ? args[at + 1] : undefined;
      if (!month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
        process.stderr.write('Usage : npm run --silent cli -- monthly-report --mois AAAA-MM (par exemple --mois 2026-11)\n');
        return 2;
      }
      const referrals = await open(false, true);
      try {
        const { queued, already } = await referrals.reports!.queue(month);
        const mail = await referrals.mailer.flush();
        process.stdout.write(`${JSON.stringify({ month, queued, already, sent: mail.sent, failed: mail.failed })}\n`);
        return mail.failed ? 1 : 0;
      } finally {
        await referrals.close();
      }
    }),
};
