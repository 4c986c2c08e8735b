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
export const isoDate = { type: 'string', format: 'date', description: 'a real calendar date YYYY-MM-DD' } as const;
export const uuidParam = { type: 'string', format: 'uuid' } as const;

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
