// An invoice accepted for an account at the very moment its workflow closes it (paid): the intake joined the
// account while PostgreSQL still had it open, and the run ended before the outbox delivered the invoice. The
// signal then finds no run to take it; the invoice must still end up in a balance, over the real harness.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ingestInvoice } from '../../api/invoices/ingest';
import { normalizeInvoice } from '../../api/invoices/normalize';
import { invoices, workflowOutbox } from '../../db/schema';
import { invoiceBody } from '../api/helpers';
import { eventually } from '../support/http';
import { uniqueId } from '../support/runtime';
import { closingAccounts } from '../support/closing-race';

const harness = closingAccounts();
const { handle, call, daysAgo, view, listed, completed, closingRace, settledRow } = harness;

describe('an invoice for an account whose run closed it before the invoice was delivered', () => {
  it('is not lost: it opens the debtor’s next account, and no outbox row is left failed', async () => {
    const debtor = uniqueId('D');
    const opened = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(uniqueId('F'), debtor, '1500.00', { dueDate: daysAgo(3) }),
      harness.keys.system,
    );
    expect(opened.status).toBe(201);
    const { accountId, workflowId } = opened.body as { accountId: string; workflowId: string };
    await eventually(
      () => view(accountId),
      (r) => r.body.source === 'workflow' && r.body.stage === 'early',
    );

    const lateId = uniqueId('F');
    const body = invoiceBody(lateId, debtor, '700.00', { dueDate: daysAgo(1) });
    const late = normalizeInvoice({ ...body, debtor: { ...body.debtor, kind: 'person' } }).value;
    if (!late) throw new Error('the late invoice does not normalise');
    // The intake locks the (still open) account first; the run, paid in full meanwhile, waits behind it to mark
    // the account closed. The intake runs as POST /v1/invoices runs it, without its inline delivery afterwards:
    // as when the API process stops right after the commit, or its delivery loses the race with the run's last
    // workflow task. The relay delivers the row after its grace, when the run has ended (paid, checked there).
    const joined = await closingRace(
      accountId,
      workflowId,
      () => ingestInvoice(handle.db, late, harness.app.config.temporal.taskQueue),
      { intakeFirst: true },
    );
    expect(joined).toMatchObject({ created: true, accountId });

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
      harness.keys.system,
    );
    expect(again.status).toBe(200);
    expect(again.body.accountId).toBe(next.accountId);
    // The closed account kept its own history: paid, nothing owed.
    expect(await view(accountId)).toMatchObject({ body: { status: 'paid', balance: { amount: '0.00' } } });
    const failed = await call('GET', '/v1/outbox/failed', undefined, harness.keys.admin);
    expect(failed.body.items.filter((i: { workflowId: string }) => i.workflowId === workflowId)).toEqual([]);
  }, 120_000);

  it('an invoice the closed run did count, delivered again (its delivery was never marked), stays where it is', async () => {
    const debtor = uniqueId('D');
    const invoiceId = uniqueId('F');
    const opened = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(invoiceId, debtor, '900.00', { dueDate: daysAgo(3) }),
      harness.keys.system,
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
      harness.keys.system,
    );
    expect(paid.status).toBe(202);
    await completed(workflowId);
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
    expect(await settledRow(row!.id)).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });
    // Counted once: the paid account keeps it, no account opens for it.
    const [stored] = await handle.db.select().from(invoices).where(eq(invoices.externalId, invoiceId));
    expect(stored?.accountId).toBe(accountId);
    const accounts = await listed(debtor);
    expect(accounts.body.items).toEqual([expect.objectContaining({ accountId, status: 'paid' })]);
  }, 60_000);
});
