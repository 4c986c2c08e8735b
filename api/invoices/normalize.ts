// Turns an accepted-by-schema invoice request into the normalised form we store, or field errors.
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString, getCountries, type CountryCode } from 'libphonenumber-js';
import { DateTime, IANAZone } from 'luxon';
import type { DebtorAttributes } from '../../db/schema';
import type { FieldError } from '../problem';
import { isCurrency, parseAmount } from '../money';
import { DATE_RANGE } from '../schemas/common';
import { countryMainZone, countryDefaultLocale } from './country-defaults';

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

export interface InvoiceRequest {
  externalId: string;
  debtor: {
    externalId: string;
    name: string;
    kind: 'person' | 'company';
    email?: string;
    phone?: string;
    country: string;
    timezone?: string;
    locale?: string;
    attributes?: DebtorAttributes;
  };
  amount: string;
  currency: string;
  dueDate: string;
  issuedAt?: string;
  strategyId?: string;
}

export interface NormalizedInvoice {
  externalId: string;
  debtor: {
    externalId: string;
    name: string;
    kind: 'person' | 'company';
    email: string | null;
    phone: string | null;
    country: string;
    timezone: string;
    locale: string;
    attributes?: DebtorAttributes;
  };
  amountMinor: number;
  currency: string;
  dueDate: string;
  issuedAt: string | null;
  strategyId: string | null;
  contentHash: string;
}

const countries = new Set<string>(getCountries());

function checkDate(text: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(text) &&
    DateTime.fromISO(text, { zone: 'UTC' }).isValid &&
    text >= DATE_RANGE.from &&
    text <= DATE_RANGE.to
  );
}

/**
 * Answers remembered: a portfolio import checks the same few dates and zones on every line, and luxon's
 * zone check builds an Intl formatter each time (most of an import's CPU before this). Bounded.
 */
function remembered(check: (text: string) => boolean): (text: string) => boolean {
  const seen = new Map<string, boolean>();
  return (text) => {
    let ok = seen.get(text);
    if (ok === undefined) {
      if (seen.size >= 10_000) seen.clear();
      seen.set(text, (ok = check(text)));
    }
    return ok;
  };
}
const validDate = remembered(checkDate);
const validZone = remembered((zone) => IANAZone.isValidZone(zone));

export function normalizeInvoice(
  req: InvoiceRequest,
  prefix = '',
): { value?: NormalizedInvoice; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const f = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const country = req.debtor.country.toUpperCase();
  if (!countries.has(country))
    errors.push({ field: f('debtor.country'), message: 'must be an ISO 3166-1 alpha-2 country code' });
  if (!isCurrency(req.currency)) errors.push({ field: f('currency'), message: 'must be an ISO 4217 currency code' });
  const amountMinor = isCurrency(req.currency) ? parseAmount(req.amount, req.currency) : null;
  if (isCurrency(req.currency) && amountMinor === null) {
    errors.push({
      field: f('amount'),
      message: `must be a decimal string with at most the currency's minor digits (e.g. "1500.00")`,
    });
  } else if (amountMinor === 0) {
    errors.push({ field: f('amount'), message: 'must be greater than zero' });
  }
  if (!validDate(req.dueDate))
    errors.push({ field: f('dueDate'), message: 'must be a real date YYYY-MM-DD between 1900-01-01 and 2199-12-31' });
  if (req.issuedAt !== undefined && !validDate(req.issuedAt))
    errors.push({ field: f('issuedAt'), message: 'must be a real date YYYY-MM-DD between 1900-01-01 and 2199-12-31' });
  const timezone = req.debtor.timezone ?? countryMainZone(country);
  if (!validZone(timezone))
    errors.push({ field: f('debtor.timezone'), message: 'must be an IANA time zone such as America/Bogota' });
  let phone: string | null = null;
  if (req.debtor.phone !== undefined) {
    const parsed = parsePhoneNumberFromString(
      req.debtor.phone,
      countries.has(country) ? (country as CountryCode) : undefined,
    );
    if (!parsed?.isValid())
      errors.push({ field: f('debtor.phone'), message: 'must be a valid phone number (E.164, e.g. +525512345678)' });
    else phone = parsed.number;
  }
  for (const name of Object.keys(req.debtor.attributes ?? {}))
    if (!ATTRIBUTE_NAME.test(name))
      errors.push({
        field: f(`debtor.attributes.${name}`),
        message: 'must be a name of letters, digits, "_", "." or "-" (at most 64), starting with a letter',
      });
  if (errors.length > 0) return { errors };

  const value: Omit<NormalizedInvoice, 'contentHash'> = {
    externalId: req.externalId,
    debtor: {
      externalId: req.debtor.externalId,
      name: req.debtor.name.trim(),
      kind: req.debtor.kind,
      email: req.debtor.email?.toLowerCase() ?? null,
      phone,
      country,
      timezone,
      locale: req.debtor.locale ?? countryDefaultLocale(country),
      ...(req.debtor.attributes ? { attributes: req.debtor.attributes } : {}),
    },
    amountMinor: amountMinor ?? 0,
    currency: req.currency,
    dueDate: req.dueDate,
    issuedAt: req.issuedAt ?? null,
    strategyId: req.strategyId ?? null,
  };
  return { value: { ...value, contentHash: contentHash(value) }, errors };
}

/** Stable over key order, so "the same content" means the same facts, not the same bytes. */
function contentHash(value: Omit<NormalizedInvoice, 'contentHash'>): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}
