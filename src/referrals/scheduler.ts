// The follow-up clock: every interval, reminders/expiries/escalations/check-ins, e-mail sending,
// anonymisation, idle conversations purge and journal compaction. Ticks never overlap; the clock
// is injectable so that tests can jump days ahead.
import type { Mailer, FlushReport } from '../notifications/mailer.js';
import type { ConversationStore, ReferralStore } from '../store/index.js';
import type { FollowUpReport, ReferralService } from './service.js';

const DAY = 86_400_000;

export interface TickReport {
  followUp: FollowUpReport;
  mail: FlushReport;
  anonymised: number;
  conversationsPurged: number;
  compacted: boolean;
}

export interface SchedulerOptions {
  service: ReferralService;
  mailer: Mailer;
  store: ReferralStore;
  conversations?: ConversationStore;
  now?: () => Date;
  /** Between two ticks (default 60 s). */
  intervalMs?: number;
  /** Slower chores (anonymisation, conversation purge): at most this often (default 1 h). */
  choresEveryMs?: number;
  /** The monthly report: queued on its day, then sent with the other e-mails of the tick. */
  monthly?: { tick(): Promise<number> };
  log?: (message: string) => void;
}

export interface Scheduler {
  start(): void;
  /** Stops the timer and waits for a running tick. */
  stop(): Promise<void>;
  tick(): Promise<TickReport>;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const now = options.now ?? (() => new Date());
  const intervalMs = options.intervalMs ?? 60_000;
  const choresEveryMs = options.choresEveryMs ?? 3_600_000;
  let lastChores = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<TickReport> | undefined;
  let stopped = true;

  async function run(): Promise<TickReport> {
    const { service, mailer, store } = options;
    const followUp = await service.followUp();
    let anonymised = 0;
    let conversationsPurged = 0;
    const at = now();
    if (at.getTime() - lastChores >= choresEveryMs) {
      lastChores = at.getTime();
      anonymised = await service.anonymiseDue();
      conversationsPurged = (await options.conversations?.purgeIdle(at)) ?? 0;
    }
    await options.monthly?.tick().catch((error: unknown) => options.log?.(`bilan mensuel : ${error instanceof Error ? error.message : String(error)}`));
    const mail = await mailer.flush();
    let compacted = false;
    if (anonymised > 0 || store.needsCompaction()) {
      await store.compact({ pruneReceiptsBefore: new Date(at.getTime() - service.policy.receiptDays * DAY) });
      compacted = true;
    }
    const report = { followUp, mail, anonymised, conversationsPurged, compacted };
    const f = followUp;
    if (f.reminded || f.expired || f.checkedIn || f.errors || mail.sent || mail.failed || anonymised || conversationsPurged) {
      options.log?.(
        `suivi : ${f.reminded} relance(s), ${f.expired} expiration(s), ${f.checkedIn} point(s) d’étape, ${mail.sent} courriel(s) envoyé(s), ${mail.failed} échec(s), ${anonymised} anonymisation(s), ${conversationsPurged} conversation(s) purgée(s)`,
      );
    }
    return report;
  }

  function tick(): Promise<TickReport> {
    running ??= run().finally(() => (running = undefined));
    return running;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) => options.log?.(`suivi interrompu : ${error instanceof Error ? error.message : String(error)}`))
        .finally(schedule);
    }, intervalMs);
    timer.unref(); // the servers keep the process alive, not this timer
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    tick,
  };
}
