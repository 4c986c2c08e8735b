// Invoices accepted for an account whose run closed it (paid, written off) before their outbox row reached it.
// The intake joined the account while PostgreSQL still had it open — the run marks it closed a moment after
// deciding so, and ends — and no run will take them any more. They move to the debtor's open account in that
// currency, or open the next one (the closed one was paid or written off), exactly as an invoice accepted a
// moment later would have, and that account's workflow is signalled like any intake's.
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { accounts, debtors, invoices, workflowOutbox } from '../../db/schema';
import {
  accountWorkflowId,
  invoicesAddedSignal,
  type AccountWorkflowInput,
  type DebtorFacts,
  type InvoiceAddedSignal,
} from '../../workflows/account.messages';
import { usableChannels } from '../channel-status';

/** The debtor's open account in the currency (at most one), locked until the transaction ends; null: none. */
export async function lockOpenAccount(
  tx: DbOrTx,
  debtorId: string,
  currency: string,
): Promise<{ id: string; workflowId: string } | null> {
  const [open] = await tx
    .select({ id: accounts.id, workflowId: accounts.workflowId })
    .from(accounts)
    .where(and(eq(accounts.debtorId, debtorId), eq(accounts.currency, currency), isNull(accounts.closedAt)))
    .for('update');
  return open ?? null;
}

export interface MovedInvoices {
  accountId: string;
  workflowId: string;
  invoices: number;
  /** The account's invoicesAdded row, due at once. */
  outboxId: number;
}

/**
 * Moves those of `invoiceIds` still on the closed account; null when none is (another delivery moved them,
 * or the account is open again). `facts`: the debtor's as the intake resolved them (zone, locale); channels
 * are read again. One transaction: a crash leaves the invoices where they were, to move again.
 */
export async function moveInvoicesOffClosedAccount(
  db: Db,
  taskQueue: string,
  closedAccountId: string,
  invoiceIds: readonly string[],
  facts: DebtorFacts,
): Promise<MovedInvoices | null> {
  if (invoiceIds.length === 0) return null;
  return db.transaction(async (tx) => {
    const [closed] = await tx
      .select({ debtorId: accounts.debtorId, currency: accounts.currency, closedAt: accounts.closedAt })
      .from(accounts)
      .where(eq(accounts.id, closedAccountId))
      .for('update');
    if (!closed || closed.closedAt === null) return null;
    const moving = await tx
      .select({
        invoiceId: invoices.id,
        externalId: invoices.externalId,
        amountMinor: invoices.amountMinor,
        currency: invoices.currency,
        dueDate: invoices.dueDate,
        strategyId: invoices.strategyId,
      })
      .from(invoices)
      .where(and(eq(invoices.accountId, closedAccountId), inArray(invoices.id, [...invoiceIds])))
      .orderBy(asc(invoices.createdAt))
      .for('update');
    const first = moving[0];
    if (!first) return null;
    const [debtor] = await tx
      .select({ id: debtors.id, email: debtors.email, phone: debtors.phone })
      .from(debtors)
      .where(eq(debtors.id, closed.debtorId));
    if (!debtor) throw new Error(`debtor of account ${closedAccountId} not found`);

    // As the intake does: the open account of the debtor and currency, else a new one.
    const newId = crypto.randomUUID();
    await tx
      .insert(accounts)
      .values({
        id: newId,
        debtorId: debtor.id,
        currency: closed.currency,
        workflowId: accountWorkflowId(newId),
        strategyId: first.strategyId,
      })
      .onConflictDoNothing();
    const open = await lockOpenAccount(tx, debtor.id, closed.currency);
    if (!open) throw new Error('open account not found after upsert');
    await tx
      .update(invoices)
      .set({ accountId: open.id })
      .where(
        inArray(
          invoices.id,
          moving.map((i) => i.invoiceId),
        ),
      );

    const input: AccountWorkflowInput = {
      version: 1,
      accountId: open.id,
      currency: closed.currency,
      debtor: { ...facts, channels: await usableChannels(tx, debtor.id, debtor) },
      ...(first.strategyId ? { strategyId: first.strategyId } : {}),
    };
    const signalArg: { invoices: InvoiceAddedSignal[] } = {
      invoices: moving.map(({ strategyId: _strategyId, ...invoice }) => invoice),
    };
    const [row] = await tx
      .insert(workflowOutbox)
      .values({
        workflowId: open.workflowId,
        taskQueue,
        kind: 'signal_with_start',
        signalName: invoicesAddedSignal.name,
        payload: { input, signalArg },
        nextAttemptAt: sql`now()`,
      })
      .returning({ id: workflowOutbox.id });
    if (!row) throw new Error('outbox insert returned nothing');
    return { accountId: open.id, workflowId: open.workflowId, invoices: moving.length, outboxId: row.id };
  });
}
