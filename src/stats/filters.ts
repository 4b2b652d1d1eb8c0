// The filters every statistics view shares: a period (whole days, Paris time) and a territory
// (a named territory such as the Vignoble, or one EPCI). Parsed from a query string with French
// messages; an invalid value falls back to the default and says so.
import { parisDay } from '../domain/actor.js';
import type { TerritoryIndex } from '../territory/types.js';

const DAY = 86_400_000;
export const GRANULARITIES = ['day', 'week', 'month', 'quarter'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const GRANULARITY_LABELS: Record<Granularity, string> = { day: 'jour', week: 'semaine', month: 'mois', quarter: 'trimestre' };

export interface TerritoryChoice {
  /** `vignoble-nantais` or an EPCI SIREN. */
  id: string;
  label: string;
  epcis: string[];
}

export interface StatsFilter {
  /** Inclusive first day and last day, YYYY-MM-DD (Paris). */
  fromDay: string;
  toDay: string;
  /** Epoch ms: [from, to). */
  from: number;
  to: number;
  granularity: Granularity;
  territory: TerritoryChoice | null;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Epoch ms of 00:00 in Paris on `day` (YYYY-MM-DD). */
export function parisMidnight(day: string): number {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const guess = Date.UTC(y, m - 1, d);
  // Paris is UTC+1 or UTC+2: find the offset at that instant, then correct once more at DST edges.
  const offset = (at: number) => {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(at));
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute')) - at;
  };
  const first = guess - offset(guess);
  return guess - offset(first);
}

export function addDays(day: string, days: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Territories offered: the named ones, then each EPCI the directory serves. */
export function territoryChoices(territory: TerritoryIndex, namedIds: string[], epciCodes: string[]): TerritoryChoice[] {
  const choices: TerritoryChoice[] = [];
  for (const id of namedIds) {
    const named = territory.namedTerritory(id);
    if (named) choices.push({ id, label: named.nom, epcis: named.epcis });
  }
  for (const code of epciCodes) {
    const epci = territory.epci(code);
    if (epci) choices.push({ id: code, label: epci.nom, epcis: [code] });
  }
  return choices;
}

export interface ParsedFilter {
  filter: StatsFilter;
  /** French messages for values that were refused (the default was used instead). */
  errors: string[];
}

export function parseFilter(query: Record<string, unknown>, options: { now: Date; territories: TerritoryChoice[] }): ParsedFilter {
  const errors: string[] = [];
  const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string).trim() : '');
  const today = parisDay(options.now);
  const defaultFrom = `${addDays(today, -364).slice(0, 7)}-01`;

  let fromDay = text('du') || defaultFrom;
  let toDay = text('au') || today;
  if (!DAY_RE.test(fromDay) || Number.isNaN(Date.parse(fromDay))) {
    errors.push(`Date de début illisible « ${fromDay} » : attendu AAAA-MM-JJ.`);
    fromDay = defaultFrom;
  }
  if (!DAY_RE.test(toDay) || Number.isNaN(Date.parse(toDay))) {
    errors.push(`Date de fin illisible « ${toDay} » : attendu AAAA-MM-JJ.`);
    toDay = today;
  }
  if (fromDay > toDay) {
    errors.push('La date de début est après la date de fin : les deux ont été inversées.');
    [fromDay, toDay] = [toDay, fromDay];
  }
  const spanDays = (Date.parse(toDay) - Date.parse(fromDay)) / DAY + 1;
  const wanted = text('pas');
  let granularity: Granularity = spanDays <= 31 ? 'day' : spanDays <= 120 ? 'week' : spanDays <= 800 ? 'month' : 'quarter';
  if (wanted) {
    if ((GRANULARITIES as readonly string[]).includes(wanted)) granularity = wanted as Granularity;
    else errors.push(`Pas de temps inconnu « ${wanted} ».`);
  }
  // Day buckets over years would draw thousands of bars.
  if (granularity === 'day' && spanDays > 92) granularity = 'week';

  let territory: TerritoryChoice | null = null;
  const wantedTerritory = text('territoire');
  if (wantedTerritory) {
    territory = options.territories.find((t) => t.id === wantedTerritory) ?? null;
    if (!territory) errors.push(`Territoire inconnu « ${wantedTerritory} » : toutes les données sont affichées.`);
  }
  return {
    filter: { fromDay, toDay, from: parisMidnight(fromDay), to: parisMidnight(addDays(toDay, 1)), granularity, territory },
    errors,
  };
}

/** The filter as query parameters (links, CSV exports). */
export function filterQuery(filter: StatsFilter): string {
  const params = new URLSearchParams({ du: filter.fromDay, au: filter.toDay, pas: filter.granularity });
  if (filter.territory) params.set('territoire', filter.territory.id);
  return params.toString();
}

export interface Bucket {
  key: string;
  label: string;
  start: number;
}

const MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];

/** The period cut in buckets (Paris days); weeks start on Monday. */
export function buckets(filter: StatsFilter): Bucket[] {
  const list: Bucket[] = [];
  let day = filter.fromDay;
  if (filter.granularity === 'week') {
    const weekday = (new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7;
    day = addDays(day, -weekday);
  } else if (filter.granularity === 'month') day = `${day.slice(0, 7)}-01`;
  else if (filter.granularity === 'quarter') day = `${day.slice(0, 5)}${String(Math.floor((Number(day.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  while (day <= filter.toDay) {
    const [y, m, d] = day.split('-').map(Number) as [number, number, number];
    let label: string;
    let next: string;
    switch (filter.granularity) {
      case 'day':
        label = `${d} ${MONTHS[m - 1]}`;
        next = addDays(day, 1);
        break;
      case 'week':
        label = `sem. du ${d} ${MONTHS[m - 1]}`;
        next = addDays(day, 7);
        break;
      case 'month':
        label = `${MONTHS[m - 1]} ${y}`;
        next = new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
        break;
      case 'quarter':
        label = `T${Math.floor((m - 1) / 3) + 1} ${y}`;
        next = new Date(Date.UTC(y, m + 2, 1)).toISOString().slice(0, 10);
        break;
    }
    list.push({ key: day, label, start: parisMidnight(day) });
    day = next;
  }
  return list;
}

/** Index of the bucket holding `at` (binary search over the starts), or -1. */
export function bucketOf(starts: Float64Array, at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  if (hi < 0 || at < starts[0]!) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * A territorial coordinator's filter: the territory asked for when it lies inside `allowed`,
 * else all of `allowed` (never the whole service). `allowed` null: regional, unchanged.
 */
export function confineFilter(parsed: ParsedFilter, allowed: TerritoryChoice | null): ParsedFilter {
  if (!allowed) return parsed;
  const asked = parsed.filter.territory;
  if (asked && asked.epcis.every((e) => allowed.epcis.includes(e))) return parsed;
  return { ...parsed, filter: { ...parsed.filter, territory: allowed } };
}
