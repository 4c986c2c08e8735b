// What the decision core needs beside the strategy, built one way for the worker's loader and for the
// import's stage forecast: the jurisdiction pack in force today and the holiday calendar around it.
import { DateTime } from 'luxon';
import type { EngineContext, NormalizedStrategy } from './core/types';
import { publicHolidays } from './holidays';
import { packFor } from './jurisdictions';

/** Years of holidays loaded at once; a run continues-as-new long before it needs more. */
const HOLIDAY_YEARS_AHEAD = 3;

export function engineContext(
  found: { strategy: NormalizedStrategy; version: number },
  country: string,
  zone: string,
  now: number,
): EngineContext {
  const today = DateTime.fromMillis(now, { zone });
  return {
    strategy: found.strategy,
    strategyVersion: found.version,
    pack: packFor(country, today.toISODate() ?? '2000-01-01'),
    holidays: publicHolidays(country, today.year - 1, today.year + HOLIDAY_YEARS_AHEAD),
    zone,
  };
}
