// A local stand-in for api.resend.com, so the real SDK can be exercised offline: requests are
// checked against Resend's published OpenAPI description (vendored under tests/email/fixtures),
// idempotency behaves as Resend documents it, and failures can be injected to test retries.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const SPEC_URL = new URL('../email/fixtures/resend-openapi.yaml', import.meta.url);
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
// Resend's tag rule exists only as prose in the description; real Resend answers 422 when broken.
const TAG_PART = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,256}$' };

interface Spec {
  webhooks: Record<
    string,
    { post: { requestBody: { content: { 'application/json': { schema: { $ref: string } } } } } }
  >;
}

const spec = parseYaml(readFileSync(SPEC_URL, 'utf8')) as Spec;
// strict: false because OpenAPI adds keywords (example, description on $ref siblings) JSON Schema lacks.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addFormat('binary', true);
ajv.addSchema(spec, 'resend');

// unevaluatedProperties: a camelCase slip (replyTo for reply_to) fails here instead of being
// silently ignored, which the described schema alone would allow.
const sendEmailRule = {
  allOf: [
    { $ref: 'resend#/components/schemas/SendEmailRequest' },
    {
      properties: {
        tags: {
          items: { type: 'object', required: ['name', 'value'], properties: { name: TAG_PART, value: TAG_PART } },
        },
      },
    },
  ],
  unevaluatedProperties: false,
};
const validateEmail = ajv.compile(sendEmailRule);
// "Trigger up to 100 batch emails at once" (the operation's summary).
const validateBatch = ajv.compile({ type: 'array', minItems: 1, maxItems: 100, items: sendEmailRule });

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  idempotencyKey: string | undefined;
  status: number;
  emailIds: string[];
  /** Answered from the idempotency store: no new email was created. */
  replayed: boolean;
}

interface StoredEmail {
  id: string;
  request: Record<string, unknown>;
  createdAt: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ResendServer {
  url: string;
  apiKey: string;
  /** Requests that created emails, in order; an idempotent replay is not listed again. */
  sent: RecordedRequest[];
  /** Every request received, including rejected, failed and replayed ones. */
  received: RecordedRequest[];
  emails: Map<string, StoredEmail>;
  /** The next n requests get this answer (default: Resend's body for that status; a string is sent as plain text). */
  failNext(n: number, status: number, body?: unknown, headers?: Record<string, string>): void;
  /** The next n requests lose their connection ('after-accept' creates the email first) or are never answered ('stall'). */
  dropNext(n: number, when?: DropMode): void;
  close(): Promise<void>;
}

export interface ResendServerOptions {
  /** The server's clock, for idempotency-key expiry. */
  now?: () => number;
}

type DropMode = 'before-accept' | 'after-accept' | 'stall';

const DEFAULT_FAILURES: Record<number, { name: string; message: string }> = {
  400: { name: 'validation_error', message: 'We found an error with one or more fields in the request.' },
  422: { name: 'validation_error', message: 'Invalid `to` field.' },
  429: { name: 'rate_limit_exceeded', message: 'Too many requests. Please limit the number of requests per second.' },
  500: { name: 'internal_server_error', message: 'An unexpected error occurred.' },
};

function resendError(status: number, name: string, message: string): Answer {
  return { status, body: { statusCode: status, name, message } };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function schemaProblem(validate: ValidateFunction): Answer {
  const errors = validate.errors ?? [];
  const missing = errors.find((e) => e.keyword === 'required');
  if (missing) {
    return resendError(422, 'missing_required_field', `Missing \`${String(missing.params.missingProperty)}\` field.`);
  }
  return resendError(422, 'validation_error', ajv.errorsText(errors, { dataVar: 'body' }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]),
  );
}

export async function startResendServer(options: ResendServerOptions = {}): Promise<ResendServer> {
  const now = options.now ?? Date.now;
  const apiKey = `re_test_${randomBytes(12).toString('hex')}`;
  const sent: RecordedRequest[] = [];
  const received: RecordedRequest[] = [];
  const emails = new Map<string, StoredEmail>();
  const idempotency = new Map<string, { fingerprint: string; answer: Answer; expiresAt: number }>();
  const failures: Answer[] = [];
  const drops: DropMode[] = [];

  function createEmails(requests: Record<string, unknown>[]): string[] {
    return requests.map((request) => {
      const id = randomUUID();
      emails.set(id, { id, request, createdAt: new Date(now()).toISOString() });
      return id;
    });
  }

  function authProblem(headers: Record<string, string>): Answer | undefined {
    const auth = headers.authorization;
    if (!auth) return resendError(401, 'missing_api_key', 'Missing API key in the authorization header.');
    if (auth !== `Bearer ${apiKey}`) return resendError(403, 'invalid_api_key', 'API key is invalid.');
    return undefined;
  }

  function getEmail(id: string): Answer {
    const email = emails.get(id);
    if (!email) return resendError(404, 'not_found', 'Email not found.');
    const r = email.request;
    const list = (v: unknown): unknown[] | null => (v === undefined ? null : Array.isArray(v) ? v : [v]);
    const body = {
      object: 'email',
      id,
      to: list(r.to),
      from: r.from,
      subject: r.subject,
      html: r.html ?? null,
      text: r.text ?? null,
      cc: list(r.cc),
      bcc: list(r.bcc),
      reply_to: list(r.reply_to),
      created_at: email.createdAt,
      last_event: 'sent',
    };
    return { status: 200, body };
  }

  // Returns the answer plus the ids it created, or 'replay' details, for recording.
  function postEmails(
    path: string,
    raw: string,
    key: string | undefined,
  ): Answer & { created: string[]; replayed: boolean } {
    const done = (a: Answer, created: string[] = [], replayed = false) => ({ ...a, created, replayed });
    if (key !== undefined && (key.length < 1 || key.length > 256)) {
      return done(resendError(400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.'));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return done(resendError(400, 'validation_error', 'Request body is not valid JSON.'));
    }
    const validate = path === '/emails' ? validateEmail : validateBatch;
    if (!validate(body)) return done(schemaProblem(validate));

    const fingerprint = `${path} ${canonical(body)}`;
    const previous = key === undefined ? undefined : idempotency.get(key);
    if (previous && previous.expiresAt > now()) {
      if (previous.fingerprint !== fingerprint) {
        return done(
          resendError(409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.'),
        );
      }
      return done(previous.answer, [], true);
    }
    const requests = (Array.isArray(body) ? body : [body]) as Record<string, unknown>[];
    const created = createEmails(requests);
    const answer: Answer = {
      status: 200,
      body: path === '/emails' ? { id: created[0] } : { data: created.map((id) => ({ id })) },
    };
    // Only successes are kept: a request that failed may be retried with the same key.
    if (key !== undefined) idempotency.set(key, { fingerprint, answer, expiresAt: now() + IDEMPOTENCY_TTL_MS });
    return done(answer, created);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const headers = flatHeaders(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const key = req.headers['idempotency-key'] as string | undefined;
    let parsed: unknown = raw;
    try {
      parsed = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      // Recorded as the raw text; postEmails answers the parse error.
    }
    const record: RecordedRequest = {
      method: req.method ?? '',
      path,
      headers,
      body: parsed,
      idempotencyKey: key,
      status: 0,
      emailIds: [],
      replayed: false,
    };
    received.push(record);

    const drop = drops.shift();
    const failure = drop ? undefined : failures.shift();
    let answer: Answer;
    if (drop === 'stall') return; // close() ends the connection
    if (drop === 'before-accept') {
      res.socket?.destroy();
      return;
    } else if (failure) {
      answer = failure;
    } else {
      answer = authProblem(headers) ?? route(req.method ?? '', path, raw, key, record);
    }
    if (drop === 'after-accept') {
      res.socket?.destroy();
      return;
    }
    record.status = answer.status;
    // A string body goes out as is, like a gateway's plain-text or HTML error page.
    const text = typeof answer.body === 'string';
    res.writeHead(answer.status, { 'content-type': text ? 'text/plain' : 'application/json', ...answer.headers });
    res.end(text ? answer.body : JSON.stringify(answer.body));
  }

  function route(method: string, path: string, raw: string, key: string | undefined, record: RecordedRequest): Answer {
    const emailPath = /^\/emails\/([^/]+)$/.exec(path);
    if (method === 'GET' && emailPath?.[1] && emailPath[1] !== 'batch') return getEmail(emailPath[1]);
    if (path !== '/emails' && path !== '/emails/batch')
      return resendError(404, 'not_found', 'The requested endpoint does not exist.');
    if (method !== 'POST')
      return resendError(405, 'method_not_allowed', 'Method is not allowed for the requested path.');
    const result = postEmails(path, raw, key);
    record.emailIds = result.created;
    record.replayed = result.replayed;
    if (result.created.length > 0) sent.push(record);
    return result;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ statusCode: 500, name: 'internal_server_error', message: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    sent,
    received,
    emails,
    failNext(n, status, body, headers) {
      const fallback = DEFAULT_FAILURES[status] ?? { name: 'application_error', message: 'Injected failure.' };
      const answer: Answer = {
        status,
        body: body ?? { statusCode: status, ...fallback },
        headers: headers ?? (status === 429 ? { 'retry-after': '1' } : undefined),
      };
      for (let i = 0; i < n; i++) failures.push(answer);
    },
    dropNext(n, when = 'before-accept') {
      for (let i = 0; i < n; i++) drops.push(when);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// ---- Webhooks: payloads checked against the description, signed the way Resend (Svix) signs.

/** Throws unless `payload` is a valid Resend webhook event of its `type`. */
export function validateWebhookEvent(payload: { type: string }): void {
  const ref = spec.webhooks[payload.type]?.post.requestBody.content['application/json'].schema.$ref;
  if (!ref) throw new Error(`Resend sends no webhook event of type ${payload.type}.`);
  const validate = ajv.getSchema(`resend${ref}`);
  if (!validate) throw new Error(`Schema ${ref} not found in the Resend description.`);
  if (!validate(payload)) throw new Error(`Invalid ${payload.type} payload: ${ajv.errorsText(validate.errors)}`);
}

export function createWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface SignedWebhook {
  body: string;
  headers: { 'svix-id': string; 'svix-timestamp': string; 'svix-signature': string };
}

/** Independent of the svix package on purpose, so verification is checked against a second implementation. */
export function signWebhook(
  payload: { type: string },
  secret: string,
  opts: { id?: string; at?: Date; body?: string } = {},
): SignedWebhook {
  validateWebhookEvent(payload);
  const body = opts.body ?? JSON.stringify(payload);
  const id = opts.id ?? `msg_${randomBytes(12).toString('hex')}`;
  const timestamp = String(Math.floor((opts.at ?? new Date()).getTime() / 1000));
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { body, headers: { 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` } };
}

type EmailEventType =
  | 'email.sent'
  | 'email.delivered'
  | 'email.delivery_delayed'
  | 'email.bounced'
  | 'email.complained'
  | 'email.opened'
  | 'email.clicked'
  | 'email.failed'
  | 'email.scheduled'
  | 'email.suppressed';

// The extra object each event type requires, with realistic defaults.
const EVENT_EXTRAS: Partial<Record<EmailEventType, Record<string, unknown>>> = {
  'email.bounced': {
    bounce: {
      type: 'Permanent',
      subType: 'General',
      message: 'The recipient mailbox does not exist.',
      diagnosticCode: ['smtp; 550 5.1.1 user unknown'],
    },
  },
  'email.clicked': {
    click: {
      ipAddress: '203.0.113.7',
      link: 'https://example.com/pay',
      timestamp: '2026-03-12T10:00:00.000Z',
      userAgent: 'Mozilla/5.0',
    },
  },
  'email.failed': { failed: { reason: 'reached_daily_quota' } },
  'email.suppressed': {
    suppressed: {
      reason: 'previous_bounce',
      type: 'OnAccountSuppressionList',
      message: 'Suppressed.',
      diagnosticCode: [],
    },
  },
};

/** A spec-valid email event, as Resend would post it. */
export function emailEvent(
  type: EmailEventType,
  data: { emailId: string; tags?: Record<string, string>; to?: string[]; subject?: string; at?: Date },
): { type: EmailEventType; created_at: string; data: Record<string, unknown> } {
  const at = (data.at ?? new Date()).toISOString();
  return {
    type,
    created_at: at,
    data: {
      email_id: data.emailId,
      created_at: at,
      from: 'Cobranzas <cobranzas@example.com>',
      to: data.to ?? ['ana@example.com'],
      subject: data.subject ?? 'Tu pago está vencido',
      ...(data.tags ? { tags: data.tags } : {}),
      ...EVENT_EXTRAS[type],
    },
  };
}
