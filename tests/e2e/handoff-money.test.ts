// A hand-off stops collection, not money: invoices that arrive together, payments and write-offs after a
// hand-off, recall, one account per debtor and currency, and one promise id — over HTTP on the real servers.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let keys: Record<'system' | 'supervisor', string>;
let call: ReturnType<typeof httpClient>;

const zone = 'America/Mexico_City';
const daysAgo = (n: number) => DateTime.now().setZone(zone).minus({ days: n }).toISODate() ?? '';
const view = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, keys.system);

function invoice(debtor: string, externalId: string, amount: string, dueDate: string) {
  return {
    externalId,
    debtor: { externalId: debtor, name: 'Marta Ríos', kind: 'person', email: 'marta@example.com', country: 'MX' },
    amount,
    currency: 'MXN',
    dueDate,
  };
}

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  keys = { system: await app.keyFor('system'), supervisor: await app.keyFor('supervisor') };
});

afterAll(async () => {
  await app?.stop();
});

/** Four invoices of one debtor in one batch; the oldest is 200 days past due (straight to pre-legal). */
async function backlogAccount() {
  const debtor = uniqueId('D');
  const res = await call(
    'POST',
    '/v1/invoices/batch',
    {
      invoices: [
        invoice(debtor, uniqueId('F'), '2374.97', daysAgo(5)),
        invoice(debtor, uniqueId('F'), '1000.00', daysAgo(200)),
        invoice(debtor, uniqueId('F'), '500.03', daysAgo(40)),
        invoice(debtor, uniqueId('F'), '125.00', daysAgo(1)),
      ],
    },
    keys.system,
  );
  expect(res.status).toBe(200);
  const accountIds = new Set(res.body.results.map((r: { accountId: string }) => r.accountId));
  expect(accountIds.size).toBe(1);
  const [accountId] = [...accountIds] as string[];
  return { debtor, accountId: accountId ?? '' };
}

describe('invoices that arrive together', () => {
  it('all count in the balance and the oldest sets daysPastDue; the account enters pre-legal, not legal', async () => {
    const { accountId } = await backlogAccount();
    const v = await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '4000.00',
    );
    expect(v.body).toMatchObject({ balance: { amount: '4000.00', currency: 'MXN' }, daysPastDue: 200 });
    expect(v.body.stage).toBe('prelegal');
    expect(v.body.status).toBe('active');
    // The first decision already knew all four (one invoicesAdded signal): no "early" message for the newest.
    const stages = v.body.timeline.filter((e: { type: string }) => e.type === 'stage_entered');
    expect(stages.map((e: { stage: string }) => e.stage)).toEqual(['prelegal']);
    expect(v.body.timeline.map((e: { type: string }) => e.type)).not.toContain('closed');
  });
});

describe('after a hand-off', () => {
  it('payments and invoices still count, a zero balance closes it paid, and the next invoice opens a new account', async () => {
    // Past pre-legal's hold: a strategy without minDays hands a 200-day account off at once.
    const debtor = uniqueId('D');
    const strategy = {
      id: uniqueId('handoff').toLowerCase(),
      name: 'Immediate hand-off',
      jurisdiction: 'MX',
      stages: [
        { id: 'early', kind: 'administrative', fromDay: 1 },
        { id: 'legal', kind: 'legal', fromDay: 90, terminal: 'legal_handoff' },
      ],
    };
    const strategist = await app.keyFor('strategist');
    expect((await call('PUT', `/v1/strategies/${strategy.id}/draft`, strategy, strategist)).status).toBe(200);
    const published = await call('POST', `/v1/strategies/${strategy.id}/publish`, {}, strategist);
    expect(published.status).toBeLessThan(300);
    const first = await call(
      'POST',
      '/v1/invoices',
      { ...invoice(debtor, uniqueId('F'), '1500.00', daysAgo(200)), strategyId: strategy.id },
      keys.system,
    );
    expect(first.status).toBe(201);
    const accountId = first.body.accountId as string;
    await eventually(
      () => view(accountId),
      (r) => r.body.status === 'legal_handoff',
    );
    // A second invoice joins the handed-off account (one account per debtor and currency).
    const second = await call(
      'POST',
      '/v1/invoices',
      invoice(debtor, uniqueId('F'), '500.00', daysAgo(10)),
      keys.system,
    );
    expect(second.body.accountId).toBe(accountId);
    await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '2000.00',
    );
    const partial = await call(
      'POST',
      `/v1/accounts/${accountId}/payments`,
      { amount: '600.00', currency: 'MXN', reference: uniqueId('P') },
      keys.system,
    );
    expect(partial.status).toBe(202);
    const v1 = await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '1400.00',
    );
    expect(v1.body.status).toBe('legal_handoff');
    const rest = await call(
      'POST',
      `/v1/accounts/${accountId}/payments`,
      { amount: '1400.00', currency: 'MXN', reference: uniqueId('P') },
      keys.system,
    );
    expect(rest.status).toBe(202);
    const paid = await eventually(
      () => view(accountId),
      (r) => r.body.status === 'paid',
    );
    expect(paid.body.balance.amount).toBe('0.00');
    // Paid: the debtor's next invoice opens a new account.
    const third = await call('POST', '/v1/invoices', invoice(debtor, uniqueId('F'), '80.00', daysAgo(2)), keys.system);
    expect(third.status).toBe(201);
    expect(third.body.accountId).not.toBe(accountId);
  });

  it('a supervisor writes off part and then the rest (written_off), and recalls a hand-off to pre-legal', async () => {
    const { debtor, accountId } = await backlogAccount();
    // The write-off is checked against the read model's balance, which trails the workflow's view a moment.
    await eventually(
      () => call('GET', `/v1/accounts?debtorExternalId=${encodeURIComponent(debtor)}`, undefined, keys.supervisor),
      (r) => r.body.items?.[0]?.balance?.amount === '4000.00',
    );
    const notHandedOff = await call('POST', `/v1/accounts/${accountId}/recall`, {}, keys.supervisor);
    expect(notHandedOff.status).toBe(409);
    const tooMuch = await call(
      'POST',
      `/v1/accounts/${accountId}/write-off`,
      { amount: '4000.01', reason: 'x' },
      keys.supervisor,
    );
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.errors[0].field).toBe('amount');
    const noReason = await call('POST', `/v1/accounts/${accountId}/write-off`, { amount: '1.00' }, keys.supervisor);
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toContain('reason');
    const bySystem = await call(
      'POST',
      `/v1/accounts/${accountId}/write-off`,
      { amount: '1.00', reason: 'x' },
      keys.system,
    );
    expect(bySystem.status).toBe(403);
    const part = await call(
      'POST',
      `/v1/accounts/${accountId}/write-off`,
      { amount: '1000.00', reason: 'settlement discount' },
      keys.supervisor,
    );
    expect(part.status).toBe(202);
    const v1 = await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '3000.00',
    );
    expect(v1.body.timeline.some((e: { type: string; reason?: string }) => e.type === 'written_off')).toBe(true);
    const all = await call(
      'POST',
      `/v1/accounts/${accountId}/write-off`,
      { amount: '3000.00', reason: 'uncollectable' },
      keys.supervisor,
    );
    expect(all.status).toBe(202);
    const done = await eventually(
      () => view(accountId),
      (r) => r.body.status === 'written_off',
    );
    expect(done.body.balance.amount).toBe('0.00');
  });
});

describe('one promise id', () => {
  it('POST …/promises answers the id GET /v1/accounts/{id} shows; a low amount says the minimum', async () => {
    const res = await call(
      'POST',
      '/v1/invoices',
      invoice(uniqueId('D'), uniqueId('F'), '1500.00', daysAgo(3)),
      keys.system,
    );
    const accountId = res.body.accountId as string;
    await eventually(
      () => view(accountId),
      (r) => r.body.stage === 'early',
    );
    const due = DateTime.now().setZone(zone).plus({ days: 5 }).toISODate();
    const low = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '100.00', dueDate: due },
      keys.system,
    );
    expect(low.status).toBe(422);
    expect(low.body).toMatchObject({ reason: 'amount_too_low', minimum: '450.00' });
    expect(low.body.detail).toContain('450.00');
    const ok = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '450.00', dueDate: due },
      keys.system,
    );
    expect(ok.status).toBe(201);
    const v = await view(accountId);
    expect(v.body.promise.promiseId).toBe(ok.body.promiseId);
    const accepted = v.body.timeline.find((e: { type: string }) => e.type === 'promise_accepted');
    expect(accepted.promiseId).toBe(ok.body.promiseId);
  });
});
