import { pageOf, problemResponses, uuidParam } from './common';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const UPLOAD_TYPES = ['text/csv', XLSX_TYPE, 'application/octet-stream'] as const;

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
    totalLines: { type: ['integer', 'null'], description: 'Known once the job has finished.' },
    processedLines: { type: 'integer' },
    succeededLines: {
      type: 'integer',
      description: 'Lines whose invoice is stored (new, or the same invoice already known).',
    },
    failedLines: { type: 'integer' },
    error: {
      type: ['object', 'null'],
      description: 'Why the whole job failed (unreadable file, missing columns, interrupted).',
      properties: { message: { type: 'string' }, errors: { type: 'array', items: fieldError } },
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

export const createImportSchema = {
  tags: ['imports'],
  summary: 'Upload a portfolio file (CSV or XLSX) to import as a background job.',
  description:
    'Send the file as the raw body with `Content-Type: text/csv` or the XLSX type. Lines are streamed, checked and ' +
    'ingested in chunks; follow the job on `GET /v1/imports/{jobId}`. Uploading the same file again is safe: ' +
    'invoices are recognised by their number.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      filename: { type: 'string', minLength: 1, maxLength: 300, description: 'Original file name, kept with the job.' },
      country: {
        type: 'string',
        minLength: 2,
        maxLength: 60,
        description: 'Country for lines that leave it blank (MX, Chile…).',
      },
      currency: { type: 'string', minLength: 1, maxLength: 8, description: 'Currency for lines that leave it blank.' },
      kind: { type: 'string', enum: ['person', 'company'], description: 'Debtor type for lines that leave it blank.' },
    },
  },
  body: {
    content: Object.fromEntries(UPLOAD_TYPES.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
  },
  response: {
    202: {
      type: 'object',
      required: ['jobId', 'status'],
      properties: { jobId: { type: 'string' }, status: { type: 'string' } },
    },
    ...problemResponses(400, 401, 403, 413, 415),
  },
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
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
      cursor: { type: 'string', maxLength: 200, description: 'The `nextCursor` of the previous page.' },
    },
  },
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
