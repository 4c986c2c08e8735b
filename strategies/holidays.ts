// Public holidays as plain YYYY-MM-DD data, computed outside the workflow bundle (date-holidays is heavy).
import Holidays from 'date-holidays';

const cache = new Map<string, string[]>();

/** Public holidays of a country for the given years (inclusive), sorted. */
export function publicHolidays(country: string, fromYear: number, toYear: number): string[] {
  const key = `${country}|${fromYear}|${toYear}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const calendar = new Holidays(country.toUpperCase());
  const dates = new Set<string>();
  for (let year = fromYear; year <= toYear; year++) {
    const list = calendar.getHolidays(year) || [];
    for (const h of list) if (h.type === 'public') dates.add(h.date.slice(0, 10));
  }
  const result = [...dates].sort();
  cache.set(key, result);
  return result;
}
