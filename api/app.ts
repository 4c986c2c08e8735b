// Builds the Fastify application from its dependencies; api/server.ts listens.
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isDatabaseUnavailable, type Db } from '../db/client';
import type { AppConfig } from '../workers/config';
import { authPlugin } from './auth';
import type { OutboxRelay } from '../lib/outbox/relay';
import type { LinkSettings } from '../lib/links';
import { registerDoorChecks } from './door';
import { documentCommonAnswers } from './openapi-answers';
import { invalidFields, problemBody, problemSchema, ProblemError } from './problem';
import { errorForLog } from '../lib/safe-log';
import { accountActionRoutes } from './routes/account-actions';
import { accountSupervisionRoutes } from './routes/account-supervision';
import { auditRoutes } from './routes/audit';
import { strategyRolloutRoutes } from './routes/strategy-rollout';
import { contactDecisionRoutes } from './routes/contact-decisions';
import { explainRoutes } from './routes/explain';
import { exportRoutes } from './routes/exports';
import { taskRoutes } from './routes/tasks';
import { resendWebhookRoutes } from './routes/webhooks';
import { paymentWebhookRoutes } from './routes/payment-webhooks';
import { paymentReversalRoutes } from './routes/payment-reversal';
import { selfServiceRoutes } from './routes/self-service';
import { accountRoutes } from './routes/accounts';
import { apiKeyRoutes } from './routes/api-keys';
import { healthRoutes } from './routes/health';
import { outboxRoutes } from './routes/outbox';
import { invoiceRoutes } from './routes/invoices';
import { invoiceBatchRoutes } from './routes/invoices-batch';
import { importRoutes } from './routes/imports';
import { statementRoutes } from './routes/statements';
import { accountListRoutes } from './routes/account-list';
import { strategyRoutes } from './routes/strategies';
import { segmentationRoutes } from './routes/segmentation';
import { whatsappRoutes } from './routes/whatsapp';
import { temporalCodecRoutes } from './routes/temporal-codec';
import { kpiRoutes } from './routes/kpis';
import { kpiReportRoutes } from './routes/kpi-reports';
import { backtestRoutes } from './routes/backtests';
import { sessionRoutes } from './routes/session';
import { userRoutes } from './routes/users';
import { meRoutes } from './routes/me';
import { teamRoutes } from './routes/team';
import { assignmentRoutes } from './routes/assignments';
import { savedFilterRoutes } from './routes/saved-filters';
import { strategySimulationRoutes } from './routes/strategy-simulation';
import { strategyTemplatePreviewRoutes } from './routes/strategy-template-preview';
import { accountProfileRoutes } from './routes/account-profile';
import { consoleRoutes } from './console-static';
import { portalRoutes } from './routes/portal';
import { createPaymentProviders } from '../lib/payments';
import { portalLinkRoutes } from './routes/portal-links';
import { fieldErrors, validatorCompiler } from './validation';

declare module 'fastify' {
  interface FastifyInstance {
    routeRoles: { method: string; url: string; roles: readonly string[] | null }[];
  }
}

/** What a 503 tells the client to wait before trying again (seconds). */
const DATABASE_RETRY_AFTER_SECONDS = '2';

export interface AppDeps {
  config: AppConfig;
  db: Db;
  temporal: Client;
  outbox: OutboxRelay;
  /** Verifies the signed links debtors follow (self-service opt-out). */
  links: LinkSettings;
  /** Where log lines go (default: stdout); tests read them. */
  logStream?: { write(line: string): void };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: {
      level: deps.config.logLevel,
      // Keys and personal data never reach the log.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.email', '*.phone', '*.name'],
        censor: '[redacted]',
      },
      // A failed query's parameter values (names, emails, phones) never reach the log with its error.
      serializers: { err: errorForLog },
      ...(deps.logStream ? { stream: deps.logStream } : {}),
    },
    bodyLimit: deps.config.http.bodyLimitBytes,
    // Above every path parameter's maxLength (ids up to 200 characters), so a longer one is the schema's 400,
    // not the router's 414 (whose default, 100, is shorter than a valid debtor id).
    routerOptions: { maxParamLength: 1024 },
    requestTimeout: 30_000,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : crypto.randomUUID();
    },
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  // Every route's roles are written into its OpenAPI description and kept for the access-matrix test.
  const routeRoles: { method: string; url: string; roles: readonly string[] | null }[] = [];
  app.decorate('routeRoles', routeRoles);
  app.addHook('onRoute', (route) => {
    const roles = route.config?.roles ?? null;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routeRoles.push({ method, url: route.url, roles });
    if (roles && route.schema) {
      const schema = route.schema as { description?: string };
      schema.description = `${schema.description ? `${schema.description} ` : ''}Roles: ${roles.join(', ')}.`;
    }
  });
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // Answers under /v1 carry accounts, debtors, tasks and import lines: no cache keeps them.
    if (req.url.startsWith('/v1/')) reply.header('cache-control', 'no-store');
  });

  app.addSchema(problemSchema);
  // Every answer carries the policy, so each HTML page (opt-out, /docs, those to come) has it by default.
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'form-action': ["'self'"], 'frame-ancestors': ["'none'"], 'upgrade-insecure-requests': null },
    },
  });
  // Counted after authentication: per key for a known key, per IP otherwise (failed authentications have
  // their own, lower, per-IP limit in the auth plugin, checked before any key lookup).
  await app.register(rateLimit, {
    max: deps.config.http.rateLimitPerMinute,
    timeWindow: '1 minute',
    hook: 'preParsing',
    keyGenerator: (req) =>
      req.principal ? `key:${req.principal.keyId ?? `user:${req.principal.userId}`}` : `ip:${req.ip}`,
    errorResponseBuilder: (_req, ctx) =>
      new ProblemError(429, 'Too Many Requests', `Rate limit of ${ctx.max} requests per ${ctx.after} exceeded.`),
  });
  const door = registerDoorChecks(app);
  app.addHook('onRoute', documentCommonAnswers);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Collections orchestrator API',
        version: '1.0.0',
        description: 'Start, signal and query collection account workflows.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'API key' },
          // People in the console: the session cookie POST /v1/session sets (writes also send x-csrf-token).
          session: { type: 'apiKey', in: 'cookie', name: 'co_session', description: 'Console session' },
        },
      },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authPlugin, {
    db: deps.db,
    failedAuthPerMinute: deps.config.http.failedAuthPerMinute,
    sessions: deps.config.sessions,
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof ProblemError) {
      if (err.status === 503) reply.header('retry-after', DATABASE_RETRY_AFTER_SECONDS);
      return reply
        .code(err.status)
        .type('application/problem+json')
        .send(problemBody(err.status, err.title, err.detail, err.errors, err.extra));
    }
    if (err.validation) {
      const prefix = err.validationContext === 'body' ? '' : (err.validationContext ?? '');
      const { detail, errors, extra } = invalidFields(fieldErrors(err.validation as never, prefix));
      return reply
        .code(400)
        .type('application/problem+json')
        .send(problemBody(400, 'Bad Request', detail, errors, extra));
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      const title =
        err.statusCode === 413
          ? 'Content Too Large'
          : err.statusCode === 415
            ? 'Unsupported Media Type'
            : 'Bad Request';
      return reply
        .code(err.statusCode)
        .type('application/problem+json')
        .send(problemBody(err.statusCode, title, err.message));
    }
    // The database restarting or out of reach: a quick 503 the client can retry, not a 500.
    if (isDatabaseUnavailable(err)) {
      req.log.warn({ err }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', DATABASE_RETRY_AFTER_SECONDS)
        .type('application/problem+json')
        .send(problemBody(503, 'Service Unavailable', 'The database is not answering; retry in a few seconds.'));
    }
    req.log.error({ err }, 'unhandled error');
    return reply
      .code(500)
      .type('application/problem+json')
      .send(problemBody(500, 'Internal Server Error', `Reference: ${req.id}`));
  });
  const unknownRoute = (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0] ?? '';
    const allow = door.allowedMethods(path);
    if (allow.length > 0) {
      return reply
        .code(405)
        .header('allow', allow.join(', '))
        .type('application/problem+json')
        .send(
          problemBody(405, 'Method Not Allowed', `${req.method} is not supported on ${path}; use ${allow.join(', ')}.`),
        );
    }
    return reply
      .code(404)
      .type('application/problem+json')
      .send(problemBody(404, 'Not Found', `No route ${req.method} ${path}.`));
  };
  // Answered before any body is read: a QUERY without Content-Type would otherwise be a 400, not a 405.
  app.addHook('onRequest', async (req, reply) => (req.is404 ? unknownRoute(req, reply) : undefined));
  app.setNotFoundHandler(unknownRoute);

  app.get('/openapi.json', { schema: { hide: true } }, () => Promise.resolve(app.swagger()));
  // Its hooks record every write request under /v1: registered before the routes they see.
  auditRoutes(app, deps);
  healthRoutes(app, deps);
  outboxRoutes(app, deps);
  apiKeyRoutes(app, deps);
  sessionRoutes(app, deps);
  userRoutes(app, deps);
  meRoutes(app, deps);
  teamRoutes(app, deps);
  assignmentRoutes(app, deps);
  savedFilterRoutes(app, deps);
  strategySimulationRoutes(app, deps);
  strategyTemplatePreviewRoutes(app);
  invoiceRoutes(app, deps);
  invoiceBatchRoutes(app, deps);
  // Its own plugin: the CSV/XLSX/multipart parsers it registers must not reach any other route.
  await app.register((scope) => importRoutes(scope, deps));
  // Its own plugin too: bank statement uploads (XML, MT940 text, CSV, multipart).
  await app.register((scope) => statementRoutes(scope, deps));
  accountListRoutes(app, deps);
  strategyRoutes(app, deps);
  segmentationRoutes(app, deps);
  accountRoutes(app, deps);
  accountActionRoutes(app, deps);
  accountSupervisionRoutes(app, deps);
  paymentReversalRoutes(app, deps);
  taskRoutes(app, deps);
  contactDecisionRoutes(app, deps);
  explainRoutes(app, deps);
  accountProfileRoutes(app, deps);
  exportRoutes(app, deps);
  strategyRolloutRoutes(app, deps);
  kpiRoutes(app, deps);
  kpiReportRoutes(app, deps);
  backtestRoutes(app, deps);
  whatsappRoutes(app, deps);
  await app.register((scope) => resendWebhookRoutes(scope, deps));
  await app.register((scope) => paymentWebhookRoutes(scope, deps));
  // Public, signed links debtors follow from messages; their own body parsers (RFC 8058 form posts).
  await app.register((scope) => selfServiceRoutes(scope, deps));
  portalLinkRoutes(app, deps);
  // The debtor portal (/portal/<token>): HTML pages and forms, its own parsers, error pages and rate limits.
  await app.register((scope) => portalRoutes(scope, deps, { payments: createPaymentProviders(deps.config, deps.db) }));
  await app.register((scope) => temporalCodecRoutes(scope, deps), { prefix: '/v1/temporal-codec' });
  // The console (web/dist) at /console: static files and the single-page app's routes.
  await consoleRoutes(app);
  return app;
}
