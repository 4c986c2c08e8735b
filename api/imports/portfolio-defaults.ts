// The uploader's defaults are validated once, so a typo there is one clear error instead of one per line.

import type { DebtorKind, FieldError } from './invoice-input.js';
import type { LineDefaults } from './portfolio-line.js';
import { parseCurrency } from '../../lib/tabular/money.js';
import { parseCountry } from './country.js';
import { PortfolioFileError } from './portfolio-file-error.js';

export function checkDefaults(input: { country?: string; currency?: string; kind?: DebtorKind }): LineDefaults {
  const errors: FieldError[] = [];
  const defaults: LineDefaults = {};
  if (input.country !== undefined) {
    const country = parseCountry(input.country);
    if (country) defaults.country = country;
    else errors.push({ field: 'defaults.country', message: `"${input.country}" is not a country` });
  }
  if (input.currency !== undefined) {
    const currency = parseCurrency(input.currency);
    if (currency.ok) defaults.currency = currency.value;
    else errors.push({ field: 'defaults.currency', message: currency.message });
  }
  if (input.kind !== undefined) {
    if (input.kind === 'person' || input.kind === 'company') defaults.kind = input.kind;
    else errors.push({ field: 'defaults.kind', message: 'must be "person" or "company"' });
  }
  if (errors.length > 0) throw new PortfolioFileError('invalid import defaults', errors);
  return defaults;
}
