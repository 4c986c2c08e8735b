import { currencyCode, moneySchema, moneyString, pageOf, problemResponses, uuidParam } from './common';

const accountSummary = {
  type: 'object',
  required: [
    'accountId',
    'debtor',
    'status',
    'stage',
    'balance',
    'daysPastDue',
    'strategy',
    'assignedAgentId',
    'openedAt',
    'closedAt',
  ],
  properties: {
    accountId: { type: 'string' },
    debtor: {
      type: 'object',
      required: ['id', 'externalId', 'name', 'kind', 'country'],
      properties: {
        id: { type: 'string' },
        externalId: { type: 'string' },
        name: { type: 'string' },
        kind: { type: 'string' },
        country: { type: 'string' },
      },
    },
    status: { type: 'string' },
    stage: { type: 'string' },
    balance: moneySchema,
    daysPastDue: { type: ['integer', 'null'] },
    strategy: {
      type: ['object', 'null'],
      properties: { id: { type: 'string' }, version: { type: ['integer', 'null'] } },
    },
    assignedAgentId: { type: ['string', 'null'] },
    openedAt: { type: 'string', format: 'date-time' },
    closedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** The list's filters; POST /v1/assignments selects accounts with the same ones. */
export const accountFilterProperties = {
  status: {
    type: 'string',
    minLength: 1,
    maxLength: 40,
    description:
      'active, paused, disputed, paid, written_off, or a strategy’s hand-off status (legal_handoff); another value is a 400 listing them.',
  },
  stage: {
    type: 'string',
    minLength: 1,
    maxLength: 60,
    description:
      'A stage id of a built-in or published strategy, or `none` (before the first stage); another value is a 400 listing them.',
  },
  strategyId: { type: 'string', minLength: 1, maxLength: 100 },
  assignedAgentId: { type: 'string', minLength: 1, maxLength: 200 },
  debtorExternalId: { type: 'string', minLength: 1, maxLength: 200, description: 'the debtor id in your system' },
  currency: currencyCode,
  minBalance: moneyString,
  maxBalance: moneyString,
  minDaysPastDue: { type: 'integer', minimum: -100000, maximum: 100000 },
  maxDaysPastDue: { type: 'integer', minimum: -100000, maximum: 100000 },
} as const;

export const listAccountsSchema = {
  tags: ['accounts'],
  summary: 'Accounts from the read model, filtered, oldest first, by cursor pages.',
  description:
    'Served from PostgreSQL (kept current by the account workflows), never from Temporal listing. Agents see only ' +
    'the accounts assigned to them. `minBalance`/`maxBalance` need `currency`.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...accountFilterProperties,
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
      cursor: { type: 'string', maxLength: 300, description: 'The `nextCursor` of the previous page.' },
    },
  },
  response: {
    200: pageOf(accountSummary),
    ...problemResponses(400, 401, 403),
  },
} as const;

export const assignAccountSchema = {
  tags: ['accounts'],
  summary: 'Assign an account to an agent, or unassign it with null.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['accountId'],
    properties: { accountId: uuidParam },
  },
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId'],
    properties: { agentId: { type: ['string', 'null'], minLength: 1, maxLength: 200 } },
  },
  response: {
    200: {
      type: 'object',
      required: ['accountId', 'assignedAgentId'],
      properties: { accountId: { type: 'string' }, assignedAgentId: { type: ['string', 'null'] } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;
