import { moneyString, NOT_BLANK_TEXT, problemResponses, text } from './common';

const strategyRef = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: NOT_BLANK_TEXT,
  description: 'a built-in or published strategy id',
} as const;
const oneOrMany = {
  oneOf: [text(100), { type: 'array', minItems: 1, items: text(100) }],
} as const;

const arms = {
  strategy: strategyRef,
  challenger: {
    type: 'object',
    additionalProperties: false,
    required: ['strategy', 'percent'],
    description: 'A share of the segment (stable per account) sent to another strategy.',
    properties: {
      strategy: strategyRef,
      percent: { type: 'number', minimum: 0, maximum: 100, description: '0–100, at most two decimals' },
    },
  },
} as const;

export const segmentationDocument = {
  type: 'object',
  additionalProperties: false,
  required: ['rules', 'default'],
  properties: {
    rules: {
      type: 'array',
      maxItems: 500,
      description: 'Checked in order; the first rule whose conditions all hold assigns the strategy.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'when', 'strategy'],
        properties: {
          id: {
            type: 'string',
            pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$',
            description: 'a rule id: letters, digits, "-" or "_"',
          },
          when: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kind: { type: 'string', enum: ['person', 'company'] },
              country: oneOrMany,
              minBalance: moneyString,
              maxBalance: moneyString,
              minDaysPastDue: { type: 'integer' },
              maxDaysPastDue: { type: 'integer' },
              currency: oneOrMany,
              product: oneOrMany,
              tags: { type: 'array', items: text(100) },
              attributes: {
                type: 'object',
                description:
                  "The debtor's attributes (sent with their invoices): each named one must equal the value, " +
                  'be one of a list of values, or (for a list attribute) contain it.',
                maxProperties: 20,
                additionalProperties: {
                  anyOf: [
                    { type: 'string', maxLength: 200 },
                    { type: 'number' },
                    { type: 'boolean' },
                    {
                      type: 'array',
                      minItems: 1,
                      maxItems: 50,
                      items: { anyOf: [{ type: 'string' }, { type: 'number' }] },
                    },
                  ],
                },
              },
            },
          },
          ...arms,
        },
      },
    },
    default: { type: 'object', additionalProperties: false, required: ['strategy'], properties: arms },
  },
} as const;

const versioned = {
  type: 'object',
  required: ['version', 'publishedAt', 'rules', 'default'],
  properties: {
    version: { type: 'integer', description: '0 = nothing published yet (everything goes to consumer-mx).' },
    publishedAt: { type: ['string', 'null'], format: 'date-time' },
    rules: { type: 'array', items: { type: 'object', additionalProperties: true } },
    default: { type: 'object', additionalProperties: true },
  },
} as const;

const emptyQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const getSegmentationSchema = {
  tags: ['strategies'],
  summary: 'The segmentation in force: rules that pick a strategy, with champion/challenger splits.',
  querystring: emptyQuery,
  response: { 200: versioned, ...problemResponses(401, 403) },
} as const;

export const putSegmentationSchema = {
  tags: ['strategies'],
  summary: 'Publish a new segmentation version.',
  querystring: emptyQuery,
  body: segmentationDocument,
  response: { 200: versioned, ...problemResponses(400, 401, 403) },
} as const;
