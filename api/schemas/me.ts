import { moneySchema, pageOf, problemResponses } from './common';

const reason = {
  type: 'object',
  required: ['kind'],
  description:
    'Why the task exists. strategy_step: a call or visit step of the account’s strategy (stage, step, version, the stage’s entry count); debtor_request: the debtor asked for a person (WhatsApp or the portal).',
  properties: {
    kind: { type: 'string', enum: ['strategy_step', 'debtor_request', 'other'] },
    strategyId: { type: ['string', 'null'] },
    strategyVersion: { type: 'integer' },
    stageId: { type: 'string' },
    stepId: { type: 'string' },
    attempt: { type: 'integer' },
    source: { type: 'string', enum: ['whatsapp', 'portal'] },
  },
} as const;

export const queueItem = {
  type: 'object',
  required: ['id', 'channel', 'priority', 'dueAt', 'overdue', 'note', 'reason', 'account'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    channel: { type: 'string' },
    priority: { type: 'string' },
    dueAt: { type: 'string', format: 'date-time' },
    overdue: { type: 'boolean' },
    note: { type: ['string', 'null'] },
    reason,
    account: {
      type: 'object',
      required: ['id', 'debtorName', 'status', 'stage', 'balance', 'daysPastDue'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        debtorName: { type: 'string' },
        status: { type: 'string' },
        stage: { type: 'string' },
        balance: moneySchema,
        daysPastDue: { type: ['integer', 'null'] },
      },
    },
  },
} as const;

export const myQueueSchema = {
  tags: ['agents'],
  summary: 'The signed-in agent’s open tasks in working order, each with why it exists and its account.',
  description:
    'Overdue tasks first (most urgent priority first, then the longest overdue), then tasks not yet due (soonest first). Open accounts only. Pages by cursor; `asOf` is the instant "overdue" is judged at, kept across pages.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
      cursor: { type: 'string', maxLength: 500 },
    },
  },
  response: {
    200: {
      ...pageOf(queueItem),
      required: ['items', 'nextCursor', 'asOf'],
      properties: { ...pageOf(queueItem).properties, asOf: { type: 'string', format: 'date-time' } },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;
