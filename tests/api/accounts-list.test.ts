// GET /v1/accounts from the read model: filters, stable cursor pages, agents see their own accounts only.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_STRATEGIES, validateStrategy } from '../../strategies/index';
import { decide, initialState, toView } from '../../strategies/core/index';
import type { AccountState, EngineContext, EngineEvent } from '../../strategies/core/types';
import { ACCOUNT_STATUSES } from '../../strategies/core/view';
import { packFor } from '../../strategies/jurisdictions';
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

describe('list filters with values nothing can hold (issue 8 item 11)', () => {
  it('an unknown stage or status is a 400 naming the parameter and every accepted value', async () => {
    const stage = await call('GET', '/v1/accounts?stage=administrative', system);
    expect(stage.status).toBe(400);
    expect(stage.body.errors).toEqual([{ field: 'querystring.stage', message: expect.any(String) }]);
    for (const id of ['none', 'preventive', 'early', 'prelegal', 'legal', 'reminder', 'follow-up', 'credit-hold'])
      expect(stage.body.errors[0].message).toContain(id);
    const status = await call('GET', '/v1/accounts?status=open', system);
    expect(status.status).toBe(400);
    expect(status.body.errors).toEqual([{ field: 'querystring.status', message: expect.any(String) }]);
    for (const value of [...ACCOUNT_STATUSES, 'legal_handoff']) expect(status.body.errors[0].message).toContain(value);
    const both = await call('GET', '/v1/accounts?stage=x&status=y', supervisor);
    expect(both.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'querystring.stage',
      'querystring.status',
    ]);

    for (const ok of ['stage=none', 'stage=prelegal', 'status=legal_handoff', 'status=written_off'])
      expect((await call('GET', `/v1/accounts?${ok}`, system)).status, ok).toBe(200);
  });

  it('accepts the stage ids and hand-off statuses of a strategy as soon as it is published', async () => {
    const strategist = await app.keyFor('strategist');
    const id = uniqueId('filters');
    const definition = structuredClone(BUILTIN_STRATEGIES['consumer-mx']!) as any;
    definition.id = id;
    definition.stages = definition.stages.map((st: any) =>
      st.terminal ? { ...st, id: 'collections-agency', terminal: 'agency_handoff' } : st,
    );
    const before = await call('GET', '/v1/accounts?stage=collections-agency&status=agency_handoff', system);
    expect(before.status).toBe(400);
    expect((await call('PUT', `/v1/strategies/${id}/draft`, strategist, definition)).status).toBe(200);
    expect((await call('POST', `/v1/strategies/${id}/publish`, strategist, {})).status).toBe(201);
    const after = await call('GET', '/v1/accounts?stage=collections-agency&status=agency_handoff', system);
    expect(after.status).toBe(200);
    expect(after.body.items).toEqual([]);
  });

  it('the core reaches every status the filter accepts, and no other', () => {
    const checked = validateStrategy(BUILTIN_STRATEGIES['consumer-mx']);
    if (!checked.ok) throw new Error('consumer-mx is invalid');
    const zone = 'America/Mexico_City';
    const now = DateTime.fromISO('2026-03-02T10:00:00', { zone }).toMillis();
    const ctx: EngineContext = {
      strategy: checked.strategy,
      strategyVersion: 0,
      pack: packFor('MX', '2026-03-02'),
      holidays: [],
      zone,
    };
    const invoice = (dueDate: string): EngineEvent => ({
      type: 'invoice',
      externalId: 'F-1',
      amountMinor: 100_000,
      currency: 'MXN',
      dueDate,
    });
    const run = (events: EngineEvent[], days = 0): string => {
      let state: AccountState = initialState({
        accountId: 'a',
        currency: 'MXN',
        channels: { email: true, whatsapp: true },
        openedAt: now,
      });
      for (const event of events) state = decide(ctx, state, event, now).state;
      const later = now + days * 86_400_000;
      state = decide(ctx, state, { type: 'tick' }, later).state;
      return toView(ctx, state, later).status;
    };
    const seen = new Set([
      run([invoice('2026-03-20')]),
      run([invoice('2026-03-20'), { type: 'pause' }]),
      run([invoice('2026-03-20'), { type: 'dispute', reason: 'no la reconozco' }]),
      run([invoice('2026-03-20'), { type: 'payment', amountMinor: 100_000, reference: 'P-1' }]),
      run([invoice('2026-03-20'), { type: 'write_off', amountMinor: 100_000, reason: 'incobrable' }]),
      run([invoice('2025-08-01')], 30),
    ]);
    expect([...seen].sort()).toEqual([...ACCOUNT_STATUSES, 'legal_handoff'].sort());
  });
});

describe('task list filters', () => {
  it('an unknown task status is a 400 naming the statuses a task can have', async () => {
    const res = await call('GET', '/v1/tasks?status=closed', supervisor);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'querystring.status', message: 'must be one of: open, done, cancelled' },
    ]);
    expect((await call('GET', '/v1/tasks?status=cancelled', supervisor)).status).toBe(200);
  });
});
