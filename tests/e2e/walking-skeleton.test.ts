// The walking skeleton over HTTP, against the real PostgreSQL and Temporal servers.
import type { Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, invoices, outboundMessages } from '../../db/schema';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { connectTestClient } from '../support/temporal';

let app: TestApp;
let db: DbHandle;
let temporal: Client;
let systemKey: string;

async function call(method: string, path: string, body?: unknown, key: string | null = systemKey) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: text ? (JSON.parse(text) as Record<string, any>) : {},
  };
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Two days overdue in Mexico City: the consumer strategy's administrative stage. */
function dueTwoDaysAgo(): string {
  return DateTime.now().setZone('America/Mexico_City').minus({ days: 2 }).toISODate() ?? '';
}

function invoice(externalId: string, debtorId: string, amount = '1500.00') {
  return {
    externalId,
    debtor: {
      externalId: debtorId,
      name: 'Ana Pérez',
      kind: 'person',
      email: 'ana@example.com',
      phone: '+52 55 1234 5678',
      country: 'MX',
    },
    amount,
    currency: 'MXN',
    dueDate: dueTwoDaysAgo(),
  };
}

beforeAll(async () => {
  app = await startTestApp();
  systemKey = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
  temporal = await connectTestClient();
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
  await temporal?.connection.close();
});

describe('walking skeleton', () => {
  it('opens one account workflow per debtor, reminds once, and closes paid on a zero balance', async () => {
    const debtor = uniqueId('D');
    const first = await call('POST', '/v1/invoices', invoice(uniqueId('F'), debtor));
    expect(first.status).toBe(201);
    const { accountId, workflowId } = first.body;
    expect(workflowId).toBe(`account-${accountId}`);
    expect(workflowId).not.toContain('Ana');

    // A second invoice of the same debtor joins the running workflow.
    const second = await call('POST', '/v1/invoices', invoice(uniqueId('F'), debtor, '500.00'));
    expect(second.status).toBe(201);
    expect(second.body.accountId).toBe(accountId);
    expect(second.body.workflowId).toBe(workflowId);

    const view = await eventually(
      () => call('GET', `/v1/accounts/${accountId}`),
      (r) => r.body.balance?.amount === '2000.00' && r.body.stage === 'early',
    );
    expect(view.status).toBe(200);
    expect(view.body.balance).toEqual({ amount: '2000.00', currency: 'MXN' });
    expect(view.body.status).toBe('active');
    expect(view.body.daysPastDue).toBe(2);
    expect(view.body.strategy).toEqual({ id: 'consumer-mx', version: 0 });
    const entered = view.body.timeline.find((e: { type: string }) => e.type === 'stage_entered');
    expect(entered).toMatchObject({ stage: 'early', reason: 'schedule' });
    // The missed day-1 WhatsApp step is caught up: sent now if the contact window is open, else it is
    // the next action at the window's opening.
    const contact = view.body.timeline.find((e: { type: string }) => e.type === 'message');
    if (contact) {
      expect(contact).toMatchObject({ channel: 'whatsapp', template: 'overdue' });
      // Without a WhatsApp sender the rendered message is kept in the outbox table, exactly once.
      const kept = await eventually(
        () => db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, accountId)),
        (rows) => rows.length > 0,
      );
      expect(kept).toHaveLength(1);
      expect(kept[0]?.status).toBe('captured');
      expect(kept[0]?.bodyText).toContain('Ana Pérez');
    } else {
      expect(view.body.nextAction).toMatchObject({ type: 'message', channel: 'whatsapp' });
    }

    const pay = (reference: string, amount: string) =>
      call('POST', `/v1/accounts/${accountId}/payments`, { amount, currency: 'MXN', reference });
    expect((await pay('P-1', '1500.00')).status).toBe(202);
    const repeated = await pay('P-1', '1500.00');
    expect(repeated.status).toBe(202);
    expect(repeated.body.duplicate).toBe(true);
    const partly = await eventually(
      () => call('GET', `/v1/accounts/${accountId}`),
      (r) => r.body.balance?.amount === '500.00',
    );
    expect(partly.body.balance.amount).toBe('500.00');
    expect(partly.body.status).toBe('active');

    expect((await pay('P-2', '500.00')).status).toBe(202);
    const result = await temporal.workflow.getHandle(workflowId).result();
    expect(result).toEqual({ status: 'paid', balanceMinor: 0 });
    const closed = await call('GET', `/v1/accounts/${accountId}`);
    expect(closed.body.status).toBe('paid');
    expect(closed.body.balance.amount).toBe('0.00');
    const [row] = await db.db.select().from(accounts).where(eq(accounts.id, accountId));
    expect(row?.status).toBe('paid');
    expect(row?.closedAt).not.toBeNull();

    const description = await temporal.workflow.getHandle(workflowId).describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get({ name: 'CollectionStatus', type: 'KEYWORD' } as never)).toBe('paid');
  });

  it('accepts the same invoice twice as one, and refuses the same externalId with other content', async () => {
    const body = invoice(uniqueId('F'), uniqueId('D'));
    const first = await call('POST', '/v1/invoices', body);
    const again = await call('POST', '/v1/invoices', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const rows = await db.db.select().from(invoices).where(eq(invoices.externalId, body.externalId));
    expect(rows).toHaveLength(1);
    const workflows = await eventually(
      async () => {
        const found = [];
        for await (const wf of temporal.workflow.list({ query: `WorkflowId = '${first.body.workflowId as string}'` }))
          found.push(wf);
        return found;
      },
      (found) => found.length > 0,
    );
    expect(workflows).toHaveLength(1);

    const changed = await call('POST', '/v1/invoices', { ...body, amount: '1600.00' });
    expect(changed.status).toBe(409);
    expect(changed.type).toContain('application/problem+json');
    expect(changed.body.title).toBe('Conflict');
  });

  it('answers a malformed body with 400 naming every bad field', async () => {
    const res = await call('POST', '/v1/invoices', {
      externalId: '',
      debtor: { name: 7, kind: 'robot', country: 'MX', phone: '12' },
      amount: '12,50',
      currency: 'MXN',
      dueDate: '2026-02-30',
      colour: 'blue',
    });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(
      [
        'amount',
        'colour',
        'debtor.externalId',
        'debtor.kind',
        'debtor.name',
        'debtor.phone',
        'dueDate',
        'externalId',
      ].sort(),
    );
  });

  it('reports semantic errors (country, phone, currency) by field too', async () => {
    const body = invoice(uniqueId('F'), uniqueId('D'));
    const res = await call('POST', '/v1/invoices', {
      ...body,
      currency: 'XYZ',
      debtor: { ...body.debtor, country: 'QQ', phone: '+52 1' },
    });
    expect(res.status).toBe(400);
    const fields = (res.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(['currency', 'debtor.country', 'debtor.phone']);
  });

  it('refuses requests without a key (401) and with the wrong role (403)', async () => {
    const anonymous = await call('POST', '/v1/invoices', invoice(uniqueId('F'), uniqueId('D')), null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.type).toContain('application/problem+json');
    const bogus = await call('POST', '/v1/invoices', invoice(uniqueId('F'), uniqueId('D')), 'ck_not-a-key');
    expect(bogus.status).toBe(401);
    const supervisor = await app.keyFor('supervisor');
    const wrongRole = await call('POST', '/v1/invoices', invoice(uniqueId('F'), uniqueId('D')), supervisor);
    expect(wrongRole.status).toBe(403);
  });

  it('lets the admin create keys, shown once and stored hashed', async () => {
    const admin = await app.keyFor('admin');
    const created = await call('POST', '/v1/api-keys', { name: 'erp', role: 'system' }, admin);
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^ck_/);
    const usable = await call('GET', `/v1/accounts/${crypto.randomUUID()}`, undefined, created.body.key as string);
    expect(usable.status).toBe(404);
    const agentWithoutId = await call('POST', '/v1/api-keys', { name: 'x', role: 'agent' }, admin);
    expect(agentWithoutId.status).toBe(400);
    expect(agentWithoutId.body.errors).toEqual([{ field: 'agentId', message: 'is required for the agent role' }]);
  });

  it('serves health, the OpenAPI document and the docs page', async () => {
    expect((await call('GET', '/health', undefined, null)).body).toEqual({
      status: 'ok',
      outbox: { pending: expect.any(Number), failed: 0 },
    });
    const doc = await call('GET', '/openapi.json', undefined, null);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/v1/invoices',
        '/v1/accounts/{accountId}',
        '/v1/accounts/{accountId}/payments',
        '/v1/api-keys',
        '/health',
      ]),
    );
    const docs = await fetch(`${app.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<html');
  });
});
