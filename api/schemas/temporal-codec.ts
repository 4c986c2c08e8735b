import { problemResponses } from './common';

const base64 = { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'bytes in base64' } as const;

/** A Temporal Payload in protobuf JSON (temporal.api.common.v1.Payload): bytes are base64. */
const payload = {
  type: 'object',
  additionalProperties: false,
  properties: {
    metadata: { type: 'object', additionalProperties: base64, description: 'e.g. `encoding`, `encryption-key-id`' },
    data: base64,
  },
} as const;

const payloads = {
  type: 'object',
  additionalProperties: false,
  required: ['payloads'],
  properties: { payloads: { type: 'array', maxItems: 1000, items: payload } },
} as const;

const codecSchema = (summary: string) =>
  ({
    tags: ['operations'],
    summary,
    description:
      'The Temporal codec server protocol (Web UI and `temporal --codec-endpoint`). An `X-Namespace` header, when sent, must name this deployment’s namespace.',
    headers: { type: 'object', properties: { 'x-namespace': { type: 'string' } } },
    body: payloads,
    response: { 200: payloads, ...problemResponses(400, 401, 403, 422) },
  }) as const;

export const decodeSchema = codecSchema('Decrypt Temporal payloads (those not encrypted come back unchanged).');
export const encodeSchema = codecSchema('Encrypt Temporal payloads with the newest key.');
