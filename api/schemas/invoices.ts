import { currencyCode, isoDate, moneyString, problemResponses, text } from './common';

export const debtorSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['externalId', 'name', 'kind', 'country'],
  properties: {
    externalId: text(200),
    name: text(300),
    kind: { type: 'string', enum: ['person', 'company'] },
    email: { type: 'string', format: 'email', maxLength: 320 },
    phone: { type: 'string', minLength: 5, maxLength: 32 },
    country: { type: 'string', pattern: '^[A-Za-z]{2}$', description: 'an ISO 3166-1 alpha-2 country code such as MX' },
    timezone: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'an IANA time zone; default: the country main zone',
    },
    locale: { type: 'string', pattern: '^[a-z]{2}(-[A-Z]{2})?$', description: 'a locale such as es-MX' },
    attributes: {
      type: 'object',
      description:
        'Facts about the debtor that segmentation rules may name (`when.attributes`), e.g. ' +
        '{"segment": "premium", "product": "card", "tags": ["vip"]}; never personal data. The newest invoice ' +
        'replaces what an earlier one sent.',
      maxProperties: 50,
      additionalProperties: {
        anyOf: [
          { type: 'string', maxLength: 200 },
          { type: 'number' },
          { type: 'boolean' },
          { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 100 } },
        ],
      },
    },
  },
} as const;

export const invoiceBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['externalId', 'debtor', 'amount', 'currency', 'dueDate'],
  properties: {
    externalId: text(200),
    debtor: debtorSchema,
    amount: moneyString,
    currency: currencyCode,
    dueDate: isoDate,
    issuedAt: isoDate,
    strategyId: text(100),
  },
} as const;

const invoiceAccepted = {
  type: 'object',
  required: ['invoiceId', 'accountId', 'workflowId'],
  properties: { invoiceId: { type: 'string' }, accountId: { type: 'string' }, workflowId: { type: 'string' } },
} as const;

export const createInvoiceSchema = {
  tags: ['invoices'],
  summary: 'Accept an overdue (or soon due) invoice; opens or joins the debtor’s account workflow.',
  body: invoiceBodySchema,
  response: {
    201: { description: 'Accepted; the account workflow was started or signalled.', ...invoiceAccepted },
    200: { description: 'The same invoice with the same content was already accepted.', ...invoiceAccepted },
    ...problemResponses(400, 401, 403, 409, 422),
  },
} as const;
