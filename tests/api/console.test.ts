// The console's API side on the real servers: /console serves the built app (long cache for hashed assets,
// index.html for the app's routes, the CSP without inline scripts), and GET /v1/accounts/{id}/profile gives
// the account page the debtor's contacts, the invoices and the sent messages, to agents only for their accounts.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { CONSOLE_DIST_DIR } from '../../api/console-static';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, outboundMessages } from '../../db/schema';
import { httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let system: string;

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

describe('the console at /console', () => {
  const built = existsSync(path.join(CONSOLE_DIST_DIR, 'index.html'));

  it.runIf(built)('serves the app for its routes and its hashed assets with a long cache', async () => {
    for (const route of ['/console', '/console/', '/console/queue', '/console/accounts/x?task=y']) {
      const res = await fetch(`${app.url}${route}`);
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("'unsafe-inline' 'self'");
      const html = await res.text();
      expect(html).toContain('<div id="root"></div>');
      // No inline script: every <script> has a src under /console/assets/.
      expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(html).toMatch(/<script type="module" crossorigin src="\/console\/assets\/index-[\w-]+\.js">/);
    }
    const asset = readdirSync(path.join(CONSOLE_DIST_DIR, 'assets')).find((f) => f.endsWith('.js'));
    const res = await fetch(`${app.url}/console/assets/${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${app.url}/console/assets/nope-123.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('keeps the console out of the OpenAPI document', async () => {
    const spec = await call('GET', '/openapi.json', undefined, null);
    expect(Object.keys(spec.body.paths as object).filter((p) => p.startsWith('/console'))).toEqual([]);
    expect(spec.body.paths['/v1/accounts/{accountId}/profile']).toBeDefined();
  });
});

describe('GET /v1/accounts/{accountId}/profile', () => {
  it('answers the debtor contacts, invoices and messages; an agent sees only their own accounts', async () => {
    const debtorId = uniqueId('D');
    const invoiceId = uniqueId('F');
    const opened = await call(
      'POST',
      '/v1/invoices',
      {
        externalId: invoiceId,
        debtor: {
          externalId: debtorId,
          name: 'Lucía Prado',
          kind: 'person',
          email: 'lucia@example.com',
          phone: '+525598765432',
          country: 'MX',
        },
        amount: '1234.50',
        currency: 'MXN',
        dueDate: DateTime.now().setZone('America/Mexico_City').minus({ days: 5 }).toISODate(),
      },
      system,
    );
    expect(opened.status).toBe(201);
    const accountId = opened.body.accountId as string;
    const agentId = uniqueId('agent');
    await db.db.update(accounts).set({ assignedAgentId: agentId }).where(eq(accounts.id, accountId));
    await db.db.insert(outboundMessages).values({
      idempotencyKey: uniqueId('msg'),
      accountId,
      channel: 'email',
      template: 'reminder',
      locale: 'es',
      status: 'sent',
      deliveryStatus: 'delivered',
      subject: 'Recordatorio',
      sentAt: new Date(),
    });

    const agent = await app.keyFor('agent', agentId);
    const res = await call('GET', `/v1/accounts/${accountId}/profile`, undefined, agent);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accountId,
      debtor: {
        externalId: debtorId,
        name: 'Lucía Prado',
        kind: 'person',
        country: 'MX',
        email: 'lucia@example.com',
        phone: '+525598765432',
        timezone: expect.anything(),
        locale: expect.anything(),
      },
      invoices: [
        { externalId: invoiceId, amount: '1234.50', currency: 'MXN', dueDate: expect.any(String), issuedAt: null },
      ],
      messages: [
        expect.objectContaining({
          channel: 'email',
          template: 'reminder',
          status: 'sent',
          deliveryStatus: 'delivered',
          subject: 'Recordatorio',
        }),
      ],
    });

    const stranger = await app.keyFor('agent', uniqueId('agent'));
    expect((await call('GET', `/v1/accounts/${accountId}/profile`, undefined, stranger)).status).toBe(404);
    const supervisor = await app.keyFor('supervisor');
    expect((await call('GET', `/v1/accounts/${accountId}/profile`, undefined, supervisor)).status).toBe(200);
    const strategist = await app.keyFor('strategist');
    expect((await call('GET', `/v1/accounts/${accountId}/profile`, undefined, strategist)).status).toBe(403);
    const unknown = await call('GET', `/v1/accounts/${crypto.randomUUID()}/profile`, undefined, supervisor);
    expect(unknown.status).toBe(404);
    expect((await call('GET', '/v1/accounts/not-a-uuid/profile', undefined, supervisor)).status).toBe(400);
  });
});
