import { listOf, problemResponses, versionNumber } from './common';

const strategyId = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$',
  description: 'a strategy id: letters, digits, "-" or "_"',
} as const;
const emptyQuery = { type: 'object', additionalProperties: false, properties: {} } as const;
const idParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: strategyId },
} as const;
const definition = {
  type: 'object',
  additionalProperties: true,
  description:
    'A strategy definition (CONTRACT §3). Checked by the strategy validator, which names every offending path.',
} as const;
const fieldErrors = {
  type: 'array',
  items: {
    type: 'object',
    required: ['field', 'message'],
    properties: { field: { type: 'string' }, message: { type: 'string' } },
  },
} as const;

const READ = problemResponses(400, 401, 403, 404);

export const putDraftSchema = {
  tags: ['strategies'],
  summary: 'Save a strategy draft; only a valid definition is stored (else 400 with every error path).',
  params: idParams,
  querystring: emptyQuery,
  body: definition,
  response: {
    200: {
      type: 'object',
      required: ['id', 'updatedAt', 'definition'],
      properties: { id: { type: 'string' }, updatedAt: { type: 'string', format: 'date-time' }, definition },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const getDraftSchema = {
  tags: ['strategies'],
  summary: 'The current draft of a strategy.',
  params: idParams,
  querystring: emptyQuery,
  response: { 200: putDraftSchema.response[200], ...READ },
} as const;

export const validateSchema = {
  tags: ['strategies'],
  summary: 'Check a strategy definition without storing it.',
  querystring: emptyQuery,
  body: definition,
  response: {
    200: {
      type: 'object',
      required: ['valid', 'errors'],
      properties: { valid: { type: 'boolean' }, errors: fieldErrors },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const publishSchema = {
  tags: ['strategies'],
  summary: 'Publish the current draft as the next immutable version.',
  params: idParams,
  querystring: emptyQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {},
    description: 'Empty: the draft is what gets published.',
  },
  response: {
    201: {
      type: 'object',
      required: ['id', 'version'],
      properties: { id: { type: 'string' }, version: { type: 'integer' } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;

export const listStrategiesSchema = {
  tags: ['strategies'],
  summary: 'Every strategy: built-ins (version 0) and published ones, with their latest version.',
  querystring: emptyQuery,
  response: {
    200: listOf({
      type: 'object',
      required: ['id', 'name', 'latestVersion', 'builtin', 'hasDraft'],
      properties: {
        id: { type: 'string' },
        name: { type: ['string', 'null'] },
        latestVersion: {
          type: ['integer', 'null'],
          description: 'null when only a draft exists; 0 for an unmodified built-in.',
        },
        builtin: { type: 'boolean' },
        hasDraft: { type: 'boolean' },
      },
    }),
    ...problemResponses(401, 403),
  },
} as const;

export const listVersionsSchema = {
  tags: ['strategies'],
  summary: 'The published versions of a strategy (a built-in is version 0).',
  params: idParams,
  querystring: emptyQuery,
  response: {
    200: {
      type: 'object',
      required: ['id', 'versions'],
      properties: {
        id: { type: 'string' },
        versions: {
          type: 'array',
          items: {
            type: 'object',
            required: ['version', 'publishedAt', 'builtin'],
            properties: {
              version: { type: 'integer' },
              publishedAt: { type: ['string', 'null'], format: 'date-time' },
              builtin: { type: 'boolean' },
            },
          },
        },
      },
    },
    ...READ,
  },
} as const;

export const getVersionSchema = {
  tags: ['strategies'],
  summary: 'One published version of a strategy.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'version'],
    properties: { id: strategyId, version: versionNumber },
  },
  querystring: emptyQuery,
  response: {
    200: {
      type: 'object',
      required: ['id', 'version', 'builtin', 'publishedAt', 'definition'],
      properties: {
        id: { type: 'string' },
        version: { type: 'integer' },
        builtin: { type: 'boolean' },
        publishedAt: { type: ['string', 'null'], format: 'date-time' },
        definition,
      },
    },
    ...READ,
  },
} as const;

export const diffSchema = {
  tags: ['strategies'],
  summary: 'What changed between two versions: one entry per changed path, and by stage and step.',
  params: idParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: { from: versionNumber, to: versionNumber },
  },
  response: {
    200: {
      type: 'object',
      required: ['id', 'from', 'to', 'changes'],
      properties: {
        id: { type: 'string' },
        from: { type: 'integer' },
        to: { type: 'integer' },
        changes: {
          type: 'array',
          items: {
            type: 'object',
            required: ['path'],
            description: '`before` is absent for an added path, `after` for a removed one.',
            properties: { path: { type: 'string' }, before: {}, after: {} },
          },
        },
        stages: {
          type: 'array',
          description:
            'The same changes by meaning: each stage matched by its id (added, removed, changed, or only moved in `stages`), its steps matched by day, action and channel (steps have no id).',
          items: {
            type: 'object',
            required: ['stageId', 'change', 'fields', 'steps'],
            properties: {
              stageId: { type: 'string' },
              change: { type: 'string', enum: ['added', 'removed', 'changed', 'moved'] },
              from: { type: 'integer' },
              to: { type: 'integer' },
              fields: { type: 'array', items: { type: 'object', additionalProperties: true } },
              steps: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['step', 'change'],
                  properties: {
                    step: { type: 'string' },
                    change: { type: 'string', enum: ['added', 'removed', 'changed'] },
                    fields: { type: 'array', items: { type: 'object', additionalProperties: true } },
                    before: {},
                    after: {},
                  },
                },
              },
            },
          },
        },
      },
    },
    ...READ,
  },
} as const;
