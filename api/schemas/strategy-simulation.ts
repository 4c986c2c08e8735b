import { problemResponses } from './common';

const strategyId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$' } as const;
const definition = {
  type: 'object',
  additionalProperties: true,
  description: 'A (draft) strategy definition (CONTRACT §3), checked by the strategy validator.',
} as const;
const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const MAX_SCENARIO_EVENTS = 500;
export const MAX_PORTFOLIO_ACCOUNTS = 300;
/** The longest simulated span, days. */
export const MAX_SIMULATED_DAYS = 400;

const scenario = {
  type: 'object',
  additionalProperties: true,
  description: `A scenario (CONTRACT §4): start, until (at most ${MAX_SIMULATED_DAYS} days later), debtor, invoices, events; \`strategy\` a built-in id, \`id@version\` of a published one, or a definition (\`definition\` replaces it).`,
  properties: {
    invoices: { type: 'array', maxItems: 100 },
    events: { type: 'array', maxItems: MAX_SCENARIO_EVENTS },
  },
} as const;

const kpiList = {
  type: 'array',
  description: 'One result per currency: the KPIs of the simulated timelines (strategies/kpis.ts, CONTRACT §6).',
  items: {
    type: 'object',
    additionalProperties: true,
    required: ['currency'],
    properties: { currency: { type: 'string' } },
  },
} as const;

export const simulateSchema = {
  tags: ['strategies'],
  summary:
    'Simulate one debtor’s journey under a (draft) strategy: the timeline of stages, messages, deferrals and promises.',
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['scenario'],
    properties: { scenario, definition },
  },
  response: {
    200: {
      type: 'object',
      required: ['status', 'balance', 'timeline'],
      properties: {
        status: { type: 'string' },
        balance: { type: 'string' },
        timeline: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: true,
            required: ['at', 'day', 'stage', 'type'],
            properties: {
              at: { type: 'string' },
              day: { type: 'integer' },
              stage: { type: 'string' },
              type: { type: 'string' },
            },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const portfolioSimulationSchema = {
  tags: ['strategies'],
  summary: 'KPIs of a draft against the published version over the same portfolio (given, or generated from a seed).',
  description: `The draft is \`definition\`, else the strategy’s saved draft; the published version is its latest (else the built-in). Without \`portfolio\`, \`sampleSize\` accounts (at most ${MAX_PORTFOLIO_ACCOUNTS}) are generated from \`seed\`: the same seed, the same accounts.`,
  params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: strategyId } },
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      definition,
      portfolio: {
        type: 'object',
        additionalProperties: false,
        required: ['start', 'until', 'accounts'],
        properties: {
          start: { type: 'string', minLength: 10, maxLength: 40 },
          until: { type: 'string', minLength: 10, maxLength: 40 },
          accounts: {
            type: 'array',
            minItems: 1,
            maxItems: MAX_PORTFOLIO_ACCOUNTS,
            items: { type: 'object', additionalProperties: true },
          },
        },
      },
      sampleSize: { type: 'integer', minimum: 1, maximum: MAX_PORTFOLIO_ACCOUNTS, default: 100 },
      seed: { type: 'integer', minimum: 0, maximum: 2_147_483_647, default: 1 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['portfolio', 'draft', 'published'],
      properties: {
        portfolio: {
          type: 'object',
          required: ['accounts', 'from', 'to', 'generated'],
          properties: {
            accounts: { type: 'integer' },
            from: { type: 'string' },
            to: { type: 'string' },
            generated: { type: 'boolean' },
            seed: { type: ['integer', 'null'] },
          },
        },
        draft: { type: 'object', required: ['kpis'], properties: { kpis: kpiList } },
        published: {
          type: 'object',
          required: ['version', 'kpis'],
          properties: { version: { type: 'integer', description: '0: the built-in' }, kpis: kpiList },
        },
      },
    },
    ...problemResponses(400, 401, 403, 404, 422),
  },
} as const;
