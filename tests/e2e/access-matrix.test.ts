// Every route × every role: a route answers 403 to roles it does not name, never 401/403 to those it
// names, and 401 without a key. The OpenAPI document is complete and valid.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../../db/schema';
import { httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { login, type Session } from '../support/session';

let app: TestApp;
let call: ReturnType<typeof httpClient>;
const keys = {} as Record<Role, string>;
const sessions = {} as Record<'admin' | 'supervisor' | 'strategist' | 'agent', Session>;

/** A console session's own routes: an API key is a 401 there (tests/api/session.test.ts covers them). */
const sessionOnlyRoutes = ['GET /v1/session', 'PATCH /v1/session', 'DELETE /v1/session', 'POST /v1/session/password'];

/**
 * Routes that are public on purpose: probes, the API description, provider webhooks and the links
 * debtors follow from messages (both signed instead).
 */
const publicRoutes = [
  'GET /health',
  'GET /openapi.json',
  'GET /docs',
  // The console's login: it is how a person gets a session (throttled per email and per address).
  'POST /v1/session',
  'POST /v1/webhooks/resend',
  'POST /v1/webhooks/stripe',
  'POST /v1/webhooks/mercadopago',
  'GET /v1/self-service/opt-out',
  'POST /v1/self-service/opt-out',
  // The Temporal Web UI's CORS preflight to the codec endpoint: browsers send no key on a preflight.
  'OPTIONS /v1/temporal-codec*',
];
/** Public paths under /v1/ answer no 401: their requests carry a signature, not a key. */
const signedPaths = [
  '/v1/webhooks/resend',
  '/v1/webhooks/stripe',
  '/v1/webhooks/mercadopago',
  '/v1/self-service/opt-out',
];

function concrete(url: string): string {
  return url.replace(/:(\w+)/g, (_m, name: string) =>
    /id$/i.test(name) && name !== 'strategyId' ? crypto.randomUUID() : uniqueId('x'),
  );
}

beforeAll(async () => {
  // The matrix sends every route keyless from one address: far past the failed-authentication limit,
  // which has its own test (tests/api/hardening.test.ts) and must not turn these 401s into 429s.
  app = await startTestApp({ FAILED_AUTH_PER_MINUTE: '100000' });
  call = httpClient(app.url);
  for (const role of roles) keys[role] = await app.keyFor(role, role === 'agent' ? uniqueId('agent') : undefined);
  for (const role of ['admin', 'supervisor', 'strategist', 'agent'] as const) {
    const email = `${uniqueId(role)}@example.com`;
    const password = 'access matrix password';
    const agentId = role === 'agent' ? { agentId: uniqueId('agent') } : {};
    const made = await call('POST', '/v1/users', { email, name: role, role, password, ...agentId }, keys.admin);
    if (made.status !== 201) throw new Error(`user ${role}: ${made.status}`);
    sessions[role] = await login(app.url, email, password);
  }
});

afterAll(async () => {
  await app?.stop();
});

describe('access matrix', () => {
  it('enforces the declared roles on every route', async () => {
    const routes = app.runtime.api?.app.routeRoles ?? [];
    const guarded = routes.filter((r) => r.roles !== null && r.url.startsWith('/v1/'));
    expect(guarded.length).toBeGreaterThan(30);
    const open = routes
      // The console's static files are public: its pages call the API, which checks who calls.
      // The debtor portal's pages are public too: the signed link in the path is the debtor's credential.
      .filter(
        (r) =>
          r.roles === null &&
          !r.url.startsWith('/docs/') &&
          !/^\/console(\/|$)/.test(r.url) &&
          !/^\/portal(\/|$)/.test(r.url),
      )
      .map((r) => `${r.method} ${r.url}`);
    expect(open.sort()).toEqual([...publicRoutes].sort());

    const failures: string[] = [];
    for (const route of guarded) {
      const path = concrete(route.url);
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined;
      const anonymous = await call(route.method, path, body, null);
      if (anonymous.status !== 401) failures.push(`${route.method} ${route.url} without a key → ${anonymous.status}`);
      if (sessionOnlyRoutes.includes(`${route.method} ${route.url}`)) {
        // Called with keys only: as a user they would end or change the matrix's own sessions.
        for (const role of roles) {
          const res = await call(route.method, path, body, keys[role]);
          if (res.status !== 401)
            failures.push(`${route.method} ${route.url} with a ${role} key → ${res.status}, expected 401`);
        }
        continue;
      }
      for (const role of roles) {
        const res = await call(route.method, path, body, keys[role]);
        const allowed = route.roles?.includes(role) ?? false;
        if (allowed && (res.status === 401 || res.status === 403))
          failures.push(`${route.method} ${route.url} as ${role} → ${res.status}, expected access`);
        if (!allowed && res.status !== 403)
          failures.push(`${route.method} ${route.url} as ${role} → ${res.status}, expected 403`);
        if (res.status >= 500) failures.push(`${route.method} ${route.url} as ${role} → ${res.status}`);
      }
      // People in the console: the same roles through a session cookie (writes carry the CSRF token).
      for (const role of ['admin', 'supervisor', 'strategist', 'agent'] as const) {
        const res = await sessions[role].call(route.method, path, body);
        const allowed = route.roles?.includes(role) ?? false;
        if (allowed && (res.status === 401 || res.status === 403))
          failures.push(`${route.method} ${route.url} as a ${role} user → ${res.status}, expected access`);
        if (!allowed && res.status !== 403)
          failures.push(`${route.method} ${route.url} as a ${role} user → ${res.status}, expected 403`);
        if (res.status >= 500) failures.push(`${route.method} ${route.url} as a ${role} user → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    // Every route under five keys and four sessions: longer than the default timeout on a loaded machine.
  }, 180_000);
});

describe('OpenAPI', () => {
  it('is a valid OpenAPI 3 document that describes every route, body and error', async () => {
    const doc = (await call('GET', '/openapi.json', undefined, null)).body;
    const result = await new Validator().validate(doc as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const routes = (app.runtime.api?.app.routeRoles ?? []).filter(
      // A CORS preflight is no operation of the API: it has no place in the document.
      (r) => (r.url.startsWith('/v1/') || r.url === '/health') && r.method !== 'OPTIONS',
    );
    const missing = routes.filter((r) => {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      return !doc.paths?.[path]?.[r.method.toLowerCase()];
    });
    expect(missing).toEqual([]);
    for (const [path, operations] of Object.entries(
      doc.paths as Record<string, Record<string, { responses?: Record<string, unknown> }>>,
    )) {
      for (const [method, op] of Object.entries(operations)) {
        const codes = Object.keys(op.responses ?? {});
        expect(
          codes.some((c) => c.startsWith('2')),
          `${method} ${path} documents its success answer`,
        ).toBe(true);
        if (path.startsWith('/v1/') && !signedPaths.includes(path))
          expect(codes, `${method} ${path} documents 401`).toContain('401');
      }
    }
  });
});
