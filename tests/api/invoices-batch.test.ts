// POST /v1/invoices/batch: per-item answers, one bad item never blocks the others.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { connectTestClient } from '../support/temporal';
import { caller, invoiceBody } from './helpers';

let app: TestApp;
let temporal: Client;
let system: string;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  system = await app.keyFor('system');
  temporal = await connectTestClient();
});

afterAll(async () => {
  await app?.stop();
  await temporal?.connection.close();
});

describe('POST /v1/invoices/batch', () => {
  it('answers each item on its own: created, repeated, invalid, conflicting, another currency', async () => {
    const debtor = uniqueId('D');
    const existing = invoiceBody(uniqueId('F'), uniqueId('D'));
    expect((await call('POST', '/v1/invoices', system, existing)).status).toBe(201);
    const shared = uniqueId('F');
    const items = [
      invoiceBody(uniqueId('F'), debtor), // 0: new account
      invoiceBody(uniqueId('F'), debtor, '200.00'), // 1: same debtor joins the account
      { ...invoiceBody(uniqueId('F'), uniqueId('D')), amount: '12,50', colour: 'blue' }, // 2: schema errors
      existing, // 3: same invoice again
      { ...existing, amount: '99.00' }, // 4: same externalId, other content
      invoiceBody(uniqueId('F'), debtor, '10.00', { currency: 'USD' }), // 5: a second account, in USD
      {
        ...invoiceBody(uniqueId('F'), uniqueId('D')),
        debtor: { externalId: 'x', name: 'y', kind: 'person', country: 'QQ' },
      }, // 6: semantic error
      invoiceBody(shared, uniqueId('D')), // 7 and 8: one invoice twice in the same batch
      invoiceBody(shared, uniqueId('D')),
    ];
    const res = await call('POST', '/v1/invoices/batch', system, { invoices: items });
    expect(res.status).toBe(200);
    const results = res.body.results as any[];
    expect(results.map((r) => r.index)).toEqual(items.map((_, i) => i));
    expect(results.slice(0, 7).map((r) => r.status)).toEqual([201, 201, 400, 200, 409, 201, 400]);
    // Items 7 and 8 carry one invoice for two debtors; they race in parallel lanes: one wins, one conflicts.
    expect(
      results
        .slice(7)
        .map((r) => r.status)
        .sort(),
    ).toEqual([201, 409]);
    expect(results[1].accountId).toBe(results[0].accountId);
    expect(results[0].workflowId).toBe(`account-${results[0].accountId as string}`);
    expect(results[2].error.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'invoices[2].amount',
      'invoices[2].colour',
    ]);
    expect(results[6].error.errors.map((e: { field: string }) => e.field)).toEqual(['invoices[6].debtor.country']);
    expect(results[4].error.title).toBe('Conflict');
    // One open account per debtor and currency: the USD invoice opens the debtor's second account.
    expect(results[5].accountId).not.toBe(results[0].accountId);
    expect(results[3].invoiceId).toBeTruthy();

    // The accepted items reached their workflows before the answer.
    const description = await temporal.workflow.getHandle(results[0].workflowId as string).describe();
    expect(description.status.name).toBe('RUNNING');

    const again = await call('POST', '/v1/invoices/batch', system, { invoices: items });
    const statuses = again.body.results.map((r: { status: number }) => r.status);
    expect(statuses.slice(0, 7)).toEqual([200, 200, 400, 200, 409, 200, 400]);
    expect(statuses.slice(7).sort()).toEqual([200, 409]);
  });

  it('rejects an empty or oversized batch and unknown top-level fields as a whole', async () => {
    expect((await call('POST', '/v1/invoices/batch', system, { invoices: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 1001 }, () => ({}));
    const res = await call('POST', '/v1/invoices/batch', system, { invoices: tooMany });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('invoices');
    const extra = await call('POST', '/v1/invoices/batch', system, {
      invoices: [invoiceBody(uniqueId('F'), uniqueId('D'))],
      dryRun: true,
    });
    expect(extra.status).toBe(400);
    expect(extra.body.errors).toEqual([{ field: 'dryRun', message: 'is not a known field' }]);
    expect((await call('POST', '/v1/invoices/batch', await app.keyFor('supervisor'), { invoices: [{}] })).status).toBe(
      403,
    );
  });

  it('takes a few hundred invoices in one call', async () => {
    const items = Array.from({ length: 300 }, (_, i) => invoiceBody(uniqueId('F'), uniqueId('D'), `${100 + i}.00`));
    const res = await call('POST', '/v1/invoices/batch', system, { invoices: items });
    expect(res.status).toBe(200);
    expect(res.body.results.every((r: { status: number }) => r.status === 201)).toBe(true);
    expect(new Set(res.body.results.map((r: { accountId: string }) => r.accountId)).size).toBe(300);
  });
});
