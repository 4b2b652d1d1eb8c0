// The follow-up clock: every interval, reminders/expiries/escalations/check-ins, e-mail sending,
// anonymisation, idle conversations purge and journal compaction. The clock is injectable so
// that tests can jump days ahead.
// Embedded (no database): one in-process timer, ticks never overlap. Production (`jobs`): every
// instance sends the same pg-boss jobs at each interval, deduplicated by singleton slot (the
// monthly report by a fixed id per month), and one worker somewhere runs each: N instances, once.
import { z } from 'zod';
import { jobId, type JobQueue } from '../jobs/queue.js';
import type { Mailer, FlushReport } from '../notifications/mailer.js';
import type { ConversationStore, ReferralStore } from '../store/index.js';
import type { FollowUpReport, ReferralService } from './service.js';

const DAY = 86_400_000;

/** pg-boss queue names of the production mode. */
export const JOB_NAMES = {
  followUp: 'followup-tick',
  chores: 'followup-chores',
  mail: 'mail-send',
  monthlyReport: 'monthly-report',
} as const;

export interface TickReport {
  followUp: FollowUpReport;
  mail: FlushReport;
  anonymised: number;
  conversationsPurged: number;
  compacted: boolean;
}

export interface MonthlyTicker {
  /** Queues what is due now (embedded mode: called at every tick). */
  tick(): Promise<number>;
  /** The month whose report is due now (production mode sends one job per month). */
  dueMonth?(): string | null;
  queue?(month: string): Promise<{ queued: number }>;
}

export interface SchedulerOptions {
  service: Pick<ReferralService, 'followUp' | 'anonymiseDue' | 'policy'>;
  mailer: Pick<Mailer, 'flush'>;
  store: Pick<ReferralStore, 'needsCompaction' | 'compact'>;
  conversations?: Pick<ConversationStore, 'purgeIdle'>;
  now?: () => Date;
  /** Between two ticks (default 60 s). */
  intervalMs?: number;
  /** Slower chores (anonymisation, conversation purge): at most this often (default 1 h). */
  choresEveryMs?: number;
  /** The monthly report: queued on its day, then sent with the other e-mails of the tick. */
  monthly?: MonthlyTicker;
  /** Production mode (DATABASE_URL): the jobs go through this queue; `stop()` stops it. */
  jobs?: JobQueue;
  /** Delay between the retries of a failed job (production mode, default 30 s, doubling). */
  retryDelaySeconds?: number;
  log?: (message: string) => void;
}

export interface Scheduler {
  /** Starts the clock; with `jobs` (here or in the options), also this instance's job workers. */
  start(options?: { jobs?: JobQueue }): Promise<void>;
  /** Stops the clock and waits for a running tick (production: stops the job queue gracefully). */
  stop(): Promise<void>;
  /** One full pass, here and now (the `followup` command, tests). */
  tick(): Promise<TickReport>;
}

const monthlyJobData = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/) });

export function createScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 60_000;
  const choresEveryMs = options.choresEveryMs ?? 3_600_000;
  const log = options.log;
  const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
  let lastChores = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<TickReport> | undefined;
  let stopped = true;
  let jobs: JobQueue | undefined;

  async function chores(at: Date): Promise<{ anonymised: number; conversationsPurged: number }> {
    const anonymised = await options.service.anonymiseDue();
    const conversationsPurged = (await options.conversations?.purgeIdle(at)) ?? 0;
    return { anonymised, conversationsPurged };
  }

  async function compactIfNeeded(anonymised: number, at: Date): Promise<boolean> {
    // `await` whether the port answers a boolean (journal) or a promise (PostgreSQL).
    if (anonymised === 0 && !(await options.store.needsCompaction())) return false;
    await options.store.compact({ pruneReceiptsBefore: new Date(at.getTime() - options.service.policy.receiptDays * DAY) });
    return true;
  }

  function report(r: Partial<TickReport>): void {
    const f = r.followUp ?? { reminded: 0, expired: 0, checkedIn: 0, errors: 0 };
    const mail = r.mail ?? { sent: 0, failed: 0, notes: 0 };
    const anonymised = r.anonymised ?? 0;
    const conversationsPurged = r.conversationsPurged ?? 0;
    if (f.reminded || f.expired || f.checkedIn || f.errors || mail.sent || mail.failed || anonymised || conversationsPurged) {
      log?.(
        `suivi : ${f.reminded} relance(s), ${f.expired} expiration(s), ${f.checkedIn} point(s) d’étape, ${mail.sent} courriel(s) envoyé(s), ${mail.failed} échec(s), ${anonymised} anonymisation(s), ${conversationsPurged} conversation(s) purgée(s)`,
      );
    }
  }

  async function run(): Promise<TickReport> {
    const followUp = await options.service.followUp();
    let anonymised = 0;
    let conversationsPurged = 0;
    const at = now();
    if (at.getTime() - lastChores >= choresEveryMs) {
      lastChores = at.getTime();
      ({ anonymised, conversationsPurged } = await chores(at));
    }
    await options.monthly?.tick().catch((error: unknown) => log?.(`bilan mensuel : ${message(error)}`));
    const mail = await options.mailer.flush();
    const compacted = await compactIfNeeded(anonymised, at);
    const result = { followUp, mail, anonymised, conversationsPurged, compacted };
    report(result);
    return result;
  }

  function tick(): Promise<TickReport> {
    running ??= run().finally(() => (running = undefined));
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      (jobs ? publish() : tick().then(() => undefined))
        .catch((error: unknown) => log?.(`suivi interrompu : ${message(error)}`))
        .finally(schedule);
    }, intervalMs);
    timer.unref(); // the servers keep the process alive, not this timer
  }

  // Production: what every instance sends at each interval; the slots make it one job each.
  async function publish(): Promise<void> {
    const queue = jobs!;
    const retryDelaySeconds = options.retryDelaySeconds;
    const intervalSeconds = Math.max(1, Math.round(intervalMs / 1000));
    const choresSeconds = Math.max(1, Math.round(choresEveryMs / 1000));
    // The slot size is in the key: a slot of another length (the setting changed between two
    // deploys) never takes this one's place.
    await queue.send(JOB_NAMES.followUp, {}, { singletonKey: `followup/${intervalSeconds}`, singletonSeconds: intervalSeconds, retryLimit: 1, retryDelaySeconds });
    await queue.send(JOB_NAMES.mail, {}, { singletonKey: `mail/${intervalSeconds}`, singletonSeconds: intervalSeconds, retryDelaySeconds });
    await queue.send(JOB_NAMES.chores, {}, { singletonKey: `chores/${choresSeconds}`, singletonSeconds: choresSeconds, retryDelaySeconds });
    const month = options.monthly?.dueMonth?.();
    if (month) await queue.send(JOB_NAMES.monthlyReport, { month }, { id: jobId(`monthly-report:${month}`), retryDelaySeconds });
  }

  async function startWorkers(queue: JobQueue): Promise<void> {
    await queue.work(JOB_NAMES.followUp, async () => {
      const at = now();
      const followUp = await options.service.followUp();
      const compacted = await compactIfNeeded(0, at);
      report({ followUp });
      return { ...followUp, compacted };
    });
    await queue.work(JOB_NAMES.chores, async () => {
      const at = now();
      const done = await chores(at);
      const compacted = await compactIfNeeded(done.anonymised, at);
      report(done);
      return { ...done, compacted };
    });
    await queue.work(JOB_NAMES.mail, async () => {
      const mail = await options.mailer.flush();
      report({ mail });
      // A failed attempt is the mailer's to retry (its backoff, in the queue); the job succeeded.
      return mail;
    });
    await queue.work(JOB_NAMES.monthlyReport, async (data) => {
      const { month } = monthlyJobData.parse(data);
      if (!options.monthly?.queue) return { queued: 0 };
      const { queued } = await options.monthly.queue(month);
      await options.mailer.flush();
      return { month, queued };
    });
  }

  return {
    async start(o = {}) {
      if (!stopped) return;
      jobs = o.jobs ?? options.jobs;
      stopped = false;
      if (jobs) {
        await startWorkers(jobs);
        // Right away, not one interval later: a restart does not delay the follow-up.
        await publish().catch((error: unknown) => log?.(`suivi interrompu : ${message(error)}`));
      }
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
      // Waits for this instance's running jobs; unfinished ones are failed, then retried elsewhere.
      await jobs?.stop().catch((error: unknown) => log?.(`arrêt de la file de tâches : ${message(error)}`));
    },
    tick,
  };
}
