import { isoDateTime, pageOf, problemResponses, uuidParam } from './common';

/** The audit list's and export's filters. */
export const auditFilters = {
  from: { ...isoDateTime, description: 'first instant included (ISO 8601 with offset)' },
  to: { ...isoDateTime, description: 'first instant excluded (ISO 8601 with offset)' },
  keyId: { ...uuidParam, description: 'the API key that made the request' },
  route: {
    type: 'string',
    minLength: 1,
    maxLength: 200,
    pattern: '^/[^\\u0000]*$',
    description: 'a route as declared, e.g. `/v1/accounts/:accountId/payments`',
  },
  accountId: { ...uuidParam, description: 'the account the request was about (its `:accountId`)' },
} as const;

const openObject = { type: 'object', additionalProperties: true } as const;
const accountState = {
  type: ['object', 'null'],
  additionalProperties: true,
  description: 'the account read model: `status`, `stage`, `balance` (`amount`, `currency`)',
} as const;

const auditEntry = {
  type: 'object',
  required: [
    'id',
    'at',
    'requestId',
    'keyId',
    'role',
    'userId',
    'method',
    'route',
    'target',
    'accountId',
    'body',
    'statusCode',
    'before',
    'after',
  ],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    requestId: { type: 'string' },
    keyId: { type: ['string', 'null'], description: 'null when no valid key was given (a 401)' },
    role: { type: ['string', 'null'] },
    userId: { type: ['string', 'null'], description: 'for the console’s users; always null for now' },
    method: { type: 'string' },
    route: { type: 'string', description: 'the route as declared, or the path of an unknown one' },
    target: { ...openObject, description: 'the path parameters (accountId, taskId, strategy id and version, …)' },
    accountId: { type: ['string', 'null'] },
    body: {
      description:
        'the request body with every personal or free-text field (names, emails, phones, tax ids, addresses, ' +
        'texts, reasons, notes) replaced by `{length}`; null for public routes (webhooks, signed links) and ' +
        'non-JSON bodies; `{truncated, bytes}` above 16 KiB',
    },
    statusCode: { type: 'integer' },
    before: { ...accountState, description: `${accountState.description} before the request; account routes only` },
    after: {
      ...accountState,
      description:
        `${accountState.description} after a synchronous answer; null for 202 (the workflow applies the ` +
        'request later: its outcome is in the account’s ledger) and for refused requests',
    },
  },
} as const;

export const auditListSchema = {
  tags: ['audit'],
  summary: 'The audit log: every write request under /v1, newest first, by cursor pages.',
  description:
    'One entry per POST, PUT, PATCH or DELETE under /v1, refused ones (4xx) included: who (key and role), which ' +
    'route and target, what (the redacted body), the answer’s status and, on account routes, the account before ' +
    'and after. Written after the answer is sent, so an entry appears a moment after its request.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...auditFilters,
      limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
      cursor: { type: 'string', minLength: 1, maxLength: 400 },
    },
  },
  response: { 200: pageOf(auditEntry), ...problemResponses(400, 401, 403) },
} as const;
