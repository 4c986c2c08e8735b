// A hand-off stops collection, not money: invoices that arrive together (a batch, an import, while the
// workflow is busy or after it handed off), payments, write-offs, disputes and recall after a hand-off, one
// account per debtor and currency, and one promise id — over HTTP on the real servers.
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/client';
import { agentTasks, outboundMessages } from '../../db/schema';
import { importFinished } from '../api/helpers';
import { spanishCsv } from '../imports/portfolio-fixtures';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let keys: Record<'system' | 'supervisor', string>;
let call: ReturnType<typeof httpClient>;
/** A published strategy without `minDays`: an account 200 days past due is handed off (legal_handoff) at once. */
let handoffStrategy: string;

const handle = createDb(inject('databaseUrl'), { max: 1 });
const zone = 'America/Mexico_City';
const daysAgo = (n: number) => DateTime.now().setZone(zone).minus({ days: n }).toISODate() ?? '';
const view = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, keys.system);
/** The read model's rows of a debtor (GET /v1/accounts, what the lists and the write-off check read). */
const listed = (debtor: string) =>
  call('GET', `/v1/accounts?debtorExternalId=${encodeURIComponent(debtor)}`, undefined, keys.system);
/** Minor units as the API writes them ("1234.56"). */
const amount = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

type Entry = { type: string; stage?: string; reason?: string; status?: string; amount?: string; [k: string]: unknown };
const entries = (body: Record<string, any>): Entry[] => body.timeline as Entry[];
/** Timeline entries after the hand-off's `closed` entry. */
function afterHandoff(body: Record<string, any>): Entry[] {
  const timeline = entries(body);
  const at = timeline.findIndex((e) => e.type === 'closed' && e.status === 'legal_handoff');
  expect(at).toBeGreaterThanOrEqual(0);
  return timeline.slice(at + 1);
}

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
  handoffStrategy = await publishStrategy({
    id: uniqueId('handoff').toLowerCase(),
    name: 'Immediate hand-off',
    jurisdiction: 'MX',
    stages: [
      { id: 'early', kind: 'administrative', fromDay: 1 },
      {
        id: 'prelegal',
        kind: 'prelegal',
        fromDay: 31,
        steps: [
          { day: 31, action: 'message', channel: 'email', template: 'prelegal-notice' },
          { day: 45, action: 'task', channel: 'visit' },
        ],
      },
      { id: 'legal', kind: 'legal', fromDay: 90, terminal: 'legal_handoff' },
    ],
  });
});

afterAll(async () => {
  await app?.stop();
  await handle.close();
});

async function publishStrategy(definition: { id: string } & Record<string, unknown>): Promise<string> {
  const strategist = await app.keyFor('strategist');
  expect((await call('PUT', `/v1/strategies/${definition.id}/draft`, definition, strategist)).status).toBe(200);
  const published = await call('POST', `/v1/strategies/${definition.id}/publish`, {}, strategist);
  expect(published.status).toBeLessThan(300);
  return definition.id;
}

/** One invoice of a debtor under the hand-off strategy, handed off before this returns. */
async function handedOffAccount(debtor: string, amountText: string, dueDaysAgo: number) {
  const res = await call(
    'POST',
    '/v1/invoices',
    { ...invoice(debtor, uniqueId('F'), amountText, daysAgo(dueDaysAgo)), strategyId: handoffStrategy },
    keys.system,
  );
  expect(res.status).toBe(201);
  const accountId = res.body.accountId as string;
  const v = await eventually(
    () => view(accountId),
    (r) => r.body.status === 'legal_handoff',
  );
  expect(v.body).toMatchObject({ status: 'legal_handoff', stage: 'legal', nextAction: null });
  return accountId;
}

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

describe('invoices of a portfolio import', () => {
  it('several debtors with 4 invoices each: every account has their sum and the oldest day count, in the workflow and in the list', async () => {
    // Three debtors under the built-in strategy (200+ days: pre-legal, held there by its minDays) and three
    // under the hand-off strategy (200+ days: legal_handoff at once). Each debtor's lines are spread over the
    // file and its oldest invoice is never its first line: "the first invoice" and "the oldest" differ.
    const es = (minor: number) =>
      `${String(Math.floor(minor / 100)).replace(/\B(?=(\d{3})+$)/g, '.')},${String(minor % 100).padStart(2, '0')}`;
    const debtors = Array.from({ length: 6 }, (_, d) => {
      const ages = [15 + d, 60 + 3 * d, 200 + 11 * d, 3];
      const rotated = [...ages.slice(d % 3), ...ages.slice(0, d % 3)];
      return {
        id: uniqueId('D'),
        handoff: d % 2 === 1,
        invoices: rotated.map((age, k) => ({
          externalId: uniqueId('F'),
          minor: 237_497_40 + d * 1_013_07 + k * 4_445_01,
          age,
        })),
      };
    });
    const rows: string[][] = [['Factura', 'RFC', 'Cliente', 'Tipo', 'Correo', 'Monto', 'Vencimiento', 'Estrategia']];
    for (let k = 0; k < 4; k += 1)
      for (const d of debtors) {
        const inv = d.invoices[k]!;
        const due = DateTime.now().setZone(zone).minus({ days: inv.age }).toFormat('dd/MM/yyyy');
        rows.push([
          inv.externalId,
          d.id,
          'Marta Ríos',
          'persona',
          'marta@example.com',
          es(inv.minor),
          due,
          d.handoff ? handoffStrategy : '',
        ]);
      }
    const created = await call(
      'POST',
      '/v1/imports?filename=cartera.csv&country=MX&currency=MXN',
      spanishCsv(rows),
      keys.system,
      {
        'content-type': 'text/csv',
      },
    );
    expect(created.status).toBe(202);
    const job = await importFinished(app.url, keys.system, created.body.jobId as string);
    expect(job.body).toMatchObject({ status: 'completed', newLines: 24, failedLines: 0, error: null });
    expect(job.body.stages).toEqual({ prelegal: 3, legal: 3 });

    for (const d of debtors) {
      const sum = d.invoices.reduce((total, i) => total + i.minor, 0);
      const oldest = Math.max(...d.invoices.map((i) => i.age));
      expect(oldest).toBeGreaterThanOrEqual(200);
      const expected = d.handoff
        ? { status: 'legal_handoff', stage: 'legal' }
        : { status: 'active', stage: 'prelegal' };
      const accounts = await listed(d.id);
      expect(accounts.body.items).toHaveLength(1);
      const accountId = accounts.body.items[0].accountId as string;

      const v = await eventually(
        () => view(accountId),
        (r) => r.body.source === 'workflow' && r.body.status === expected.status,
      );
      expect(v.body, d.id).toMatchObject({
        source: 'workflow',
        ...expected,
        balance: { amount: amount(sum), currency: 'MXN' },
        daysPastDue: oldest,
      });
      // The first decision knew all four: one `opened` with the whole balance, one stage entered.
      expect(entries(v.body).filter((e) => e.type === 'opened')).toEqual([
        expect.objectContaining({ amount: amount(sum) }),
      ]);
      expect(
        entries(v.body)
          .filter((e) => e.type === 'stage_entered')
          .map((e) => e.stage),
      ).toEqual([expected.stage]);

      const row = await eventually(
        () => listed(d.id),
        (r) => r.body.items?.[0]?.status === expected.status && r.body.items?.[0]?.balance?.amount === amount(sum),
      );
      expect(row.body.items[0], d.id).toMatchObject({
        accountId,
        ...expected,
        balance: { amount: amount(sum), currency: 'MXN' },
        daysPastDue: oldest,
      });
    }
  }, 90_000);
});

describe('invoices that arrive while the workflow is busy or has handed off', () => {
  it('invoices and a payment sent right after the first invoice all count; the oldest, arriving last, sets daysPastDue', async () => {
    const debtor = uniqueId('D');
    const first = await call(
      'POST',
      '/v1/invoices',
      invoice(debtor, uniqueId('F'), '1000.00', daysAgo(100)),
      keys.system,
    );
    expect(first.status).toBe(201);
    const accountId = first.body.accountId as string;
    // No waiting: the run is still starting (loading its strategy, deciding on the first invoice).
    const [older, payment, newer] = await Promise.all([
      call('POST', '/v1/invoices', invoice(debtor, uniqueId('F'), '2500.50', daysAgo(230)), keys.system),
      call(
        'POST',
        `/v1/accounts/${accountId}/payments`,
        { amount: '300.00', currency: 'MXN', reference: uniqueId('P') },
        keys.system,
      ),
      call('POST', '/v1/invoices', invoice(debtor, uniqueId('F'), '49.99', daysAgo(3)), keys.system),
    ]);
    expect([older.status, payment.status, newer.status]).toEqual([201, 202, 201]);
    expect([older.body.accountId, newer.body.accountId]).toEqual([accountId, accountId]);
    // A fourth, right after the payment, while the run is deciding on it.
    const last = await call('POST', '/v1/invoices', invoice(debtor, uniqueId('F'), '0.51', daysAgo(1)), keys.system);
    expect(last.body.accountId).toBe(accountId);

    const balance = amount(1000_00 + 2500_50 + 49_99 + 51 - 300_00);
    const v = await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === balance,
    );
    expect(v.body).toMatchObject({ source: 'workflow', balance: { amount: balance }, daysPastDue: 230 });
    expect(entries(v.body).filter((e) => e.type === 'payment')).toHaveLength(1);
    const row = await eventually(
      () => listed(debtor),
      (r) => r.body.items?.[0]?.balance?.amount === balance,
    );
    expect(row.body.items).toHaveLength(1);
    expect(row.body.items[0]).toMatchObject({ accountId, balance: { amount: balance }, daysPastDue: 230 });
  });

  it('an invoice for a handed-off account joins it: in the balance and, being older, in daysPastDue', async () => {
    const debtor = uniqueId('D');
    const accountId = await handedOffAccount(debtor, '1500.00', 200);
    const late = await call(
      'POST',
      '/v1/invoices',
      invoice(debtor, uniqueId('F'), '700.25', daysAgo(260)),
      keys.system,
    );
    expect(late.status).toBe(201);
    expect(late.body.accountId).toBe(accountId);
    const v = await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '2200.25',
    );
    expect(v.body).toMatchObject({
      source: 'workflow',
      status: 'legal_handoff',
      stage: 'legal',
      balance: { amount: '2200.25' },
      daysPastDue: 260,
      nextAction: null,
    });
    const row = await eventually(
      () => listed(debtor),
      (r) => r.body.items?.[0]?.balance?.amount === '2200.25',
    );
    expect(row.body.items).toHaveLength(1);
    expect(row.body.items[0]).toMatchObject({ accountId, status: 'legal_handoff', daysPastDue: 260 });
  });
});

describe('recall and disputes of a handed-off account', () => {
  it('a supervisor recalls a hand-off: the account is back in pre-legal, active, with its balance and a next step', async () => {
    const debtor = uniqueId('D');
    const accountId = await handedOffAccount(debtor, '1800.00', 200);
    // The recall route checks the read model's status, which trails the workflow's view a moment.
    await eventually(
      () => listed(debtor),
      (r) => r.body.items?.[0]?.status === 'legal_handoff',
    );
    expect((await call('POST', `/v1/accounts/${accountId}/recall`, {}, keys.system)).status).toBe(403);
    const recalled = await call('POST', `/v1/accounts/${accountId}/recall`, {}, keys.supervisor);
    expect(recalled.status).toBe(202);
    expect(recalled.body).toEqual({ accountId, accepted: 'recalled' });

    const v = await eventually(
      () => view(accountId),
      (r) => r.body.status === 'active',
    );
    expect(v.body).toMatchObject({ status: 'active', stage: 'prelegal', balance: { amount: '1800.00' } });
    expect(afterHandoff(v.body)[0]).toMatchObject({ type: 'stage_entered', stage: 'prelegal', reason: 'recall' });
    // Collection runs again: the pre-legal notice (or, once it is sent, the visit) is the next action.
    expect(v.body.nextAction).toMatchObject({ type: expect.stringMatching(/^(message|task)$/) });
    const row = await eventually(
      () => listed(debtor),
      (r) => r.body.items?.[0]?.status === 'active',
    );
    expect(row.body.items[0]).toMatchObject({ status: 'active', stage: 'prelegal' });
    // No longer handed off: a second recall is refused.
    expect((await call('POST', `/v1/accounts/${accountId}/recall`, {}, keys.supervisor)).status).toBe(409);
  });

  it('a dispute and its resolutions count after a hand-off (upheld adjusts the balance), with no automated contact', async () => {
    const debtor = uniqueId('D');
    const accountId = await handedOffAccount(debtor, '1500.00', 200);
    const disputed = uniqueId('F');
    expect(
      (await call('POST', '/v1/invoices', invoice(debtor, disputed, '500.00', daysAgo(150)), keys.system)).body
        .accountId,
    ).toBe(accountId);
    await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '2000.00',
    );
    const resolved = (n: number) => (r: { body: Record<string, any> }) =>
      entries(r.body).filter((e) => e.type === 'dispute_resolved').length === n;

    // A first dispute, rejected: nothing changes.
    const opened = await call('POST', `/v1/accounts/${accountId}/disputes`, { reason: 'ya pagué' }, keys.system);
    expect(opened.status).toBe(202);
    await eventually(
      () => view(accountId),
      (r) => entries(r.body).some((e) => e.type === 'dispute_opened'),
    );
    const rejected = await call(
      'POST',
      `/v1/accounts/${accountId}/disputes/resolution`,
      { outcome: 'rejected' },
      keys.supervisor,
    );
    expect(rejected.status).toBe(202);
    const v1 = await eventually(() => view(accountId), resolved(1));
    expect(v1.body).toMatchObject({ status: 'legal_handoff', balance: { amount: '2000.00' } });

    // A second, on one invoice, upheld with an adjustment: the balance goes down by it.
    const again = await call(
      'POST',
      `/v1/accounts/${accountId}/disputes`,
      { reason: 'factura duplicada', invoiceExternalId: disputed },
      keys.system,
    );
    expect(again.status).toBe(202);
    await eventually(
      () => view(accountId),
      (r) => entries(r.body).filter((e) => e.type === 'dispute_opened').length === 2,
    );
    const upheld = await call(
      'POST',
      `/v1/accounts/${accountId}/disputes/resolution`,
      { outcome: 'upheld', adjustment: '500.00' },
      keys.supervisor,
    );
    expect(upheld.status).toBe(202);
    const v2 = await eventually(() => view(accountId), resolved(2));
    expect(v2.body).toMatchObject({
      status: 'legal_handoff',
      stage: 'legal',
      balance: { amount: '1500.00' },
      nextAction: null,
    });
    const after = afterHandoff(v2.body);
    expect(after.map((e) => e.type)).toEqual([
      'dispute_opened',
      'dispute_resolved',
      'dispute_opened',
      'dispute_resolved',
    ]);
    expect(after[1]).toMatchObject({ outcome: 'rejected' });
    expect(after[3]).toMatchObject({ outcome: 'upheld', adjustment: '500.00' });
    // Nothing was sent or asked of an agent for this account.
    const sent = await handle.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, accountId));
    const tasks = await handle.db.select().from(agentTasks).where(eq(agentTasks.accountId, accountId));
    expect([sent, tasks]).toEqual([[], []]);
    const row = await eventually(
      () => listed(debtor),
      (r) => r.body.items?.[0]?.balance?.amount === '1500.00',
    );
    expect(row.body.items[0]).toMatchObject({ status: 'legal_handoff', stage: 'legal' });
  });
});

describe('after a hand-off', () => {
  it('payments and invoices still count, a zero balance closes it paid, and the next invoice opens a new account', async () => {
    // Past pre-legal's hold: a strategy without minDays hands a 200-day account off at once.
    const debtor = uniqueId('D');
    const accountId = await handedOffAccount(debtor, '1500.00', 200);
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

  it('a supervisor writes off part and then the rest (written_off); an account not handed off is not recalled (409)', async () => {
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
