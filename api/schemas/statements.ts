import { pageOf, problemResponses, uuidParam } from './common';
import { uploadAccepted, uploadBody } from './imports';

export const STATEMENT_TYPES = [
  'application/xml',
  'text/xml',
  'text/plain',
  'text/csv',
  'application/octet-stream',
] as const;
export const STATEMENT_FIELDS = ['filename', 'bank', 'account', 'currency', 'mapping'] as const;
export type StatementOptions = Partial<Record<(typeof STATEMENT_FIELDS)[number], string>>;

const fieldError = {
  type: 'object',
  required: ['field', 'message'],
  properties: { field: { type: 'string' }, message: { type: 'string' } },
} as const;

/** Signed: money out is negative. */
const signedMoney = { type: 'string', pattern: '^-?\\d{1,15}(\\.\\d{1,4})?$' } as const;

const options = {
  filename: { type: 'string', minLength: 1, maxLength: 300, description: 'Original file name, kept with the job.' },
  bank: {
    type: 'string',
    minLength: 1,
    maxLength: 60,
    description: 'The bank, for files that do not name it (CSV); camt and MT940 name it themselves.',
  },
  account: {
    type: 'string',
    minLength: 1,
    maxLength: 60,
    description: 'Our account, for CSVs that name it neither in a column nor in their preamble.',
  },
  currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'Currency of a CSV without a currency column.' },
  mapping: {
    type: 'string',
    minLength: 2,
    maxLength: 1000,
    description:
      'CSV only: JSON object from field to the file’s header text, for headers no accepted name matches. Fields: ' +
      'date, valueDate, description, reference, trackingKey, credit, debit, amount, currency, account, ' +
      'counterpartyName, counterpartyTaxId, counterpartyAccount.',
  },
} as const;

export const statementOptionsSchema = { type: 'object', additionalProperties: false, properties: options } as const;

export const createStatementSchema = {
  tags: ['statements'],
  summary: 'Upload a bank statement (camt.053, camt.054, MT940 or a bank CSV) to reconcile as a background job.',
  description:
    'The raw body (XML, MT940 text or CSV) or `multipart/form-data` with one file part and, optionally, the ' +
    'text fields standing for the query parameters. The format is read from the bytes. Each line is keyed by ' +
    'bank, account, booking date, amount and the bank’s reference: uploading the same statement again changes ' +
    'nothing. Credits matched above RECONCILE_AUTO_THRESHOLD become payments at once (reference = the line’s ' +
    'key); the rest wait on `GET /v1/statements/unmatched`. Follow the job on `GET /v1/statements/{jobId}`.',
  querystring: statementOptionsSchema,
  body: uploadBody(STATEMENT_TYPES, options),
  response: uploadAccepted,
} as const;

const jobSchema = {
  type: 'object',
  required: ['jobId', 'status', 'processedLines', 'newLines', 'repeatedLines', 'failedLines', 'errors'],
  properties: {
    jobId: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    filename: { type: ['string', 'null'] },
    format: { type: ['string', 'null'], description: 'camt.053, camt.054, mt940 or csv.' },
    totalLines: { type: ['integer', 'null'] },
    processedLines: { type: 'integer' },
    newLines: { type: 'integer', description: 'Lines stored by this upload.' },
    repeatedLines: { type: 'integer', description: 'Lines an earlier upload already stored (nothing changed).' },
    failedLines: { type: 'integer', description: 'Lines that could not be read, listed in `errors`.' },
    appliedLines: { type: 'integer', description: 'New lines applied automatically (payments, reversals).' },
    queuedLines: { type: 'integer', description: 'New lines waiting in the queue.' },
    errors: {
      type: 'array',
      description: 'The first 100 unreadable lines, with every problem.',
      items: {
        type: 'object',
        required: ['line', 'errors'],
        properties: {
          line: { type: 'integer' },
          errors: { type: 'array', items: fieldError },
          raw: {},
        },
      },
    },
    error: {
      type: ['object', 'null'],
      properties: { message: { type: 'string' }, errors: { type: 'array', items: fieldError } },
    },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

export const getStatementSchema = {
  tags: ['statements'],
  summary: 'A statement job’s status, line counts and unreadable lines.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['jobId'],
    properties: { jobId: uuidParam },
  },
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: { 200: jobSchema, ...problemResponses(400, 401, 403, 404) },
} as const;

const suggestion = {
  type: 'object',
  required: ['debtorId', 'score', 'reasons', 'invoiceIds'],
  properties: {
    debtorId: { type: 'string' },
    debtorName: { type: ['string', 'null'] },
    score: { type: 'number', description: '0..1; applied unasked from RECONCILE_AUTO_THRESHOLD up.' },
    reasons: { type: 'array', items: { type: 'string' } },
    invoiceIds: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const lineSchema = {
  type: 'object',
  required: ['id', 'key', 'bank', 'account', 'currency', 'bookingDate', 'amount', 'status', 'suggestions'],
  properties: {
    id: { type: 'string' },
    key: { type: 'string', description: 'The line’s identity; an applied line’s payments carry it as reference.' },
    bank: { type: 'string' },
    account: { type: 'string' },
    currency: { type: 'string' },
    bookingDate: { type: 'string', format: 'date' },
    valueDate: { type: ['string', 'null'], format: 'date' },
    amount: { ...signedMoney, description: 'Signed decimal: money out is negative.' },
    reversal: { type: 'boolean' },
    bankReference: { type: ['string', 'null'] },
    endToEndId: { type: ['string', 'null'] },
    remittance: { type: ['string', 'null'] },
    counterpartyName: { type: ['string', 'null'] },
    counterpartyTaxId: { type: ['string', 'null'] },
    counterpartyAccount: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['unmatched', 'applied', 'ignored'] },
    queueReason: { type: ['string', 'null'] },
    ignoredReason: { type: ['string', 'null'] },
    reversesLineId: { type: ['string', 'null'] },
    suggestions: { type: 'array', items: suggestion },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const unmatchedSchema = {
  tags: ['statements'],
  summary: 'The reconciliation queue: statement lines waiting for a decision, oldest first, with suggestions.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      cursor: { type: 'string', maxLength: 300, description: 'The `nextCursor` of the previous page.' },
    },
  },
  response: { 200: pageOf(lineSchema), ...problemResponses(400, 401, 403) },
} as const;

const lineParams = {
  type: 'object',
  additionalProperties: false,
  required: ['lineId'],
  properties: { lineId: uuidParam },
} as const;

const amount = { type: 'string', pattern: '^\\d{1,15}(\\.\\d{1,4})?$' } as const;
const uuidList = { type: 'array', minItems: 1, maxItems: 100, uniqueItems: true, items: uuidParam } as const;

export const applySchema = {
  tags: ['statements'],
  summary:
    'Apply a queued line: to a debtor (oldest invoice first), an account, named invoices, or split across accounts.',
  description:
    'Exactly one of `debtorId` (with optional `invoiceIds` to pay first), `accountId`, `invoiceIds`, `splits`. ' +
    'The money becomes a payment per account with reference = the line’s key, through the same path as ' +
    '`POST /v1/accounts/{id}/payments`; what exceeds the balances is a debtor credit the next invoice consumes. ' +
    'Applying an applied line again changes nothing.',
  params: lineParams,
  body: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      debtorId: uuidParam,
      accountId: uuidParam,
      invoiceIds: uuidList,
      splits: {
        type: 'array',
        minItems: 1,
        maxItems: 50,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['accountId', 'amount'],
          properties: { accountId: uuidParam, amount },
        },
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['lineId', 'status', 'applied', 'credit', 'duplicate'],
      properties: {
        lineId: { type: 'string' },
        status: { type: 'string' },
        duplicate: { type: 'boolean', description: 'The line was already applied: nothing changed.' },
        applied: {
          type: 'array',
          items: {
            type: 'object',
            required: ['accountId', 'amount', 'invoiceIds'],
            properties: {
              accountId: { type: 'string' },
              amount,
              invoiceIds: { type: 'array', items: { type: 'string' } },
            },
          },
        },
        credit: { type: ['string', 'null'], description: 'What went to the debtor’s credit.' },
      },
    },
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
} as const;

export const ignoreSchema = {
  tags: ['statements'],
  summary: 'Set a queued line aside with a reason (not a debtor’s payment, a duplicate deposit…).',
  params: lineParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['reason'],
    properties: { reason: { type: 'string', minLength: 1, maxLength: 500, pattern: '\\S' } },
  },
  response: { 200: lineSchema, ...problemResponses(400, 401, 403, 404, 409) },
} as const;
