// Local-calendar arithmetic in the debtor's zone. Date strings are YYYY-MM-DD; instants are epoch ms.
import { DateTime } from 'luxon';

/** Days since 1970-01-01 of a civil date, pure arithmetic (no zone involved). */
export function dayNumber(date: string): number {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(n: number): string {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** ISO weekday, 1 = Monday … 7 = Sunday. */
export function weekday(date: string): 1 | 2 | 3 | 4 | 5 | 6 | 7 {
  const n = dayNumber(date); // 1970-01-01 was a Thursday
  return (((((n + 3) % 7) + 7) % 7) + 1) as 1 | 2 | 3 | 4 | 5 | 6 | 7;
}

/** The Monday that starts the local calendar week of `date`. */
export function weekStart(date: string): string {
  return addDays(date, 1 - weekday(date));
}

const localInstantCache = new Map<string, number>();

/**
 * Instant of a local wall-clock time. A time skipped by a DST jump resolves to the first
 * instant after the gap (luxon's rule), so "00:00" on a Santiago spring-forward day is 01:00.
 */
export function localInstant(date: string, hhmm: string, zone: string): number {
  const key = `${zone}|${date}|${hhmm}`;
  const cached = localInstantCache.get(key);
  if (cached !== undefined) return cached;
  const dt = DateTime.fromObject(
    {
      year: Number(date.slice(0, 4)),
      month: Number(date.slice(5, 7)),
      day: Number(date.slice(8, 10)),
      hour: Number(hhmm.slice(0, 2)),
      minute: Number(hhmm.slice(3, 5)),
    },
    { zone },
  );
  let ms = dt.toMillis();
  if (hhmm === '00:00') ms = dt.startOf('day').toMillis();
  if (localInstantCache.size > 200_000) localInstantCache.clear();
  localInstantCache.set(key, ms);
  return ms;
}

export function startOfLocalDay(date: string, zone: string): number {
  return localInstant(date, '00:00', zone);
}

/** Local calendar date and minutes after midnight of an instant. */
export function localParts(ms: number, zone: string): { date: string; minutes: number } {
  const dt = DateTime.fromMillis(ms, { zone });
  return { date: dt.toISODate() ?? '1970-01-01', minutes: dt.hour * 60 + dt.minute };
}

export function localDate(ms: number, zone: string): string {
  return localParts(ms, zone).date;
}

/** ISO 8601 with the debtor's offset, e.g. 2026-03-02T08:00:00-06:00. */
export function isoLocal(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true }) ?? new Date(ms).toISOString();
}

export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
