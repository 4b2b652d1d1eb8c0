// Working days as actors live them: Monday to Friday in Paris (public holidays not counted yet).
const weekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', weekday: 'short' });
const DAY = 86_400_000;

export function isWorkingDay(date: Date): boolean {
  const day = weekday.format(date);
  return day !== 'Sat' && day !== 'Sun';
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
