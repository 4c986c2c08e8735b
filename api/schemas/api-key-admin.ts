import { listOf, problemResponses, uuidParam } from './common';

export const listApiKeysSchema = {
  tags: ['access'],
  summary: 'Every API key’s metadata; keys and their hashes are never shown.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { includeRevoked: { type: 'boolean', default: true } },
  },
  response: {
    200: listOf({
      type: 'object',
      required: ['id', 'name', 'role', 'agentId', 'createdAt', 'revokedAt'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        role: { type: 'string' },
        agentId: { type: ['string', 'null'] },
        createdAt: { type: 'string', format: 'date-time' },
        revokedAt: { type: ['string', 'null'], format: 'date-time' },
      },
    }),
    ...problemResponses(400, 401, 403),
  },
} as const;

export const revokeApiKeySchema = {
  tags: ['access'],
  summary: 'Revoke an API key; it is refused from then on. Revoking twice changes nothing.',
  params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuidParam } },
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: {
    204: { description: 'Revoked.', type: 'null' },
    ...problemResponses(400, 401, 403, 404, 409),
  },
} as const;
