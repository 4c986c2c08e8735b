// Money on the wire is a decimal string plus an ISO 4217 currency; inside, integer minor units.

const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));

export function isCurrency(code: string): boolean {
  return knownCurrencies.has(code);
}

export function currencyDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "1500.00" → 150000 (MXN); null when the string is not a plain non-negative decimal with at most the currency's digits. */
export function parseAmount(text: string, currency: string): number | null {
  const digits = currencyDigits(currency);
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const whole = m[1] ?? '0';
  const frac = m[2] ?? '';
  if (frac.length > digits) return null;
  const minor = Number(whole + frac.padEnd(digits, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}

/** 150000, MXN → "1500.00" */
export function formatAmount(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const raw = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${raw}` : `${sign}${raw.slice(0, -digits)}.${raw.slice(-digits)}`;
}
