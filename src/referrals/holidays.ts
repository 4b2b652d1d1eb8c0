// French public holidays (metropolitan France, without the Alsace-Moselle extra days), from the
// maintained @socialgouv/jours-feries package, as Paris calendar days (YYYY-MM-DD).
import getJoursFeries from '@socialgouv/jours-feries';

const byYear = new Map<number, ReadonlySet<string>>();

/** The package builds local-time midnights: read them back with the local getters. */
function dayOf(date: Date): string {
  const noon = new Date(date.getTime() + 12 * 3_600_000); // off a DST hour, still the same day
  return `${noon.getFullYear()}-${String(noon.getMonth() + 1).padStart(2, '0')}-${String(noon.getDate()).padStart(2, '0')}`;
}

export function publicHolidays(year: number): ReadonlySet<string> {
  let days = byYear.get(year);
  if (!days) {
    days = new Set(Object.values(getJoursFeries(year)).map(dayOf));
    byYear.set(year, days);
  }
  return days;
}

/** `day` is a Paris calendar day, YYYY-MM-DD. */
export function isPublicHoliday(day: string): boolean {
  return publicHolidays(Number(day.slice(0, 4))).has(day);
}
