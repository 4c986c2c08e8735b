// Money on the wire is a decimal string plus an ISO 4217 currency; inside, integer minor units.
// Minor digits come from the decision core, so the API, the simulator and the workflow agree (COP has centavos).
import { currencyDigits, formatMinor, parseMinor } from '../strategies/core/money';

export { isCurrency } from '../lib/tabular/money';

/** "1500.00" → 150000 (MXN); null when the string is not a plain non-negative decimal with at most the currency's digits. */
export function parseAmount(text: string, currency: string): number | null {
  if (!/^\d{1,15}(\.\d+)?$/.test(text)) return null;
  return parseMinor(text, currencyDigits(currency));
}

/** 150000, MXN → "1500.00" */
export function formatAmount(minor: number, currency: string): string {
  return formatMinor(minor, currencyDigits(currency));
}
