import { problemResponses, text } from './common';

export const createApiKeySchema = {
  tags: ['access'],
  summary: 'Create an API key; the key is shown only in this answer.',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'role'],
    properties: {
      name: text(200),
      role: { type: 'string', enum: ['admin', 'system', 'strategist', 'supervisor', 'agent'] },
      agentId: {
        type: 'string',
        minLength: 1,
        maxLength: 200,
        description: 'Required for (and only for) the agent role.',
      },
    },
  },
  response: {
    201: {
      type: 'object',
      required: ['id', 'key', 'role'],
      properties: {
        id: { type: 'string' },
        key: { type: 'string' },
        role: { type: 'string' },
        agentId: { type: ['string', 'null'] },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;
