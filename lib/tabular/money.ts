// Amounts in spreadsheets and bank exports arrive as "1.234,56", "1,234.56", "$ 1.234" or spreadsheet numbers. They are parsed
// as digit strings, never through floats, because a rounding slip would change what a debtor owes.

import { currencyDigits } from '../../strategies/core/money';

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

/** Minor digits as the whole system counts them (CLP 0, COP 2, USD 2, KWD 3); undefined for unknown codes. */
export function currencyMinorDigits(currency: string): number | undefined {
  if (!/^[A-Z]{3}$/.test(currency) || !isCurrency(currency)) return undefined;
  return currencyDigits(currency);
}

const CURRENCY_ALIASES: Record<string, string> = {
  US$: 'USD',
  U$S: 'USD',
  USD$: 'USD',
  '€': 'EUR',
  'S/': 'PEN',
  'S/.': 'PEN',
};

export function parseCurrency(text: string): { ok: true; value: string } | { ok: false; message: string } {
  const code = CURRENCY_ALIASES[text.trim().toUpperCase()] ?? text.trim().toUpperCase();
  if (currencyMinorDigits(code) === undefined)
    return { ok: false, message: `"${text}" is not an ISO 4217 currency code (CLP, MXN, USD…)` };
  return { ok: true, value: code };
}

export type AmountResult = { ok: true; value: string } | { ok: false; message: string };

/** Excel keeps 15 significant digits; reading a number cell at that precision recovers what the user typed. */
function numberCellToText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = value.toPrecision(15);
  if (text.includes('e')) return undefined;
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Splits "1.234,56" into integer and fraction digits, deciding which mark is the decimal separator. */
function splitDigits(text: string, minorDigits: number): { integer: string; fraction: string } | undefined {
  const marks = [...text.matchAll(/[.,]/g)].map((m) => ({ mark: m[0], at: m.index }));
  const last = marks[marks.length - 1];
  if (!last) return /^\d+$/.test(text) ? { integer: text, fraction: '' } : undefined;
  const kinds = new Set(marks.map((m) => m.mark));
  const afterLast = text.length - last.at - 1;
  // One lone mark followed by exactly three digits is a thousands separator ("1.234" CLP, "1,234" USD)
  // unless the currency itself has three decimals.
  const lastIsDecimal = kinds.size === 2 || (marks.length === 1 && !(afterLast === 3 && minorDigits < 3));
  const integerPart = lastIsDecimal ? text.slice(0, last.at) : text;
  const fraction = lastIsDecimal ? text.slice(last.at + 1) : '';
  if (!/^\d*$/.test(fraction)) return undefined;
  const groupMark = lastIsDecimal ? (kinds.size === 2 ? marks[0]?.mark : undefined) : last.mark;
  if (groupMark === undefined)
    return /^\d*$/.test(integerPart) && integerPart + fraction !== '' ? { integer: integerPart, fraction } : undefined;
  const groups = integerPart.split(groupMark);
  const [head, ...rest] = groups;
  const wellGrouped = head !== undefined && /^\d{1,3}$/.test(head) && rest.every((g) => /^\d{3}$/.test(g));
  return wellGrouped ? { integer: groups.join(''), fraction } : undefined;
}

/** Parses an amount owed into "1234.56" with exactly the currency's minor digits. */
export function parseAmount(cell: string | number, minorDigits: number): AmountResult {
  const original = typeof cell === 'number' ? numberCellToText(cell) : cell.trim();
  if (original === undefined) return { ok: false, message: `${String(cell)} is not a usable amount` };
  if (original === '') return { ok: false, message: 'is required' };
  if (/^\(.*\)$/.test(original) || original.includes('-'))
    return { ok: false, message: `"${original}" is negative; only amounts owed can be imported` };
  const split =
    typeof cell === 'number' ? splitNumberCell(original) : splitDigits(stripDecorations(original), minorDigits);
  if (!split) return { ok: false, message: `"${original}" is not an amount (use 1.234,56 or 1,234.56)` };
  const fraction = split.fraction.replace(/0+$/, '');
  if (fraction.length > minorDigits) {
    return { ok: false, message: `"${original}" has more decimals than the currency allows (${minorDigits})` };
  }
  const integer = split.integer.replace(/^0+(?=\d)/, '') || '0';
  // The API stores integer minor units; past 15 digits they would no longer be exact.
  if (integer.length > 15) return { ok: false, message: `"${original}" is too large` };
  const value = minorDigits === 0 ? integer : `${integer}.${fraction.padEnd(minorDigits, '0')}`;
  if (/^[0.]+$/.test(value)) return { ok: false, message: 'must be greater than zero' };
  return { ok: true, value };
}

/** Currency symbols and codes, and the spaces or apostrophes some locales group with, carry no digits. */
function stripDecorations(text: string): string {
  return text.replace(/[\s\u00a0\u202f']/g, '').replace(/^[^\d.,]+|[^\d.,]+$/g, '');
}

/** A number cell's text always uses "." as the decimal point. */
function splitNumberCell(text: string): { integer: string; fraction: string } {
  const [integer = '', fraction = ''] = text.split('.');
  return { integer, fraction };
}
