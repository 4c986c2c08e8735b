// An invoice accepted for an account at the very moment its workflow closes it (paid): the intake joined the
// account while PostgreSQL still had it open, and the run ended before the outbox delivered the invoice. The
// signal then finds no run to take it; the invoice must still end up in a balance, over the real servers.
import { and, eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ingestInvoice } from '../../api/invoices/ingest';
import { normalizeInvoice } from '../../api/invoices/normalize';
import { createDb } from '../../db/client';
import { invoices, workflowOutbox } from '../../db/schema';
import { invoiceBody } from '../api/helpers';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { connectTestClient } from '../support/temporal';

let app: TestApp;
let keys: Record<'system' | 'admin', string>;
let call: ReturnType<typeof httpClient>;

const handle = createDb(inject('databaseUrl'), { max: 4 });
const zone = 'America/Mexico_City';
const daysAgo = (n: number) => DateTime.now().setZone(zone).minus({ days: n }).toISODate() ?? '';
const view = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, keys.system);
const listed = (debtor: string) =>
  call('GET', `/v1/accounts?debtorExternalId=${encodeURIComponent(debtor)}`, undefined, keys.system);

/** Sessions of this database waiting for a lock whose statement matches `like`. */
async function lockWaiters(like: string): Promise<number> {
  const [row] = await handle.db.execute<{ n: number }>(sql`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and query ilike ${like}`);
  return row?.n ?? 0;
}

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  keys = { system: await app.keyFor('system'), admin: await app.keyFor('admin') };
});

afterAll(async () => {
  await app?.stop();
  await handle.close();
});

describe('an invoice for an account whose run closed it before the invoice was delivered', () => {
  it('is not lost: it opens the debtor’s next account, and no outbox row is left failed', async () => {
    const debtor = uniqueId('D');
    const opened = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(uniqueId('F'), debtor, '1500.00', { dueDate: daysAgo(3) }),
      keys.system,
    );
    expect(opened.status).toBe(201);
    const { accountId, workflowId } = opened.body as { accountId: string; workflowId: string };
    await eventually(
      () => view(accountId),
      (r) => r.body.source === 'workflow' && r.body.stage === 'early',
    );

    // The interleaving, made certain with a row lock on the account: the intake locks the (still open)
    // account first; the run, paid in full meanwhile, waits behind it to mark the account closed.
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    // NO KEY UPDATE: the payment's foreign-key check (KEY SHARE) passes, the intake and the run's write wait.
    const holder = handle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from accounts where id = ${accountId} for no key update`);
      locked();
      await gate;
    });
    await isLocked;
    const lateId = uniqueId('F');
    const body = invoiceBody(lateId, debtor, '700.00', { dueDate: daysAgo(1) });
    const late = normalizeInvoice({ ...body, debtor: { ...body.debtor, kind: 'person' } }).value;
    if (!late) throw new Error('the late invoice does not normalise');
    // The intake as POST /v1/invoices runs it, without its inline delivery afterwards: as when the API process
    // stops right after the commit, or its delivery loses the race with the run's last workflow task. The
    // relay delivers the row after its grace, when the run has ended.
    const intake = ingestInvoice(handle.db, late, app.config.temporal.taskQueue);
    // Settled here whatever happens below, so a failure releases the lock and reports once.
    const joinedOrFailed = intake.then(
      (r) => r,
      (err: unknown) => err as Error,
    );
    try {
      expect(
        await eventually(
          () => lockWaiters('%"accounts"%for update%'),
          (n) => n >= 1,
          10_000,
        ),
      ).toBeGreaterThanOrEqual(1);
      const paid = await call(
        'POST',
        `/v1/accounts/${accountId}/payments`,
        { amount: '1500.00', currency: 'MXN', reference: uniqueId('P') },
        keys.system,
      );
      expect(paid.status).toBe(202);
      // The run decided `paid` and its read-model write waits behind the intake.
      expect(
        await eventually(
          () => lockWaiters('%'),
          (n) => n >= 2,
          10_000,
        ),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      release();
      await holder;
    }
    const joined = await joinedOrFailed;
    expect(joined).toMatchObject({ created: true, accountId });

    const client = await connectTestClient();
    const status = await eventually(
      () =>
        client.workflow
          .getHandle(workflowId)
          .describe()
          .then((d) => d.status.name),
      (s) => s === 'COMPLETED',
    );
    expect(status).toBe('COMPLETED');
    const closed = await view(accountId);
    expect(closed.body).toMatchObject({ status: 'paid', balance: { amount: '0.00' } });

    // The relay's delivery finds the run closed. The invoice reaches a balance all the same: the debtor's
    // next account (the one that closed was paid), as if the invoice had come a moment later.
    const accounts = await eventually(
      () => listed(debtor),
      (r) => r.body.items?.some((a: { balance: { amount: string } }) => a.balance.amount === '700.00'),
      40_000,
    );
    const next = accounts.body.items.find((a: { accountId: string }) => a.accountId !== accountId);
    expect(accounts.body.items).toHaveLength(2);
    expect(next).toMatchObject({ status: 'active', balance: { amount: '700.00', currency: 'MXN' }, closedAt: null });
    const v = await eventually(
      () => view(next.accountId as string),
      (r) => r.body.source === 'workflow' && r.body.balance?.amount === '700.00',
    );
    expect(v.body).toMatchObject({ source: 'workflow', balance: { amount: '700.00' }, daysPastDue: 1 });
    // The invoice now belongs to that account: the same invoice sent again says so.
    const again = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(lateId, debtor, '700.00', { dueDate: daysAgo(1) }),
      keys.system,
    );
    expect(again.status).toBe(200);
    expect(again.body.accountId).toBe(next.accountId);
    // The closed account kept its own history: paid, nothing owed.
    expect(await view(accountId)).toMatchObject({ body: { status: 'paid', balance: { amount: '0.00' } } });
    const failed = await call('GET', '/v1/outbox/failed', undefined, keys.admin);
    expect(failed.body.items.filter((i: { workflowId: string }) => i.workflowId === workflowId)).toEqual([]);
  }, 120_000);

  it('an invoice the closed run did count, delivered again (its delivery was never marked), stays where it is', async () => {
    const debtor = uniqueId('D');
    const invoiceId = uniqueId('F');
    const opened = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(invoiceId, debtor, '900.00', { dueDate: daysAgo(3) }),
      keys.system,
    );
    const { accountId, workflowId } = opened.body as { accountId: string; workflowId: string };
    await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '900.00',
    );
    const paid = await call(
      'POST',
      `/v1/accounts/${accountId}/payments`,
      { amount: '900.00', currency: 'MXN', reference: uniqueId('P') },
      keys.system,
    );
    expect(paid.status).toBe(202);
    const client = await connectTestClient();
    await eventually(
      () =>
        client.workflow
          .getHandle(workflowId)
          .describe()
          .then((d) => d.status.name),
      (st) => st === 'COMPLETED',
    );
    await eventually(
      () => listed(debtor),
      (r) => r.body.items?.[0]?.closedAt !== null,
    );
    // The process that delivered the invoice stopped before marking it (marks are flushed in batches): the
    // relay delivers it again, to a run that has ended knowing it.
    const [row] = await handle.db
      .update(workflowOutbox)
      .set({ dispatchedAt: null, nextAttemptAt: sql`now()` })
      .where(and(eq(workflowOutbox.workflowId, workflowId), eq(workflowOutbox.signalName, 'invoiceAdded')))
      .returning({ id: workflowOutbox.id });
    expect(row).toBeDefined();
    const settled = await eventually(
      () => handle.db.select().from(workflowOutbox).where(eq(workflowOutbox.id, row!.id)),
      ([r]) => r?.dispatchedAt !== null || r.failedAt !== null,
      20_000,
    );
    expect(settled[0]).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });
    // Counted once: the paid account keeps it, no account opens for it.
    const [stored] = await handle.db.select().from(invoices).where(eq(invoices.externalId, invoiceId));
    expect(stored?.accountId).toBe(accountId);
    const accounts = await listed(debtor);
    expect(accounts.body.items).toEqual([expect.objectContaining({ accountId, status: 'paid' })]);
  }, 60_000);
});
