// A payment that closes its account paying more than the balance: the run counts it, the account is paid and the
// core keeps the extra as the closed account's credit, which no later invoice of the debtor reaches (they open
// the next account). Before the run ends that extra becomes the debtor's credit, once, over the real servers
// (the payment counted after the close: tests/e2e/payment-after-close.test.ts).
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accounts, debtorCredits, payments, workflowOutbox } from '../../db/schema';
import { uniqueId } from '../support/runtime';
import { closingAccounts } from '../support/closing-race';

const harness = closingAccounts();
const { handle, call, view, listed, openAccount, completed, settledRow, nextInvoiceOwes } = harness;

const paymentCreditsOf = (debtorId: string) =>
  handle.db
    .select()
    .from(debtorCredits)
    .where(and(eq(debtorCredits.debtorId, debtorId), eq(debtorCredits.source, 'payment')));

describe('a payment that pays more than the account owes', () => {
  it('closes the account paid, the extra becomes the debtor’s credit once, and their next invoice consumes it', async () => {
    const debtor = uniqueId('D');
    const { accountId, workflowId } = await openAccount(debtor, '900.00');
    const [owner] = await handle.db
      .select({ debtorId: accounts.debtorId })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    const reference = uniqueId('P');
    const paid = await call(
      'POST',
      `/v1/accounts/${accountId}/payments`,
      { amount: '1000.00', currency: 'MXN', reference },
      harness.keys.system,
    );
    expect(paid.status).toBe(202);
    await completed(workflowId);
    const closed = await view(accountId);
    expect(closed.body).toMatchObject({ source: 'workflow', status: 'paid', balance: { amount: '0.00' } });

    // The 100.00 the account could not use is the debtor's, attributed to the payment that paid it.
    const [payment] = await handle.db
      .select()
      .from(payments)
      .where(and(eq(payments.accountId, accountId), eq(payments.reference, reference)));
    expect(payment).toMatchObject({ amountMinor: 100_000, movedFromAccountId: null, creditedAt: expect.any(Date) });
    expect(await paymentCreditsOf(owner!.debtorId)).toEqual([
      expect.objectContaining({ sourceRef: payment!.id, amountMinor: 10_000, currency: 'MXN' }),
    ]);

    // The same payment delivered again (its delivery was never marked), to the run that ended counting it:
    // nothing is booked twice, no account opens.
    const [row] = await handle.db
      .update(workflowOutbox)
      .set({ dispatchedAt: null, nextAttemptAt: sql`now()` })
      .where(and(eq(workflowOutbox.workflowId, workflowId), eq(workflowOutbox.signalName, 'paymentReceived')))
      .returning({ id: workflowOutbox.id });
    expect(row).toBeDefined();
    expect(await settledRow(row!.id)).toMatchObject({ dispatchedAt: expect.any(Date), failedAt: null });
    expect(await paymentCreditsOf(owner!.debtorId)).toEqual([
      expect.objectContaining({ sourceRef: payment!.id, amountMinor: 10_000 }),
    ]);
    expect((await listed(debtor)).body.items).toEqual([expect.objectContaining({ accountId, status: 'paid' })]);
    // Reported again through the API, it is the same payment.
    const again = await call(
      'POST',
      `/v1/accounts/${accountId}/payments`,
      { amount: '1000.00', currency: 'MXN', reference },
      harness.keys.system,
    );
    expect(again.status).toBeLessThan(500);
    expect(await paymentCreditsOf(owner!.debtorId)).toHaveLength(1);

    // The debtor's next invoice (a new account: the old one is paid) consumes the credit at intake.
    const next = await nextInvoiceOwes(debtor, '600.00');
    expect(next.accountId).not.toBe(accountId);
    const [left] = await handle.db.execute<{ n: string }>(sql`
      select coalesce(sum(amount_minor), 0)::text as n from debtor_credits where debtor_id = ${owner!.debtorId}`);
    expect(left?.n).toBe('0');
    expect(await view(accountId)).toMatchObject({ body: { status: 'paid', balance: { amount: '0.00' } } });
  }, 120_000);
});
