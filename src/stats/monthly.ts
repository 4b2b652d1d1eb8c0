// The monthly report's figures, for one month and, for a partner site, its territory: requests
// by territory, sector, stage and structure, the share taken care of within the promised delay,
// unmet demand; the same tables as the statistics page, and one CSV with all of them.
import { requestCounts, requestTables, referralTables } from './breakdowns.js';
import { BOM, csvLine, tableCsv } from './csv.js';
import { actorDelays, delayTable } from './delays.js';
import { parisMidnight, type StatsFilter, type TerritoryChoice } from './filters.js';
import { requestOutcomes } from './funnel.js';
import type { ReferralIndex } from './referralIndex.js';
import { scopeOf } from './scope.js';
import type { Labels, StatTable } from './table.js';
import { unmetTables } from './unmet.js';

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
const monthName = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** « novembre 2026 » */
export const monthLabel = (month: string): string => monthName.format(new Date(`${month}-15T12:00:00Z`));

export function monthFilter(month: string, territory: TerritoryChoice | null): StatsFilter {
  const next = nextMonth(month);
  const last = new Date(parisMidnight(`${next}-01`) - 12 * 3_600_000).toISOString().slice(0, 10);
  return { fromDay: `${month}-01`, toDay: last, from: parisMidnight(`${month}-01`), to: parisMidnight(`${next}-01`), granularity: 'week', territory };
}

export interface MonthlyFigures {
  month: string;
  territory: string | null;
  requests: number;
  notSerious: number;
  takenCare: number;
  /** Referrals taken care of within the promised delay, out of those taken care of or late. */
  withinPromise: { within: number; measured: number };
  fallbackOnly: number;
  tables: StatTable[];
}

const WANTED = ['demandes-par-epci', 'demandes-par-secteur', 'demandes-par-stade', 'orientations-par-structure', 'delais-de-prise-en-charge', 'demande-non-satisfaite', 'recours-par-epci'];

export function monthlyFigures(index: ReferralIndex, month: string, territory: TerritoryChoice | null, labels: Labels, now: Date): MonthlyFigures {
  const scope = scopeOf(monthFilter(month, territory), index, null, now);
  const outcome = requestOutcomes(index, scope);
  const delays = actorDelays(index, scope);
  const total = delays.find((d) => d.actorId === '') ?? delays[0];
  const unmet = unmetTables(index, null, scope, labels);
  const tables = [
    ...requestTables(index, requestCounts(index, scope), scope, labels),
    ...referralTables(index, scope, labels),
    delayTable(delays, labels),
    ...unmet,
  ].filter((t) => WANTED.includes(t.id));
  // Without conversations, the unmet-demand table keeps only the rows the referrals can tell.
  for (const t of tables) if (t.id === 'demande-non-satisfaite') t.rows = t.rows.slice(0, 1);
  return {
    month,
    territory: territory?.label ?? null,
    requests: outcome.consented,
    notSerious: outcome.notSerious,
    takenCare: outcome.takenCare,
    withinPromise: { within: total?.withinPromise ?? 0, measured: (total?.takenCare ?? 0) + (total?.late ?? 0) },
    fallbackOnly: Number(unmet.find((t) => t.id === 'demande-non-satisfaite')?.rows[0]?.nombre ?? 0),
    tables,
  };
}

/** Every table one after the other, a title line before each: one file a spreadsheet opens as is. */
export function monthlyCsv(figures: MonthlyFigures): string {
  let out = BOM + csvLine([`Aiguillage — bilan de ${monthLabel(figures.month)}${figures.territory ? ` — ${figures.territory}` : ''}`]);
  out += csvLine(['Demandes reçues', figures.requests]);
  out += csvLine(['Demandes de test ou non sérieuses (à part)', figures.notSerious]);
  for (const table of figures.tables) out += `\r\n${csvLine([table.title])}${tableCsv(table).slice(BOM.length)}`;
  return out;
}
