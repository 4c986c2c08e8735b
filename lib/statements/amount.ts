// Statement amounts: decimal strings in the file's notation, into signed integer minor units (no floats).
import { currencyDigits, parseMinor } from '../../strategies/core/money';
import { currencyMinorDigits, parseAmount } from '../tabular/money';

/** "1234.56" (XML, always "." decimal) → minor units; null when malformed. */
export function xmlAmountMinor(text: string, currency: string): number | null {
  return parseMinor(text.trim(), currencyDigits(currency));
}

/** "1.234,56", "1,234.56", "-1.234,56", "(1.234,56)", "$ 1,234.56" → signed minor units, or an error message. */
export function localAmountMinor(
  text: string,
  currency: string,
): { ok: true; value: number } | { ok: false; message: string } {
  const digits = currencyMinorDigits(currency);
  if (digits === undefined) return { ok: false, message: `"${currency}" is not an ISO 4217 currency code` };
  let t = text.trim();
  let negative = false;
  if (/^\(.*\)$/.test(t)) {
    negative = true;
    t = t.slice(1, -1);
  }
  if (/^-|-$/.test(t.replace(/^[^\d-]+/, '').replace(/[^\d-]+$/, ''))) {
    negative = true;
    t = t.replace('-', '');
  }
  const parsed = parseAmount(t, digits);
  if (!parsed.ok) return parsed;
  const minor = parseMinor(parsed.value, digits);
  if (minor === null) return { ok: false, message: `"${text}" is too large` };
  return { ok: true, value: negative ? -minor : minor };
}
