// GET /v1/accounts from the read model: filters, stable cursor pages, agents see their own accounts only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller, eventually, invoiceBody } from './helpers';

let app: TestApp;
let system: string;
let supervisor: string;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  system = await app.keyFor('system');
  supervisor = await app.keyFor('supervisor');
});

afterAll(async () => {
  await app?.stop();
});

async function openAccounts(amounts: string[]): Promise<string[]> {
  // Due next month, so the accounts stay active (before their first stage) while the test looks at them.
  const dueDate = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const res = await call('POST', '/v1/invoices/batch', system, {
    invoices: amounts.map((a) => invoiceBody(uniqueId('F'), uniqueId('D'), a, { dueDate })),
  });
  expect(res.body.results.every((r: { status: number }) => r.status === 201)).toBe(true);
  return res.body.results.map((r: { accountId: string }) => r.accountId);
}

describe('GET /v1/accounts', () => {
  it('filters by agent, status and balance, and pages by an opaque cursor without gaps or repeats', async () => {
    const agent = uniqueId('agent');
    const ids = await openAccounts(['100.00', '200.00', '300.00', '400.00', '500.00']);
    for (const id of ids) {
      const assigned = await call('PUT', `/v1/accounts/${id}/assignment`, supervisor, { agentId: agent });
      expect(assigned.status).toBe(200);
      expect(assigned.body).toEqual({ accountId: id, assignedAgentId: agent });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(
        'GET',
        `/v1/accounts?assignedAgentId=${agent}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        supervisor,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((a: { accountId: string }) => a.accountId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([...ids].sort());

    // Balances come from the workflows through the read model.
    const rich = await eventually(
      () =>
        call('GET', `/v1/accounts?assignedAgentId=${agent}&currency=MXN&minBalance=250.00&maxBalance=450`, supervisor),
      (r) => r.body.items?.length === 2,
    );
    expect(rich.body.items.map((a: any) => a.balance.amount).sort()).toEqual(['300.00', '400.00']);
    expect(rich.body.items[0]).toMatchObject({
      status: 'active',
      debtor: { name: 'Ana Pérez' },
      assignedAgentId: agent,
    });
    const none = await call('GET', `/v1/accounts?assignedAgentId=${agent}&status=paid`, supervisor);
    expect(none.body.items).toEqual([]);
  });

  it('shows an agent only the accounts assigned to them', async () => {
    const [mine, theirs] = await openAccounts(['10.00', '20.00']);
    const agent = uniqueId('agent');
    await call('PUT', `/v1/accounts/${mine!}/assignment`, supervisor, { agentId: agent });
    await call('PUT', `/v1/accounts/${theirs!}/assignment`, supervisor, { agentId: uniqueId('other') });
    const agentKey = await app.keyFor('agent', agent);
    const list = await call('GET', '/v1/accounts?limit=500', agentKey);
    expect(list.body.items.map((a: { accountId: string }) => a.accountId)).toEqual([mine]);
    const asked = await call('GET', `/v1/accounts?assignedAgentId=someone-else`, agentKey);
    expect(asked.body.items).toEqual([]);
    const unassigned = await call('PUT', `/v1/accounts/${mine!}/assignment`, supervisor, { agentId: null });
    expect(unassigned.body.assignedAgentId).toBeNull();
    expect((await call('GET', '/v1/accounts', agentKey)).body.items).toEqual([]);
    expect((await call('PUT', `/v1/accounts/${mine!}/assignment`, agentKey, { agentId: agent })).status).toBe(403);
  });

  it('names bad filters: balance without currency, too many decimals, foreign cursors, unknown fields', async () => {
    const noCurrency = await call('GET', '/v1/accounts?minBalance=10.00', system);
    expect(noCurrency.status).toBe(400);
    expect(noCurrency.body.errors.map((e: { field: string }) => e.field)).toEqual(['querystring.currency']);
    const decimals = await call('GET', '/v1/accounts?currency=CLP&maxBalance=10.50', system);
    expect(decimals.body.errors.map((e: { field: string }) => e.field)).toEqual(['querystring.maxBalance']);
    expect((await call('GET', '/v1/accounts?cursor=bm9wZQ', system)).status).toBe(400);
    const unknown = await call('GET', '/v1/accounts?colour=red', system);
    expect(unknown.status).toBe(400);
    expect(
      (await call('PUT', `/v1/accounts/${crypto.randomUUID()}/assignment`, supervisor, { agentId: 'a' })).status,
    ).toBe(404);
  });
});
