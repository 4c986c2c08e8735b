// Accepts one invoice: debtor, account, invoice and the workflow message are written in one transaction.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, debtors, invoices, workflowOutbox } from '../../db/schema';
import { drizzleTag } from '../../db/tag';
import { usableChannels } from '../../lib/channel-status';
import { consumeDebtorCredit } from '../../lib/reconcile/credits';
import {
  accountWorkflowId,
  invoiceAddedSignal,
  type AccountWorkflowInput,
  type InvoiceAddedSignal,
} from '../../workflows/account.messages';
import { conflict } from '../problem';
import type { OutboxPayload } from '../../lib/outbox/relay';
import type { NormalizedInvoice } from './normalize';

export interface IngestResult {
  created: boolean;
  invoiceId: string;
  accountId: string;
  workflowId: string;
  /** Outbox rows to deliver inline after commit. */
  outboxIds: number[];
}

/** The relay leaves fresh rows to the inline path for this long before it takes them over. */
const INLINE_GRACE = sql`now() + interval '10 seconds'`;

/** `taskQueue`: the deployment's queue; only its outbox relays deliver the row this writes. */
export async function ingestInvoice(db: Db, inv: NormalizedInvoice, taskQueue: string): Promise<IngestResult> {
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({
        id: invoices.id,
        accountId: invoices.accountId,
        contentHash: invoices.contentHash,
        workflowId: accounts.workflowId,
      })
      .from(invoices)
      .innerJoin(accounts, eq(accounts.id, invoices.accountId))
      .where(eq(invoices.externalId, inv.externalId));
    const prior = existing[0];
    if (prior) {
      if (prior.contentHash !== inv.contentHash) {
        throw conflict(`Invoice ${inv.externalId} was already accepted with different content.`, {
          invoiceId: prior.id,
        });
      }
      return {
        created: false,
        invoiceId: prior.id,
        accountId: prior.accountId,
        workflowId: prior.workflowId,
        outboxIds: [],
      };
    }

    const d = inv.debtor;
    const [debtor] = await tx
      .insert(debtors)
      .values({
        externalId: d.externalId,
        kind: d.kind,
        name: d.name,
        email: d.email,
        phone: d.phone,
        country: d.country,
        timezone: d.timezone,
        locale: d.locale,
        attributes: d.attributes ?? null,
      })
      .onConflictDoUpdate({
        target: debtors.externalId,
        // The newest invoice carries the newest contact data; absent fields keep what we had.
        set: {
          kind: d.kind,
          name: d.name,
          email: sql`coalesce(excluded.email, ${debtors.email})`,
          phone: sql`coalesce(excluded.phone, ${debtors.phone})`,
          country: d.country,
          timezone: d.timezone,
          locale: d.locale,
          attributes: sql`coalesce(excluded.attributes, ${debtors.attributes})`,
          updatedAt: new Date(),
        },
      })
      .returning({ id: debtors.id, email: debtors.email, phone: debtors.phone });
    if (!debtor) throw new Error('debtor upsert returned nothing');

    const accountId = crypto.randomUUID();
    await tx
      .insert(accounts)
      .values({
        id: accountId,
        debtorId: debtor.id,
        currency: inv.currency,
        workflowId: accountWorkflowId(accountId),
        strategyId: inv.strategyId,
      })
      .onConflictDoNothing();
    const [account] = await tx
      .select({ id: accounts.id, currency: accounts.currency, workflowId: accounts.workflowId })
      .from(accounts)
      .where(and(eq(accounts.debtorId, debtor.id), eq(accounts.currency, inv.currency), isNull(accounts.closedAt)))
      .for('update');
    if (!account) throw new Error('open account not found after upsert');

    const [invoice] = await tx
      .insert(invoices)
      .values({
        externalId: inv.externalId,
        accountId: account.id,
        debtorId: debtor.id,
        amountMinor: inv.amountMinor,
        currency: inv.currency,
        dueDate: inv.dueDate,
        issuedAt: inv.issuedAt,
        strategyId: inv.strategyId,
        contentHash: inv.contentHash,
      })
      .returning({ id: invoices.id });
    if (!invoice) throw new Error('invoice insert returned nothing');

    const input: AccountWorkflowInput = {
      version: 1,
      accountId: account.id,
      currency: inv.currency,
      debtor: {
        country: d.country,
        timezone: d.timezone,
        locale: d.locale,
        // An opted-out or bounced channel stays off for every account the debtor opens later.
        channels: await usableChannels(tx, debtor.id, debtor),
      },
      ...(inv.strategyId ? { strategyId: inv.strategyId } : {}),
    };
    const signalArg: InvoiceAddedSignal = {
      invoiceId: invoice.id,
      externalId: inv.externalId,
      amountMinor: inv.amountMinor,
      currency: inv.currency,
      dueDate: inv.dueDate,
    };
    const payload: OutboxPayload = { input, signalArg };
    const [row] = await tx
      .insert(workflowOutbox)
      .values({
        workflowId: account.workflowId,
        taskQueue,
        kind: 'signal_with_start',
        signalName: invoiceAddedSignal.name,
        payload,
        nextAttemptAt: INLINE_GRACE,
      })
      .returning({ id: workflowOutbox.id });
    // A credit the debtor has with us pays this invoice at once (after it, in the workflow's order).
    const credited = await consumeDebtorCredit(drizzleTag(tx), taskQueue, [
      {
        invoiceId: invoice.id,
        accountId: account.id,
        workflowId: account.workflowId,
        debtorId: debtor.id,
        currency: inv.currency,
        amountMinor: inv.amountMinor,
      },
    ]);
    return {
      created: true,
      invoiceId: invoice.id,
      accountId: account.id,
      workflowId: account.workflowId,
      outboxIds: [...(row ? [row.id] : []), ...credited],
    };
  });
}

export type BatchItemOutcome = { ok: true; result: IngestResult } | { ok: false; error: unknown };

/** The unique index of `invoices.external_id` (or of an open account) lost a race with a parallel request. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 3; e = (e as { cause?: unknown }).cause, depth += 1) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

/** One retry after losing a unique-index race: the second attempt sees the winner's row (200 or 409). */
async function ingestWithRetry(db: Db, inv: NormalizedInvoice, taskQueue: string): Promise<IngestResult> {
  try {
    return await ingestInvoice(db, inv, taskQueue);
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    return ingestInvoice(db, inv, taskQueue);
  }
}

/**
 * Ingests many invoices, one transaction each, `concurrency` at a time. Invoices of one debtor run in
 * order (they would only wait on each other's row locks), debtors run in parallel. `onDone` is called
 * as each item commits, so the caller can deliver its outbox rows while the rest are still being written.
 */
export async function ingestInvoices(
  db: Db,
  items: readonly NormalizedInvoice[],
  opts: {
    taskQueue: string;
    concurrency?: number;
    /** `debtorDone`: the last invoice of its debtor in this batch (their rows can go out together). */
    onDone?: (index: number, result: IngestResult, debtorDone: boolean) => void;
  },
): Promise<BatchItemOutcome[]> {
  const outcomes: BatchItemOutcome[] = new Array<BatchItemOutcome>(items.length);
  const byDebtor = new Map<string, number[]>();
  items.forEach((inv, index) => {
    const list = byDebtor.get(inv.debtor.externalId);
    if (list) list.push(index);
    else byDebtor.set(inv.debtor.externalId, [index]);
  });
  const groups = [...byDebtor.values()];
  let next = 0;
  async function lane(): Promise<void> {
    for (let g = next++; g < groups.length; g = next++) {
      const group = groups[g] ?? [];
      for (const [n, index] of group.entries()) {
        const inv = items[index];
        if (!inv) continue;
        try {
          const result = await ingestWithRetry(db, inv, opts.taskQueue);
          outcomes[index] = { ok: true, result };
          opts.onDone?.(index, result, n === group.length - 1);
        } catch (error) {
          outcomes[index] = { ok: false, error };
        }
      }
    }
  }
  const lanes = Math.max(1, Math.min(opts.concurrency ?? 16, groups.length));
  await Promise.all(Array.from({ length: lanes }, () => lane()));
  return outcomes;
}
