// Countries arrive as codes ("CL") or as names typed by people ("México", "Perú", "EEUU").

import { getCountries } from 'libphonenumber-js/max';
import { normalizeHeader } from './portfolio-columns.js';

// Phone metadata's list is the set of real countries we can also contact, unlike Intl's
// region list which includes "EU" and "Unknown Region".
const CODES = new Set<string>(getCountries());

const ALIASES: Record<string, string> = {
  eeuu: 'US',
  'ee uu': 'US',
  usa: 'US',
  'estados unidos america': 'US',
  mejico: 'MX',
  'republica dominicana': 'DO',
  'reino unido': 'GB',
  uk: 'GB',
  inglaterra: 'GB',
};

const BY_NAME = new Map<string, string>(Object.entries(ALIASES));
for (const language of ['es', 'en', 'pt']) {
  const names = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' });
  for (const code of CODES) {
    const name = names.of(code);
    if (name && !BY_NAME.has(normalizeHeader(name))) BY_NAME.set(normalizeHeader(name), code);
  }
}

/** ISO 3166 alpha-2 for a code or a country name, or undefined. */
export function parseCountry(text: string): string | undefined {
  const trimmed = text.trim();
  if (/^[a-z]{2}$/i.test(trimmed)) {
    const code = trimmed.toUpperCase();
    return CODES.has(code) ? code : undefined;
  }
  return BY_NAME.get(normalizeHeader(trimmed));
}
