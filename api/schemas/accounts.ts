import {
  currencyCode,
  isoDate,
  isoDateTime,
  moneySchema,
  moneyString,
  problemResponses,
  text,
  uuidParam,
} from './common';

const timelineEntry = {
  type: 'object',
  additionalProperties: true,
  required: ['at', 'type'],
  properties: { at: { type: 'string' }, type: { type: 'string' } },
} as const;

export const accountViewSchema = {
  type: 'object',
  required: [
    'accountId',
    'status',
    'stage',
    'balance',
    'daysPastDue',
    'strategy',
    'nextAction',
    'promise',
    'brokenPromises',
    'timeline',
  ],
  properties: {
    accountId: { type: 'string' },
    /** `read-model`: Temporal did not answer in time, so the stored copy answered (no timeline, no next action). */
    source: { type: 'string', enum: ['workflow', 'read-model'] },
    status: { type: 'string' },
    stage: { type: 'string' },
    balance: moneySchema,
    daysPastDue: { type: ['integer', 'null'] },
    strategy: { type: ['object', 'null'], properties: { id: { type: 'string' }, version: { type: 'integer' } } },
    nextAction: {
      type: ['object', 'null'],
      properties: { type: { type: 'string' }, channel: { type: 'string' }, at: { type: 'string' } },
    },
    promise: {
      type: ['object', 'null'],
      properties: { promiseId: { type: 'string' }, amount: moneyString, dueDate: isoDate, status: { type: 'string' } },
    },
    brokenPromises: { type: 'integer' },
    timeline: { type: 'array', items: timelineEntry },
  },
} as const;

export const getAccountSchema = {
  tags: ['accounts'],
  summary: 'An account’s state from its workflow (query) and the database.',
  params: { type: 'object', required: ['accountId'], properties: { accountId: uuidParam } },
  response: { 200: accountViewSchema, ...problemResponses(401, 403, 404) },
} as const;

export const paymentSchema = {
  tags: ['accounts'],
  summary: 'Report a payment; a repeated reference changes nothing.',
  params: { type: 'object', required: ['accountId'], properties: { accountId: uuidParam } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['amount', 'currency', 'reference'],
    properties: {
      amount: moneyString,
      currency: currencyCode,
      reference: text(200),
      paidAt: isoDateTime,
    },
  },
  response: {
    202: {
      description: 'Accepted for the account workflow.',
      type: 'object',
      required: ['accountId', 'reference', 'duplicate'],
      properties: { accountId: { type: 'string' }, reference: { type: 'string' }, duplicate: { type: 'boolean' } },
    },
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
} as const;
