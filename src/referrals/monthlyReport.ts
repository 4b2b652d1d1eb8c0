// The monthly report: on the configured working day of each month (the first by default), each
// partner site's contact (its territory's figures) and each coordinator (every territory) get a
// short e-mail with the month's tables as CSV. Durable and exactly once like every e-mail: one
// queue entry per month and address, its id the idempotency key, committed before sending.
import { createHash } from 'node:crypto';
import { parisDay } from '../domain/actor.js';
import type { Partner } from '../domain/partner.js';
import { monthlyReportMail } from '../notifications/compose.js';
import { queuedMail } from '../notifications/mailer.js';
import { monthFilter, monthLabel, monthlyCsv, monthlyFigures, MONTH_PATTERN, previousMonth } from '../stats/monthly.js';
import { ReferralIndex } from '../stats/referralIndex.js';
import type { TerritoryChoice } from '../stats/filters.js';
import type { Labels } from '../stats/table.js';
import type { QueuedMail, ReferralStore } from '../store/index.js';
import { firstWorkingDay, isWorkingDay } from './workingDays.js';

export interface ReportRecipient {
  email: string;
  /** The partner's territory; null: every territory (coordinators). */
  territory: TerritoryChoice | null;
}

export interface MonthlyReportSettings {
  /** Working day of the month the previous month's report goes out (1 = first); 0: never by itself. */
  workingDay: number;
  /** From this hour (Paris) on that day. */
  hour: number;
}

export interface MonthlyReportOptions extends MonthlyReportSettings {
  store: Pick<ReferralStore, 'referrals' | 'stats' | 'mails' | 'commit'>;
  recipients: () => ReportRecipient[] | Promise<ReportRecipient[]>;
  /** Names of actors and partners (places are named from the records). */
  labels: Pick<Labels, 'actor' | 'partner'>;
  now: () => Date;
  log?: (message: string) => void;
}

const parisHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' });

/** The Paris day of the n-th working day of `month` (YYYY-MM). */
export function nthWorkingDay(month: string, n: number): string {
  let day = firstWorkingDay(month);
  for (let left = n - 1; left > 0; ) {
    const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000);
    day = next.toISOString().slice(0, 10);
    if (isWorkingDay(next)) left -= 1;
  }
  return day;
}

/** Each partner with a report address (its territory's figures) and each coordinator (all). */
export function reportRecipients(partners: readonly Pick<Partner, 'id' | 'reportEmail' | 'defaultTerritory'>[], coordinators: readonly string[]): ReportRecipient[] {
  return [
    ...partners
      .filter((p): p is typeof p & { reportEmail: string } => !!p.reportEmail)
      .map((p) => ({ email: p.reportEmail, territory: p.defaultTerritory ? { id: p.id, label: p.defaultTerritory.label, epcis: p.defaultTerritory.epci } : null })),
    ...coordinators.map((email) => ({ email, territory: null })),
  ];
}

export class MonthlyReports {
  private readonly index = new ReferralIndex();

  constructor(private readonly options: MonthlyReportOptions) {}

  /** The month whose report is due now, or null: only on the configured day, from the hour. */
  dueMonth(now = this.options.now()): string | null {
    if (this.options.workingDay < 1) return null;
    const today = parisDay(now);
    if (today !== nthWorkingDay(today.slice(0, 7), this.options.workingDay)) return null;
    if (Number(parisHour.format(now)) < this.options.hour) return null;
    return previousMonth(today.slice(0, 7));
  }

  /** Queues what is due now (the scheduler calls this at every tick): nothing twice. */
  async tick(): Promise<number> {
    const month = this.dueMonth();
    return month ? (await this.queue(month)).queued : 0;
  }

  /** Queues `month`'s report for every recipient not sent it yet; returns how many were new. */
  async queue(month: string): Promise<{ queued: number; already: number }> {
    if (!MONTH_PATTERN.test(month)) throw new Error(`Mois illisible : « ${month} » (attendu AAAA-MM, par exemple 2026-11).`);
    const now = this.options.now();
    if (monthFilter(month, null).from > now.getTime()) throw new Error(`Le mois ${month} n’a pas encore commencé.`);
    await this.index.sync(this.options.store);
    const mails: QueuedMail[] = [];
    let already = 0;
    const seen = new Set<string>();
    for (const r of await this.options.recipients()) {
      const email = r.email.trim().toLowerCase();
      const key = `${email}|${r.territory?.id ?? '*'}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const id = `report-${month}.${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
      if (await this.options.store.mails.known(id)) {
        already += 1;
        continue;
      }
      const labels: Labels = { ...this.options.labels, place: (code) => this.index.placeNames.get(code) ?? code };
      const figures = monthlyFigures(this.index, month, r.territory, labels, now);
      const filename = `aiguillage-bilan-${month}${r.territory ? `-${r.territory.id}` : ''}.csv`;
      const highlights = figures.tables
        .filter((t) => ['demandes-par-epci', 'demandes-par-secteur'].includes(t.id))
        .map((t) => {
          const top = t.rows.filter((row) => Number(row[t.columns[1]!.key]) > 0).slice(0, 3);
          return `${t.title} : ${top.length ? top.map((row) => `${String(row[t.columns[0]!.key])} (${String(row[t.columns[1]!.key])})`).join(', ') : 'aucune'}`;
        });
      const content = monthlyReportMail({ ...figures, monthLabel: monthLabel(month), highlights, filename });
      mails.push({
        ...queuedMail(id, null, 'monthly-report', [email], content, now),
        attachments: [{ filename, contentType: 'text/csv; charset=utf-8', content: monthlyCsv(figures) }],
      });
    }
    // One commit: all the month's reports are owed, or none (a crash here resends nothing twice).
    if (mails.length) await this.options.store.commit({ enqueue: mails });
    this.options.log?.(`bilan de ${month} : ${mails.length} courriel(s) mis en file, ${already} déjà envoyé(s)`);
    return { queued: mails.length, already };
  }
}
