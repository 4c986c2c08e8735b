// The answers any operation can give because of the door, not because of its own logic (a bad header,
// the rate limit, a refused body type…), written into every route's schema so the OpenAPI document
// lists each status the API can send; problem answers are documented as application/problem+json.
import type { RouteOptions } from 'fastify';

const PROBLEM_TYPE = 'application/problem+json';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const reasons: Record<number, string> = {
  400: 'Invalid input; `errors` names each field.',
  401: 'No API key, or an unknown or revoked one.',
  403: 'The key’s role may not use this route.',
  404: 'No such resource.',
  413: 'The body is larger than this route reads.',
  415: 'The body is not of a type this route reads.',
  429: 'Too many requests; retry after the `Retry-After` seconds.',
  503: 'PostgreSQL or Temporal does not answer right now; retry after the `Retry-After` seconds.',
};

const problem = (description: string) => ({
  description,
  content: { [PROBLEM_TYPE]: { schema: { $ref: 'Problem#' } } },
});

type ResponseMap = Record<string, { $ref?: string; description?: string; content?: unknown }>;

export function documentCommonAnswers(route: RouteOptions): void {
  const schema = route.schema as { response?: ResponseMap; hide?: boolean } | undefined;
  if (!schema || schema.hide) return;
  const response: ResponseMap = (schema.response ??= {});
  for (const [status, answer] of Object.entries(response)) {
    if (Number(status) >= 400 && answer.$ref === 'Problem#') {
      response[status] = problem(answer.description ?? reasons[Number(status)] ?? 'Problem details (RFC 9457).');
    }
  }
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  // Any route that reads the database answers 503 + Retry-After while it is down (/health has its own 503).
  const statuses = route.url.startsWith('/v1/') ? [400, 429, 503] : [400, 429];
  if (route.config?.roles) statuses.push(401, 403);
  if (route.url.includes(':')) statuses.push(404);
  if (methods.some((m) => BODY_METHODS.has(m))) statuses.push(413, 415);
  for (const status of statuses) response[status] ??= problem(reasons[status] ?? 'Problem details (RFC 9457).');
}
