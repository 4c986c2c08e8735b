// Checks every request passes at the door, whatever route it is for: only the body types the route
// declares are read, public routes read small bodies only, text no column could store is refused, and
// a known path asked with another method answers 405. Routes need not repeat any of this.
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { badRequest, ProblemError } from './problem';
import { STORABLE_TEXT } from './schemas/common';
import { unstorableText } from './validation';

/** Public routes (webhooks, opt-out links, the portal to come) read no more than this before refusing. */
export const PUBLIC_BODY_LIMIT = 64 * 1024;

const JSON_ONLY = ['application/json'];

/** The body types a route reads: its schema's `body.content` or `consumes`, else JSON alone. */
function acceptedTypes(route: RouteOptions): string[] {
  const schema = route.schema as { body?: { content?: Record<string, unknown> }; consumes?: string[] } | undefined;
  if (schema?.body?.content) return Object.keys(schema.body.content);
  if (schema?.consumes?.length) return schema.consumes;
  return JSON_ONLY;
}

const hasBody = (req: FastifyRequest) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

function mediaTypeCheck(accepted: string[]) {
  return (req: FastifyRequest): Promise<void> => {
    const header = req.headers['content-type'] ?? '';
    const given = header.split(';')[0]?.trim().toLowerCase() ?? '';
    // The multipart reader threw on a missing boundary, even with no body (a 500): it is the sender's mistake.
    if (given === 'multipart/form-data' && accepted.includes(given) && !/;\s*boundary=[^;\s]/i.test(header)) {
      return Promise.reject(
        new ProblemError(400, 'Bad Request', 'A multipart/form-data body needs a boundary parameter.', [
          { field: 'headers.content-type', message: 'needs a boundary parameter' },
        ]),
      );
    }
    if (!hasBody(req) || accepted.includes(given)) return Promise.resolve();
    return Promise.reject(
      new ProblemError(
        415,
        'Unsupported Media Type',
        `This route reads a body sent as ${accepted.join(' or ')}; ${given ? `${given} is` : 'a body without a Content-Type is'} not accepted.`,
      ),
    );
  };
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Same shape as find-my-way's paths: `:name` is one segment, `*` the rest. */
function pathPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/**
 * What the preValidation check below refuses, said in the request schemas (and so in the OpenAPI document):
 * every string without a pattern of its own takes STORABLE_TEXT.
 */
function documentStorableText(schema: unknown, depth = 0): void {
  if (!schema || typeof schema !== 'object' || depth > 64) return;
  if (Array.isArray(schema)) {
    for (const item of schema) documentStorableText(item, depth + 1);
    return;
  }
  const s = schema as Record<string, unknown>;
  const types = asArray(s.type as string | string[] | undefined);
  const constrained = s.pattern !== undefined || s.enum !== undefined || s.const !== undefined;
  if (types.includes('string') && !constrained && s.format !== 'binary') s.pattern = STORABLE_TEXT;
  // An open object's field names are checked by the door too, but OpenAPI 3.0 has no `propertyNames` to say so.
  for (const [key, value] of Object.entries(s)) {
    if (key !== 'examples' && key !== 'default' && key !== 'propertyNames') documentStorableText(value, depth + 1);
  }
}

export function registerDoorChecks(app: FastifyInstance): { allowedMethods(path: string): string[] } {
  const known: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    // Registered after the rate limiter's own onRoute, so a refused body type still counts against the caller.
    route.preParsing = [...asArray(route.preParsing), mediaTypeCheck(acceptedTypes(route))];
    const schema = route.schema as Record<string, unknown> | undefined;
    for (const part of ['body', 'querystring', 'params', 'headers']) documentStorableText(schema?.[part]);
    if (!route.config?.roles && route.bodyLimit === undefined) route.bodyLimit = PUBLIC_BODY_LIMIT;
    const pattern = pathPattern(route.url);
    let entry = known.find((k) => k.pattern.source === pattern.source);
    if (!entry) known.push((entry = { pattern, methods: new Set() }));
    for (const m of asArray(route.method)) entry.methods.add(m);
  });
  app.addHook('preValidation', (req: FastifyRequest, _reply, done) => {
    const errors = unstorableText(req.body, '');
    unstorableText(req.query, 'querystring', errors);
    unstorableText(req.params, 'params', errors);
    unstorableText(req.headers, 'headers', errors);
    done(errors.length > 0 ? badRequest(errors) : undefined);
  });
  return {
    allowedMethods(path: string) {
      const methods = new Set<string>();
      for (const k of known) if (k.pattern.test(path)) for (const m of k.methods) methods.add(m);
      if (methods.has('GET')) methods.add('HEAD');
      return [...methods].sort();
    },
  };
}
