import { problemResponses } from './common';

/** Whole groups of four only: "=" or a cut-off group is no base64 (protobuf's reader threw on it: a 500). */
const base64 = {
  type: 'string',
  pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$',
  description: 'bytes in base64',
} as const;

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

const codecSchema = (summary: string, namespace: string) =>
  ({
    tags: ['operations'],
    summary,
    description:
      'The Temporal codec server protocol (Web UI and `temporal --codec-endpoint`). An `X-Namespace` header, when sent, must name this deployment’s namespace.',
    headers: { type: 'object', properties: { 'x-namespace': { type: 'string', enum: [namespace] } } },
    body: payloads,
    response: { 200: payloads, ...problemResponses(400, 401, 403, 422) },
  }) as const;

/** The namespace this deployment serves is the only X-Namespace taken. */
export const decodeSchema = (namespace: string) =>
  codecSchema('Decrypt Temporal payloads (those not encrypted come back unchanged).', namespace);
export const encodeSchema = (namespace: string) =>
  codecSchema('Encrypt Temporal payloads with the newest key.', namespace);
