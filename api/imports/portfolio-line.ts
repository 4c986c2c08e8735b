// Turns one spreadsheet line into an InvoiceInput, collecting every problem instead of stopping at the first.

import { IANAZone } from 'luxon';
import type { ColumnKey } from './portfolio-columns.js';
import type { DebtorInput, DebtorKind, FieldError, InvoiceInput } from './invoice-input.js';
import { currencyMinorDigits, parseAmount, parseCurrency } from '../../lib/tabular/money.js';
import { parseDate } from '../../lib/tabular/dates.js';
import { parseEmail, parsePhone } from './contact.js';
import { parseCountry } from './country.js';
import { normalizeHeader } from './portfolio-columns.js';

/** What a spreadsheet cell can hold once read: CSV gives text, XLSX also numbers and dates. */
export type CellValue = string | number | Date;

export interface LineDefaults {
  country?: string;
  currency?: string;
  kind?: DebtorKind;
}

export type LineResult = { ok: true; invoice: InvoiceInput } | { ok: false; errors: FieldError[] };

const KIND_WORDS: Record<string, DebtorKind> = {
  persona: 'person',
  natural: 'person',
  'persona natural': 'person',
  fisica: 'person',
  'persona fisica': 'person',
  individuo: 'person',
  particular: 'person',
  pn: 'person',
  person: 'person',
  individual: 'person',
  consumer: 'person',
  empresa: 'company',
  juridica: 'company',
  'persona juridica': 'company',
  moral: 'company',
  'persona moral': 'company',
  sociedad: 'company',
  pj: 'company',
  company: 'company',
  business: 'company',
  corporate: 'company',
  organization: 'company',
};

const SPREADSHEET_ERROR = /^#(N\/A|REF!|VALUE!|DIV\/0!|NAME\?|NULL!|NUM!|SPILL!|CALC!)$/i;

/** Text as the user sees it; numbers keep their digits so ids like NIT 900123456 survive. */
export function cellText(cell: CellValue | undefined): string {
  if (cell === undefined) return '';
  if (cell instanceof Date) return Number.isNaN(cell.getTime()) ? '' : cell.toISOString().slice(0, 10);
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  return cell.replace(/\s+/g, ' ').trim();
}

function parseKind(text: string): DebtorKind | undefined {
  return KIND_WORDS[normalizeHeader(text)];
}

function canonicalLocale(text: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(text.replace('_', '-'))[0];
  } catch {
    return undefined;
  }
}

type Fail = (field: string, message: string) => undefined;

/** The optional ways to reach the debtor; each is kept only when a channel could use it as is. */
function debtorContact(
  text: (key: ColumnKey) => string,
  country: string | undefined,
  fail: Fail,
): Partial<DebtorInput> {
  const debtor: Partial<DebtorInput> = {};
  const emailText = text('debtor.email');
  if (emailText) {
    const email = parseEmail(emailText);
    if (email.ok) debtor.email = email.value;
    else fail('debtor.email', email.message);
  }
  const phoneText = text('debtor.phone');
  if (phoneText) {
    const phone = parsePhone(phoneText, country);
    if (phone.ok) debtor.phone = phone.value;
    else fail('debtor.phone', phone.message);
  }
  const timezone = text('debtor.timezone');
  if (timezone) {
    if (IANAZone.isValidZone(timezone)) debtor.timezone = timezone;
    else fail('debtor.timezone', `"${timezone}" is not an IANA time zone (America/Santiago…)`);
  }
  const localeText = text('debtor.locale');
  if (localeText) {
    const locale = canonicalLocale(localeText);
    if (locale) debtor.locale = locale;
    else fail('debtor.locale', `"${localeText}" is not a language tag (es-CL…)`);
  }
  return debtor;
}

export function parseLine(get: (key: ColumnKey) => CellValue | undefined, defaults: LineDefaults): LineResult {
  const errors: FieldError[] = [];
  const fail: Fail = (field, message) => {
    errors.push({ field, message });
    return undefined;
  };
  // A cell holding #N/A or #REF! is reported once as such, then treated as already judged.
  const judged = new Set<ColumnKey>();
  const cell = (key: ColumnKey): CellValue | undefined => {
    const value = get(key);
    const shown = cellText(value);
    if (!SPREADSHEET_ERROR.test(shown)) return value;
    if (!judged.has(key)) fail(key, `holds the spreadsheet error ${shown}`);
    judged.add(key);
    return undefined;
  };
  const text = (key: ColumnKey): string => cellText(cell(key));
  const required = (key: ColumnKey): string | undefined =>
    text(key) || (judged.has(key) ? undefined : fail(key, 'is required'));
  const parsed = <T extends { ok: boolean }>(key: ColumnKey, parse: (value: CellValue) => T): T | undefined => {
    const value = cell(key);
    return judged.has(key) ? undefined : parse(value ?? '');
  };

  const externalId = required('externalId');
  const debtorExternalId = required('debtor.externalId');
  const name = required('debtor.name');

  const kindText = text('debtor.kind');
  const kind = kindText
    ? (parseKind(kindText) ??
      fail('debtor.kind', `"${kindText}" is not a debtor type (persona/natural or empresa/jurídica)`))
    : (defaults.kind ?? fail('debtor.kind', 'is required (persona or empresa)'));

  const countryText = text('debtor.country');
  const country = countryText
    ? (parseCountry(countryText) ??
      fail('debtor.country', `"${countryText}" is not a country (use CL, MX, CO… or its name)`))
    : (defaults.country ?? fail('debtor.country', 'is required'));

  const currencyText = text('currency');
  const currencyResult = currencyText ? parseCurrency(currencyText) : undefined;
  if (currencyResult && !currencyResult.ok) fail('currency', currencyResult.message);
  const currency = currencyResult?.ok
    ? currencyResult.value
    : currencyText
      ? undefined
      : (defaults.currency ?? fail('currency', 'is required'));

  // Without a currency the minor digits are unknown, so the amount cannot be read safely.
  const minorDigits = currency === undefined ? undefined : currencyMinorDigits(currency);
  const amountResult =
    minorDigits === undefined
      ? undefined
      : parsed('amount', (value) => parseAmount(typeof value === 'number' ? value : cellText(value), minorDigits));
  if (amountResult && !amountResult.ok) fail('amount', amountResult.message);

  const due = parsed('dueDate', parseDate);
  if (due && !due.ok) fail('dueDate', due.message);

  const issued = cellText(get('issuedAt')) === '' ? undefined : parsed('issuedAt', parseDate);
  if (issued && !issued.ok) fail('issuedAt', issued.message);

  const debtor = debtorContact(text, country, fail);
  const strategyId = text('strategyId');

  if (
    errors.length > 0 ||
    !externalId ||
    !debtorExternalId ||
    !name ||
    !kind ||
    !country ||
    !currency ||
    !amountResult?.ok ||
    !due?.ok
  ) {
    return { ok: false, errors };
  }
  const invoice: InvoiceInput = {
    externalId,
    debtor: { externalId: debtorExternalId, name, kind, ...debtor, country },
    amount: amountResult.value,
    currency,
    dueDate: due.value,
  };
  if (issued?.ok) invoice.issuedAt = issued.value;
  if (strategyId) invoice.strategyId = strategyId;
  return { ok: true, invoice };
}
