// Schema pieces shared by several resources.

export const moneyString = {
  type: 'string',
  pattern: '^\\d{1,15}(\\.\\d{1,4})?$',
  description: 'a decimal string with a dot separator, e.g. "1500.00"',
  examples: ['1500.00'],
} as const;
export const currencyCode = {
  type: 'string',
  pattern: '^[A-Z]{3}$',
  description: 'an ISO 4217 code such as MXN',
  examples: ['MXN'],
} as const;
/** Dates the API takes lie in 1900-01-01 … 2199-12-31: older or later ones are typing errors, not debts. */
export const DATE_RANGE = { from: '1900-01-01', to: '2199-12-31' } as const;
const YEAR_IN_RANGE = '(19|2[01])\\d{2}';
export const isoDate = {
  type: 'string',
  format: 'date',
  pattern: `^${YEAR_IN_RANGE}-\\d{2}-\\d{2}$`,
  description: 'a real calendar date YYYY-MM-DD between 1900-01-01 and 2199-12-31',
} as const;
export const isoDateTime = {
  type: 'string',
  format: 'date-time',
  pattern: `^${YEAR_IN_RANGE}-`,
  description: 'an ISO 8601 date-time with offset, between 1900 and 2199',
} as const;

/**
 * PostgreSQL stores no U+0000 in text or jsonb. The door refuses it in every string and field name
 * (api/door.ts), with lone surrogates, and documents it on every string schema that has no pattern of its
 * own (a pattern of its own must exclude it too). Lone surrogates stay out of the pattern: no regex engine
 * the OpenAPI tools share (Rust's, Python's) can name them.
 */
export const STORABLE_TEXT = '^[^\\u0000]*$';
/** Storable text with at least one visible character. */
export const NOT_BLANK_TEXT = '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$';

/** Free text a person typed (names, references, reasons): at least one visible character, so `"   "` is refused. */
export const text = (maxLength: number) =>
  ({
    type: 'string',
    minLength: 1,
    maxLength,
    pattern: NOT_BLANK_TEXT,
    description: 'text that is not blank',
  }) as const;
/** Optional free text (a note) may be empty, never only blanks. */
export const optionalText = (maxLength: number) =>
  ({
    type: 'string',
    maxLength,
    pattern: `^$|${NOT_BLANK_TEXT}`,
    description: 'text that is empty or not blank',
  }) as const;
export const uuidParam = { type: 'string', format: 'uuid' } as const;
/** A strategy or segmentation version: stored as a PostgreSQL integer, so larger numbers are refused (400), not a 500. */
export const versionNumber = { type: 'integer', minimum: 0, maximum: 2_147_483_647 } as const;

export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { $ref: 'Problem#', description: 'Problem details (RFC 9457).' }]));

export const moneySchema = {
  type: 'object',
  required: ['amount', 'currency'],
  properties: { amount: moneyString, currency: currencyCode },
} as const;

/** One page of a cursor-paginated list; `nextCursor` goes back as `cursor` for the next page (null: the last one). */
export const pageOf = <T extends object>(item: T) =>
  ({
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
  }) as const;

/** A whole (short) list. */
export const listOf = <T extends object>(item: T) =>
  ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: item } } }) as const;
