import { listOf, problemResponses } from './common';

export const listFailedOutboxSchema = {
  tags: ['operations'],
  summary: 'Workflow messages no workflow took (its run closed, or an error that persisted), oldest first.',
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: {
    200: listOf({
      type: 'object',
      required: ['id', 'workflowId', 'signalName', 'attempts', 'lastError', 'failedAt'],
      properties: {
        id: { type: 'integer' },
        workflowId: { type: 'string' },
        signalName: { type: 'string' },
        attempts: { type: 'integer' },
        lastError: { type: ['string', 'null'] },
        failedAt: { type: ['string', 'null'], format: 'date-time' },
      },
    }),
    ...problemResponses(400, 401, 403),
  },
} as const;

export const retryOutboxSchema = {
  tags: ['operations'],
  summary:
    'Put failed workflow messages back in line (all of them, or those named); a closed run of an open account is started again.',
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ids: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
    },
  },
  response: {
    200: { type: 'object', required: ['retried'], properties: { retried: { type: 'integer' } } },
    ...problemResponses(400, 401, 403),
  },
} as const;
