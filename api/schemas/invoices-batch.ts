import { problemResponses } from './common';

export const MAX_BATCH = 1000;

const itemResult = {
  type: 'object',
  required: ['index', 'status'],
  properties: {
    index: { type: 'integer', description: 'Position of the item in `invoices`.' },
    status: {
      type: 'integer',
      enum: [200, 201, 400, 409, 422, 500],
      description: 'What `POST /v1/invoices` would have answered for this item.',
    },
    invoiceId: { type: 'string' },
    accountId: { type: 'string' },
    workflowId: { type: 'string' },
    error: { $ref: 'Problem#' },
  },
} as const;

export const invoiceBatchSchema = {
  tags: ['invoices'],
  summary: 'Accept up to 1000 invoices; each item is validated and stored on its own.',
  description:
    'Items are checked with the schema of `POST /v1/invoices` one by one, so a bad item is reported in `results` ' +
    '(fields named like `invoices[3].amount`) and never blocks the others. The answer lists one result per item, in order.',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['invoices'],
    properties: {
      invoices: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_BATCH,
        description: 'Bodies of `POST /v1/invoices`.',
        items: { type: 'object', description: 'A body of `POST /v1/invoices`; validated per item.' },
      },
    },
  },
  response: {
    200: { type: 'object', required: ['results'], properties: { results: { type: 'array', items: itemResult } } },
    ...problemResponses(400, 401, 403, 413),
  },
} as const;
