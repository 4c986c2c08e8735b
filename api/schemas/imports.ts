import { pageOf, problemResponses, uuidParam } from './common';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const UPLOAD_TYPES = ['text/csv', XLSX_TYPE, 'application/octet-stream'] as const;
export const MULTIPART_TYPE = 'multipart/form-data';

/** The body of an upload route: the raw file in one of `types`, or a form with a `file` part and `fields`. */
export const uploadBody = <F extends Record<string, unknown>>(types: readonly string[], fields: F) =>
  ({
    content: {
      ...Object.fromEntries(types.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
      [MULTIPART_TYPE]: {
        schema: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', format: 'binary' }, ...fields },
        },
      },
    },
  }) as const;

/** An upload is answered at once with the job that reads it. */
export const uploadAccepted = {
  202: {
    type: 'object',
    required: ['jobId', 'status'],
    properties: { jobId: { type: 'string' }, status: { type: 'string' } },
  },
  ...problemResponses(400, 401, 403, 413, 415),
} as const;

/** Options of an upload: query parameters, or text fields of a multipart form. */
export const UPLOAD_FIELDS = ['filename', 'country', 'currency', 'kind', 'mapping'] as const;
export type UploadOptions = Partial<Record<(typeof UPLOAD_FIELDS)[number], string>>;

const fieldError = {
  type: 'object',
  required: ['field', 'message'],
  properties: { field: { type: 'string' }, message: { type: 'string' } },
} as const;

const jobSchema = {
  type: 'object',
  required: ['jobId', 'status', 'processedLines', 'succeededLines', 'failedLines'],
  properties: {
    jobId: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    filename: { type: ['string', 'null'] },
    totalLines: {
      type: ['integer', 'null'],
      description: 'Data lines in the file, known once it has been read through (before lines are stored).',
    },
    processedLines: { type: 'integer' },
    succeededLines: {
      type: 'integer',
      description: 'Lines whose invoice is stored (new, or the same invoice already known).',
    },
    failedLines: { type: 'integer', description: 'Lines refused, each listed on `…/errors`.' },
    newLines: { type: 'integer', description: 'Succeeded lines that stored a new invoice.' },
    repeatedLines: {
      type: 'integer',
      description: 'Succeeded lines identical to an invoice already stored (earlier in the file or before).',
    },
    summary: { type: 'string', description: 'The counts in words: "288 new, 1 identical repeat, 11 refused".' },
    stages: {
      type: ['object', 'null'],
      additionalProperties: { type: 'integer' },
      description:
        'Once completed: how many of the file’s accounts enter each stage at once (stage id → accounts; `none` ' +
        'before the first stage), as the decision core starts them.',
    },
    error: {
      type: ['object', 'null'],
      description: 'Why the whole job failed (unreadable file, missing columns, interrupted).',
      properties: {
        message: { type: 'string' },
        errors: { type: 'array', items: fieldError },
        headers: { type: 'array', items: { type: 'string' }, description: 'The file’s own header row.' },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

const jobParams = {
  type: 'object',
  additionalProperties: false,
  required: ['jobId'],
  properties: { jobId: uuidParam },
} as const;

const uploadOptions = {
  filename: { type: 'string', minLength: 1, maxLength: 300, description: 'Original file name, kept with the job.' },
  country: {
    type: 'string',
    minLength: 2,
    maxLength: 60,
    description: 'Country for lines that leave it blank (MX, Chile…).',
  },
  currency: { type: 'string', minLength: 1, maxLength: 8, description: 'Currency for lines that leave it blank.' },
  kind: { type: 'string', enum: ['person', 'company'], description: 'Debtor type for lines that leave it blank.' },
  mapping: {
    type: 'string',
    minLength: 2,
    maxLength: 20000,
    description:
      'JSON object from field to the file’s header text, for headers no accepted name matches: ' +
      '`{"debtor.externalId":"Cliente ID","debtor.name":"Titular"}`. Fields: externalId, debtor.externalId, ' +
      'debtor.name, debtor.kind, debtor.email, debtor.phone, debtor.country, debtor.timezone, debtor.locale, ' +
      'amount, currency, dueDate, issuedAt, strategyId. An unknown field or a header the file lacks is a 400.',
  },
} as const;

export const uploadOptionsSchema = { type: 'object', additionalProperties: false, properties: uploadOptions } as const;

export const createImportSchema = {
  tags: ['imports'],
  summary: 'Upload a portfolio file (CSV or XLSX) to import as a background job.',
  description:
    'Send the file as the raw body with `Content-Type: text/csv` or the XLSX type, or as `multipart/form-data` ' +
    'with one file part (any field name) and, optionally, text fields `mapping`, `country`, `currency`, `kind`, ' +
    '`filename` standing for the query parameters. Headers match the accepted names by their words (accents, ' +
    'case, punctuation, word order and either side of a "/" do not matter); `mapping` names the rest. Lines ' +
    'are streamed, checked and ingested in chunks; follow the job on `GET /v1/imports/{jobId}`. Uploading the ' +
    'same file again is safe: invoices are recognised by their number.',
  // The query travels in the request head (16 KiB at most, percent-encoded): a longer mapping goes in the
  // multipart field, where it may take 20,000 characters.
  querystring: {
    ...uploadOptionsSchema,
    properties: { ...uploadOptions, mapping: { ...uploadOptions.mapping, maxLength: 1000 } },
  },
  body: uploadBody(UPLOAD_TYPES, uploadOptions),
  response: uploadAccepted,
} as const;

/** `limit` and `cursor` of a cursor-paginated list. */
const pageQuery = (maxLimit: number, defaultLimit: number) =>
  ({
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: maxLimit, default: defaultLimit },
      cursor: { type: 'string', maxLength: 300, description: 'The `nextCursor` of the previous page.' },
    },
  }) as const;

export const listImportsSchema = {
  tags: ['imports'],
  summary: 'Past import jobs, newest first, by cursor pages.',
  querystring: pageQuery(200, 50),
  response: { 200: pageOf(jobSchema), ...problemResponses(400, 401, 403) },
} as const;

export const getImportSchema = {
  tags: ['imports'],
  summary: 'An import job’s status and line counts.',
  params: jobParams,
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: { 200: jobSchema, ...problemResponses(400, 401, 403, 404) },
} as const;

export const importErrorsSchema = {
  tags: ['imports'],
  summary: 'The lines an import could not take, with every problem per line.',
  params: jobParams,
  querystring: pageQuery(1000, 100),
  response: {
    200: pageOf({
      type: 'object',
      required: ['line', 'errors'],
      properties: {
        line: { type: 'integer', description: 'Line number in the file (1 = first line).' },
        errors: { type: 'array', items: fieldError },
        raw: { type: ['object', 'null'], additionalProperties: true, description: 'The line as read.' },
      },
    }),
    ...problemResponses(400, 401, 403, 404),
  },
} as const;
