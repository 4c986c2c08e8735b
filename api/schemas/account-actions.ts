import {
  currencyCode,
  isoDate,
  moneyString,
  optionalText,
  problemResponses,
  text,
  uuidParam,
  versionNumber,
} from './common';

export const params = { type: 'object', required: ['accountId'], properties: { accountId: uuidParam } } as const;
/** A signal accepted for an account workflow. */
export const accepted = {
  202: {
    description: 'Accepted for the account workflow (delivered through the outbox, in order).',
    type: 'object',
    required: ['accountId', 'accepted'],
    properties: { accountId: { type: 'string' }, accepted: { type: 'string' } },
  },
} as const;
const agreementCreated = (idName: string) =>
  ({
    201: {
      type: 'object',
      required: [idName, 'status'],
      properties: { [idName]: { type: 'string' }, status: { type: 'string', enum: ['active'] } },
    },
    422: { $ref: 'Problem#', description: 'The strategy’s policy refused it; `reason` says why.' },
  }) as const;

export const promiseSchema = {
  tags: ['agreements'],
  summary: 'Register a promise to pay; answered from the account workflow synchronously.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['amount', 'dueDate'],
    properties: { amount: moneyString, currency: currencyCode, dueDate: isoDate },
  },
  response: { ...agreementCreated('promiseId'), ...problemResponses(400, 401, 403, 404, 409, 503) },
} as const;

export const planSchema = {
  tags: ['agreements'],
  summary: 'Propose a payment plan (installments); answered from the account workflow synchronously.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['installments'],
    properties: {
      currency: currencyCode,
      installments: {
        type: 'array',
        minItems: 1,
        maxItems: 120,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['amount', 'dueDate'],
          properties: { amount: moneyString, dueDate: isoDate },
        },
      },
    },
  },
  response: { ...agreementCreated('planId'), ...problemResponses(400, 401, 403, 404, 409, 503) },
} as const;

export const disputeSchema = {
  tags: ['disputes'],
  summary: 'Open a dispute: collection pauses until it is resolved.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['reason'],
    properties: {
      reason: text(2000),
      invoiceExternalId: text(200),
    },
  },
  response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409) },
} as const;

export const disputeResolutionSchema = {
  tags: ['disputes'],
  summary: 'Resolve the open dispute; `upheld` with an adjustment reduces the balance.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['outcome'],
    properties: {
      outcome: { type: 'string', enum: ['upheld', 'rejected'] },
      adjustment: moneyString,
      note: optionalText(2000),
    },
  },
  response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409) },
} as const;

export const pauseSchema = (what: 'Pause' | 'Resume') =>
  ({
    tags: ['supervision'],
    summary: `${what} collection of the account.`,
    params,
    body: { type: 'object', additionalProperties: false, properties: { note: optionalText(2000) } },
    response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409) },
  }) as const;

export const optOutSchema = {
  tags: ['contacts'],
  summary: 'The debtor asked not to be contacted on a channel; later steps use their fallback.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['channel'],
    properties: { channel: { type: 'string', enum: ['email', 'whatsapp', 'sms', 'call', 'visit', 'letter'] } },
  },
  response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409) },
} as const;

export const contactOutcomeSchema = {
  tags: ['contacts'],
  summary: 'Record the outcome of a contact (a call, a visit, a chat).',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['channel', 'outcome'],
    properties: {
      channel: { type: 'string', enum: ['email', 'whatsapp', 'sms', 'call', 'visit', 'letter'] },
      outcome: {
        type: 'string',
        enum: [
          'right_party',
          'conversation',
          'promise_to_pay',
          'paid',
          'no_answer',
          'wrong_party',
          'voicemail',
          'refused',
          'not_found',
        ],
      },
      note: optionalText(2000),
    },
  },
  response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409) },
} as const;

export const strategyChangeSchema = {
  tags: ['strategies'],
  summary: 'Move the account to a published strategy version, applied at its next decision.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['strategyId', 'version'],
    properties: {
      strategyId: text(100),
      version: { ...versionNumber, description: '0 = the built-in' },
    },
  },
  response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409, 422) },
} as const;
