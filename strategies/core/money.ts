// Money is integer minor units; decimal strings are parsed digit by digit so no float ever touches an amount.

const digitsCache = new Map<string, number>();

/**
 * ISO 4217 minor digits where ICU's display digits differ: ICU formats COP with 0 decimals,
 * but ISO 4217 (and Colombian invoices) carry centavos.
 */
const ISO_4217_OVERRIDES: Readonly<Record<string, number>> = { COP: 2 };

/** Minor digits of an ISO 4217 currency (CLP 0, COP 2, MXN 2, KWD 3). */
export function currencyDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  let digits = ISO_4217_OVERRIDES[currency] ?? 2;
  if (ISO_4217_OVERRIDES[currency] !== undefined) {
    digitsCache.set(currency, digits);
    return digits;
  }
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    digits = 2;
  }
  digitsCache.set(currency, digits);
  return digits;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** "1500.00" → 150000 for 2 digits. Returns null when malformed, too precise or unsafe. */
export function parseMinor(text: string, digits: number): number | null {
  const match = DECIMAL.exec(text.trim());
  if (!match) return null;
  const whole = match[1] ?? '0';
  const fraction = match[2] ?? '';
  if (fraction.length > digits) {
    // Extra digits are accepted only when they are zeros ("1500.000" for MXN).
    if (/[^0]/.test(fraction.slice(digits))) return null;
  }
  const padded = (fraction + '0'.repeat(digits)).slice(0, digits);
  const value = Number(whole + padded);
  return Number.isSafeInteger(value) ? value : null;
}

/** 150000 → "1500.00" for 2 digits; exact for any safe integer. */
export function formatMinor(minor: number, digits: number): string {
  const negative = minor < 0;
  const text = Math.abs(minor)
    .toString()
    .padStart(digits + 1, '0');
  const whole = digits === 0 ? text : text.slice(0, -digits);
  const fraction = digits === 0 ? '' : `.${text.slice(-digits)}`;
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** amount ≥ percent% of base, in integer math (percent may carry up to 2 decimals). */
export function isAtLeastPercent(amountMinor: number, baseMinor: number, percent: number): boolean {
  const basisPoints = BigInt(Math.round(percent * 100));
  return BigInt(amountMinor) * 10000n >= BigInt(baseMinor) * basisPoints;
}

/** The smallest amount that is at least percent% of base (the same integer math as isAtLeastPercent). */
export function minimumForPercent(baseMinor: number, percent: number): number {
  const basisPoints = BigInt(Math.round(percent * 100));
  return Number((BigInt(baseMinor) * basisPoints + 9999n) / 10000n);
}
