// A payment accepted for an account at the very moment its workflow closes it (paid): the payment was booked
// while PostgreSQL still had the account open, and the run ended before the outbox delivered it. The signal
// then finds no run to take it; the money must still end up in a balance or the debtor's credit, over the real
// servers (the invoice's counterpart: tests/e2e/invoice-after-close.test.ts).
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ingestInvoice } from '../../api/invoices/ingest';
import { normalizeInvoice } from '../../api/invoices/normalize';
import { accounts, debtorCredits, payments, workflowOutbox } from '../../db/schema';
import { drizzleTag } from '../../db/tag';
import { bookPayment } from '../../lib/payments/book';
import { creditReference } from '../../lib/reconcile/credits';
import { invoiceBody } from '../api/helpers';
import { eventually } from '../support/http';
import { uniqueId } from '../support/runtime';
import { closingAccounts } from '../support/closing-race';

const harness = closingAccounts();
const { handle, call, daysAgo, view, listed, openAccount, completed, closingRace, settledRow, nextInvoiceOwes } =
  harness;

/**
 * A payment booked as POST …/payments books it (lib/payments/book.ts), without its inline delivery afterwards:
 * as when the API process stops right after the commit. The relay delivers the row after its grace.
 */
async function bookLatePayment(account: { id: string; workflowId: string }, amountMinor: number) {
  const reference = uniqueId('P');
  const booked = await bookPayment(drizzleTag(handle.db), harness.app.config.temporal.taskQueue, account, {
    amountMinor,
    currency: 'MXN',
    reference,
    paidAt: new Date(),
  });
  expect(booked).toMatchObject({ duplicate: false, outboxId: expect.any(Number) });
  return { reference, outboxId: booked.outboxId! };
}

async function paymentRow(reference: string) {
  const [row] = await handle.db.select().from(payments).where(eq(payments.reference, reference));
  return row;
}

async function failedRowsOf(workflowId: string) {
  const failed = await call('GET', '/v1/outbox/failed', undefined, harness.keys.admin);
  return failed.body.items.filter((i: { workflowId: string }) => i.workflowId === workflowId);
}

describe('a payment for an account whose run closed it before the payment was delivered', () => {
  it('is not lost: with no account open it becomes the debtor’s credit, which their next invoice consumes', async () => {
    const debtor = uniqueId('D');
    const { accountId, workflowId } = await openAccount(debtor, '1500.00');
    const late = await closingRace(accountId, workflowId, () => bookLatePayment({ id: accountId, workflowId }, 20_000));

    // The relay's delivery finds the run ended: the run did not count the payment, no account of the debtor
    // is open, so it is the debtor's credit, and the payment row says so.
    expect(await settledRow(late.outboxId)).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });
    const row = await paymentRow(late.reference);
    expect(row).toMatchObject({ accountId, movedFromAccountId: null, creditedAt: expect.any(Date) });
    const credits = await handle.db
      .select()
      .from(debtorCredits)
      .where(and(eq(debtorCredits.source, 'payment'), eq(debtorCredits.sourceRef, row!.id)));
    expect(credits).toEqual([expect.objectContaining({ amountMinor: 20_000, currency: 'MXN' })]);
    expect(await failedRowsOf(workflowId)).toEqual([]);
    // The closed account kept its own history: paid, nothing owed.
    expect(await view(accountId)).toMatchObject({ body: { status: 'paid', balance: { amount: '0.00' } } });

    // The debtor's next invoice consumes the credit at intake.
    await nextInvoiceOwes(debtor, '500.00');
  }, 120_000);

  it('with the debtor’s account of that currency open by then, is applied to it, and the payment row says so', async () => {
    const debtor = uniqueId('D');
    const { accountId, workflowId } = await openAccount(debtor, '1500.00');
    const late = await closingRace(accountId, workflowId, () => bookLatePayment({ id: accountId, workflowId }, 20_000));
    // Before the relay takes the payment (its grace is 10 s), a new invoice opens the debtor's next account.
    const next = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(uniqueId('F'), debtor, '700.00', { dueDate: daysAgo(1) }),
      harness.keys.system,
    );
    expect(next.status).toBe(201);
    const nextId = next.body.accountId as string;
    expect(nextId).not.toBe(accountId);

    expect(await settledRow(late.outboxId)).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });
    expect(await paymentRow(late.reference)).toMatchObject({
      accountId: nextId,
      movedFromAccountId: accountId,
      creditedAt: null,
    });
    const v = await eventually(
      () => view(nextId),
      (r) => r.body.source === 'workflow' && r.body.balance?.amount === '500.00',
      20_000,
    );
    expect(v.body).toMatchObject({ status: 'active', balance: { amount: '500.00' } });
    expect(v.body.timeline.filter((e: { type: string }) => e.type === 'payment')).toHaveLength(1);
    const [debtorId] = await handle.db
      .select({ id: accounts.debtorId })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    expect(
      await handle.db
        .select()
        .from(debtorCredits)
        .where(and(eq(debtorCredits.debtorId, debtorId!.id), eq(debtorCredits.source, 'payment'))),
    ).toEqual([]);
    expect(await failedRowsOf(workflowId)).toEqual([]);
    expect(await view(accountId)).toMatchObject({ body: { status: 'paid', balance: { amount: '0.00' } } });
  }, 120_000);

  it('a payment the closed run did count, delivered again (its delivery was never marked), stays where it is', async () => {
    const debtor = uniqueId('D');
    const { accountId, workflowId } = await openAccount(debtor, '900.00');
    const reference = uniqueId('P');
    const paid = await call(
      'POST',
      `/v1/accounts/${accountId}/payments`,
      { amount: '900.00', currency: 'MXN', reference },
      harness.keys.system,
    );
    expect(paid.status).toBe(202);
    await completed(workflowId);
    await eventually(
      () => listed(debtor),
      (r) => r.body.items?.[0]?.closedAt !== null,
    );
    // The process that delivered the payment stopped before marking it (marks are flushed in batches): the
    // relay delivers it again, to a run that has ended counting it.
    const [row] = await handle.db
      .update(workflowOutbox)
      .set({ dispatchedAt: null, nextAttemptAt: sql`now()` })
      .where(and(eq(workflowOutbox.workflowId, workflowId), eq(workflowOutbox.signalName, 'paymentReceived')))
      .returning({ id: workflowOutbox.id });
    expect(row).toBeDefined();
    expect(await settledRow(row!.id)).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });
    // Counted once: the paid account keeps it, it is no credit, no account opens.
    expect(await paymentRow(reference)).toMatchObject({ accountId, movedFromAccountId: null, creditedAt: null });
    const [payment] = await handle.db.select().from(payments).where(eq(payments.reference, reference));
    expect(
      await handle.db
        .select()
        .from(debtorCredits)
        .where(and(eq(debtorCredits.source, 'payment'), eq(debtorCredits.sourceRef, payment!.id))),
    ).toEqual([]);
    expect((await listed(debtor)).body.items).toEqual([expect.objectContaining({ accountId, status: 'paid' })]);
  }, 60_000);

  it('a second payment delivered to the run while it was closing the account is counted there and becomes the debtor’s credit', async () => {
    const debtor = uniqueId('D');
    const { accountId, workflowId } = await openAccount(debtor, '1500.00');
    const reference = uniqueId('P');
    // While the run's closing write waits, a second payment is booked and delivered inline: the run is still
    // there and takes the signal (its outbox row is marked delivered), so the relay never sees it again.
    const outboxId = await closingRace(accountId, workflowId, async () => {
      const paid = await call(
        'POST',
        `/v1/accounts/${accountId}/payments`,
        { amount: '200.00', currency: 'MXN', reference },
        harness.keys.system,
      );
      expect(paid.status).toBe(202);
      const [row] = await eventually(
        () =>
          handle.db
            .select()
            .from(workflowOutbox)
            .where(
              and(
                eq(workflowOutbox.workflowId, workflowId),
                sql`${workflowOutbox.payload}::text like ${`%${reference}%`}`,
              ),
            ),
        ([r]) => r?.dispatchedAt != null,
        10_000,
      );
      expect(row).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });
      return row!.id;
    });
    expect(await settledRow(outboxId)).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });

    // The run counted it before it ended: the closed account's timeline has it after `closed`.
    const closed = await view(accountId);
    expect(closed.body).toMatchObject({ source: 'workflow', status: 'paid', balance: { amount: '0.00' } });
    const tail = (closed.body.timeline as { type: string; reference?: string; amount?: string }[])
      .filter((e) => e.type === 'payment' || e.type === 'closed')
      .map((e) => (e.type === 'payment' ? `payment ${e.amount}` : e.type));
    expect(tail).toEqual(['payment 1500.00', 'closed', 'payment 200.00']);

    // Nothing owed on the closed account, so the payment is the debtor's credit, and the payment row says so.
    const row = await paymentRow(reference);
    expect(row).toMatchObject({ accountId, movedFromAccountId: null, creditedAt: expect.any(Date) });
    const credits = await handle.db
      .select()
      .from(debtorCredits)
      .where(and(eq(debtorCredits.source, 'payment'), eq(debtorCredits.sourceRef, row!.id)));
    expect(credits).toEqual([expect.objectContaining({ amountMinor: 20_000, currency: 'MXN' })]);
    expect(await failedRowsOf(workflowId)).toEqual([]);

    // The debtor's next invoice consumes it at intake.
    const next = await nextInvoiceOwes(debtor, '500.00');
    expect(next.accountId).not.toBe(accountId);
  }, 120_000);

  it('an over-payment that closed the account and a payment counted after the close are each credited once', async () => {
    const debtor = uniqueId('D');
    // The closing payment (1500.00) pays 100.00 more than the 1400.00 owed.
    const { accountId, workflowId } = await openAccount(debtor, '1400.00');
    const reference = uniqueId('P');
    await closingRace(accountId, workflowId, async () => {
      const paid = await call(
        'POST',
        `/v1/accounts/${accountId}/payments`,
        { amount: '200.00', currency: 'MXN', reference },
        harness.keys.system,
      );
      expect(paid.status).toBe(202);
      await eventually(
        () =>
          handle.db
            .select()
            .from(workflowOutbox)
            .where(
              and(
                eq(workflowOutbox.workflowId, workflowId),
                sql`${workflowOutbox.payload}::text like ${`%${reference}%`}`,
              ),
            ),
        ([r]) => r?.dispatchedAt != null,
        10_000,
      );
    });
    const [owner] = await handle.db
      .select({ debtorId: accounts.debtorId })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    const onAccount = await handle.db.select().from(payments).where(eq(payments.accountId, accountId));
    const second = onAccount.find((p) => p.reference === reference);
    const closing = onAccount.find((p) => p.reference !== reference);
    // Each payment's own share, 300.00 in all: what the closed account held.
    const credits = await handle.db
      .select()
      .from(debtorCredits)
      .where(and(eq(debtorCredits.debtorId, owner!.debtorId), eq(debtorCredits.source, 'payment')));
    expect(
      credits.map((c) => ({ ref: c.sourceRef, amount: c.amountMinor })).sort((a, b) => a.amount - b.amount),
    ).toEqual([
      { ref: closing!.id, amount: 10_000 },
      { ref: second!.id, amount: 20_000 },
    ]);
    expect(await failedRowsOf(workflowId)).toEqual([]);

    await nextInvoiceOwes(debtor, '400.00');
  }, 120_000);

  it('a debtor credit an invoice consumed at intake goes with the invoice when it moves to the next account', async () => {
    const debtor = uniqueId('D');
    const { accountId, workflowId } = await openAccount(debtor, '1500.00');
    const [owner] = await handle.db
      .select({ debtorId: accounts.debtorId })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    // The debtor has 300.00 of credit (a bank line's over-payment) by the time the late invoice comes.
    await handle.db.insert(debtorCredits).values({
      debtorId: owner!.debtorId,
      currency: 'MXN',
      amountMinor: 30_000,
      source: 'statement_line',
      sourceRef: uniqueId('line'),
    });
    const lateId = uniqueId('F');
    const body = invoiceBody(lateId, debtor, '700.00', { dueDate: daysAgo(1) });
    const lateInvoice = normalizeInvoice({ ...body, debtor: { ...body.debtor, kind: 'person' } }).value;
    if (!lateInvoice) throw new Error('the late invoice does not normalise');
    // The intake as POST /v1/invoices runs it, without its inline delivery: it joins the (still open) account
    // and its credit pays 300.00 of the invoice there (a payment `credit:<invoice id>`).
    const joined = await closingRace(
      accountId,
      workflowId,
      () => ingestInvoice(handle.db, lateInvoice, harness.app.config.temporal.taskQueue),
      { intakeFirst: true },
    );
    expect(joined).toMatchObject({ created: true, accountId });
    const invoiceId = (joined as { invoiceId: string }).invoiceId;

    // The invoice moves to the debtor's next account, and the credit that paid part of it goes along.
    const accountsNow = await eventually(
      () => listed(debtor),
      (r) => r.body.items?.some((a: { accountId: string }) => a.accountId !== accountId),
      40_000,
    );
    const next = accountsNow.body.items.find((a: { accountId: string }) => a.accountId !== accountId);
    const v = await eventually(
      () => view(next.accountId as string),
      (r) => r.body.source === 'workflow' && r.body.balance?.amount === '400.00',
      40_000,
    );
    expect(v.body).toMatchObject({ status: 'active', balance: { amount: '400.00' } });
    expect(await paymentRow(creditReference(invoiceId))).toMatchObject({
      accountId: next.accountId,
      movedFromAccountId: accountId,
      amountMinor: 30_000,
    });
    expect(await failedRowsOf(workflowId)).toEqual([]);
  }, 120_000);
});
