// Portfolio dates arrive as text in the exporter's locale, as Excel serial numbers or as Date cells.
// Day-first is assumed for slashed dates because these files come from Spanish-speaking ERPs; a
// month above 12 is reported rather than silently read month-first.

import { DateTime } from 'luxon';

export type DateResult = { ok: true; value: string } | { ok: false; message: string };

// Excel's day 0 is 1899-12-30 once its fictitious 1900-02-29 (serial 60) is accounted for.
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30);
const DAY_MS = 86_400_000;
// Serials outside 1954–2119 are almost certainly amounts or ids pasted in the wrong column.
const PLAUSIBLE_SERIALS = { min: 20_000, max: 80_000 };

function fromParts(year: number, month: number, day: number, original: string): DateResult {
  const date = DateTime.fromObject({ year, month, day }, { zone: 'utc' });
  if (!date.isValid) return { ok: false, message: `"${original}" is not a real date` };
  return { ok: true, value: date.toISODate() ?? '' };
}

function fromExcelSerial(serial: number, original: string): DateResult {
  if (serial < PLAUSIBLE_SERIALS.min || serial > PLAUSIBLE_SERIALS.max) {
    return { ok: false, message: `${original} is not a date` };
  }
  const date = new Date(EXCEL_EPOCH_MS + Math.floor(serial) * DAY_MS);
  return fromParts(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), original);
}

function expandYear(year: string): number {
  const value = Number(year);
  if (year.length !== 2) return value;
  return value < 70 ? 2000 + value : 1900 + value;
}

/** Parses a date cell into YYYY-MM-DD; any time of day is dropped since due dates are calendar days. */
export function parseDate(cell: string | number | Date): DateResult {
  // Spreadsheet readers hand date cells over as midnight UTC.
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) return { ok: false, message: 'is not a date' };
    return fromParts(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate(), cell.toISOString());
  }
  if (typeof cell === 'number') return fromExcelSerial(cell, String(cell));
  const text = cell.trim();
  if (text === '') return { ok: false, message: 'is required' };
  const withoutTime = text.replace(/[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*([ap]\.?m\.?)?(Z|[+-]\d{2}:?\d{2})?$/i, '');
  const isoLike = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(withoutTime);
  if (isoLike) return fromParts(Number(isoLike[1]), Number(isoLike[2]), Number(isoLike[3]), text);
  const dayFirst = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4}|\d{2})$/.exec(withoutTime);
  if (dayFirst) {
    const [, day = '', month = '', year = ''] = dayFirst;
    if (Number(month) > 12) return { ok: false, message: `"${text}" is not a real date (expected day/month/year)` };
    return fromParts(expandYear(year), Number(month), Number(day), text);
  }
  if (/^\d+(\.\d+)?$/.test(withoutTime)) return fromExcelSerial(Number(withoutTime), text);
  return { ok: false, message: `"${text}" is not a date (use dd/mm/yyyy or yyyy-mm-dd)` };
}
