// Working days as actors live them: Monday to Friday in Paris, French public holidays excepted.
import { parisDay } from '../domain/actor.js';
import { isPublicHoliday } from './holidays.js';

const weekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', weekday: 'short' });
const DAY = 86_400_000;

export function isWorkingDay(date: Date): boolean {
  const day = weekday.format(date);
  return day !== 'Sat' && day !== 'Sun' && !isPublicHoliday(parisDay(date));
}

/** The moment `days` working days after `start` (same time of day). */
export function addWorkingDays(start: Date, days: number): Date {
  let at = start.getTime();
  let left = days;
  while (left > 0) {
    at += DAY;
    if (isWorkingDay(new Date(at))) left -= 1;
  }
  return new Date(at);
}

/** The first working day of a month (`YYYY-MM`), as a Paris calendar day. */
export function firstWorkingDay(month: string): string {
  for (let d = 1; ; d += 1) {
    const day = `${month}-${String(d).padStart(2, '0')}`;
    if (isWorkingDay(new Date(`${day}T12:00:00Z`))) return day;
  }
}
