// Applying a statement line: its money becomes one payment per account (reference = the line's key) through the
// API's own payment path (payment row + outbox row, delivered after commit), so a promise is kept and no
// reminder goes out after the money arrived; what exceeds the debtor's balances is a debtor credit. The line's
// status, where the money went and the payments commit together, so applying twice changes nothing.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { accounts, debtorCredits, invoices, statementApplications, statementLines } from '../../db/schema';
import type { OutboxRow } from '../outbox/relay';
import { allocate, openAmounts, type Allocation, type OpenInvoice } from './match';

/** The API's payment recorder (api/accounts/payments.ts recordPayment), handed in: lib/ never imports api/. */
export type PaymentRecorder = (
  db: Db,
  taskQueue: string,
  account: { id: string; currency: string; workflowId: string; closedAt: Date | null },
  p: { amountMinor: number; currency: string; reference: string; paidAt: Date; source?: string },
) => Promise<{ duplicate: boolean; outboxRows: OutboxRow[] }>;

export interface ApplyDeps {
  db: Db;
  taskQueue: string;
  recordPayment: PaymentRecorder;
}

export type ApplyTarget =
  | { debtorId: string; invoiceIds?: string[] }
  | { accountId: string }
  | { invoiceIds: string[] }
  | { splits: { accountId: string; amountMinor: number }[] };

export type ApplyOutcome =
  | { ok: true; applied: Allocation[]; creditMinor: number; outboxRows: OutboxRow[]; already: boolean }
  | { ok: false; status: 404 | 409 | 422; field?: string; message: string };

type LineRow = typeof statementLines.$inferSelect;

async function debtorInvoices(tx: Tx, debtorId: string, currency: string) {
  const accts = await tx
    .select({
      id: accounts.id,
      debtorId: accounts.debtorId,
      currency: accounts.currency,
      balanceMinor: accounts.balanceMinor,
    })
    .from(accounts)
    .where(and(eq(accounts.debtorId, debtorId), eq(accounts.currency, currency), isNull(accounts.closedAt)));
  const invs =
    accts.length === 0
      ? []
      : await tx
          .select({
            id: invoices.id,
            number: invoices.externalId,
            accountId: invoices.accountId,
            debtorId: invoices.debtorId,
            currency: invoices.currency,
            dueDate: invoices.dueDate,
            amountMinor: invoices.amountMinor,
          })
          .from(invoices)
          .where(
            inArray(
              invoices.accountId,
              accts.map((a) => a.id),
            ),
          );
  const open: OpenInvoice[] = accts.flatMap((a) =>
    openAmounts(
      invs.filter((i) => i.accountId === a.id),
      a.balanceMinor,
    ),
  );
  return { accounts: accts, invoices: open };
}

/** Works out where the money goes; an error names the field the caller got wrong. */
async function plan(
  tx: Tx,
  line: LineRow,
  target: ApplyTarget,
): Promise<
  | {
      debtorId: string;
      allocations: Allocation[];
      creditMinor: number;
      /** A split across debtors: each account's own debtor (else every row is `debtorId`'s). */
      debtorOf?: Map<string, string>;
    }
  | Extract<ApplyOutcome, { ok: false }>
> {
  if ('splits' in target) {
    const total = target.splits.reduce((s, p) => s + p.amountMinor, 0);
    if (total !== line.amountMinor)
      return {
        ok: false,
        status: 422,
        field: 'splits',
        message: `the splits add up to ${total}, the line to ${line.amountMinor} (minor units)`,
      };
    const ids = target.splits.map((p) => p.accountId);
    const found = await tx
      .select({
        id: accounts.id,
        debtorId: accounts.debtorId,
        currency: accounts.currency,
        closedAt: accounts.closedAt,
      })
      .from(accounts)
      .where(inArray(accounts.id, ids));
    for (const [i, p] of target.splits.entries()) {
      const a = found.find((f) => f.id === p.accountId);
      if (!a) return { ok: false, status: 422, field: `splits[${i}].accountId`, message: 'no such account' };
      if (a.currency !== line.currency)
        return {
          ok: false,
          status: 422,
          field: `splits[${i}].accountId`,
          message: `the account is in ${a.currency}, the line in ${line.currency}`,
        };
      if (a.closedAt)
        return { ok: false, status: 409, field: `splits[${i}].accountId`, message: 'the account is closed' };
    }
    if (new Set(ids).size !== ids.length)
      return { ok: false, status: 422, field: 'splits', message: 'names an account twice' };
    return {
      debtorId: found[0]?.debtorId ?? '',
      debtorOf: new Map(found.map((f) => [f.id, f.debtorId])),
      allocations: target.splits.map((p) => ({ accountId: p.accountId, amountMinor: p.amountMinor, invoiceIds: [] })),
      creditMinor: 0,
    };
  }
  let debtorId: string;
  let named: string[] = [];
  let onlyAccount: string | undefined;
  if ('accountId' in target) {
    const [a] = await tx.select().from(accounts).where(eq(accounts.id, target.accountId));
    if (!a) return { ok: false, status: 422, field: 'accountId', message: 'no such account' };
    if (a.currency !== line.currency)
      return {
        ok: false,
        status: 422,
        field: 'accountId',
        message: `the account is in ${a.currency}, the line in ${line.currency}`,
      };
    if (a.closedAt) return { ok: false, status: 409, field: 'accountId', message: 'the account is closed' };
    debtorId = a.debtorId;
    onlyAccount = a.id;
  } else if ('debtorId' in target) {
    debtorId = target.debtorId;
    named = target.invoiceIds ?? [];
  } else {
    named = target.invoiceIds;
    const rows = await tx.select({ debtorId: invoices.debtorId }).from(invoices).where(inArray(invoices.id, named));
    const debtorIds = [...new Set(rows.map((r) => r.debtorId))];
    if (rows.length !== new Set(named).size)
      return { ok: false, status: 422, field: 'invoiceIds', message: 'names an invoice that does not exist' };
    if (debtorIds.length !== 1 || !debtorIds[0])
      return {
        ok: false,
        status: 422,
        field: 'invoiceIds',
        message: 'the invoices belong to more than one debtor: use splits',
      };
    debtorId = debtorIds[0];
  }
  const open = await debtorInvoices(tx, debtorId, line.currency);
  const accts = onlyAccount ? open.accounts.filter((a) => a.id === onlyAccount) : open.accounts;
  const invs = onlyAccount ? open.invoices.filter((i) => i.accountId === onlyAccount) : open.invoices;
  const { allocations, creditMinor } = allocate(line.amountMinor, invs, accts, named);
  return { debtorId, allocations, creditMinor };
}

export async function applyStatementLine(
  deps: ApplyDeps,
  lineId: string,
  target: ApplyTarget,
  meta: { automatic: boolean; score?: number; reasons?: string[]; decidedBy?: string | null },
): Promise<ApplyOutcome> {
  return deps.db.transaction(async (tx) => {
    const [line] = await tx.select().from(statementLines).where(eq(statementLines.id, lineId)).for('update');
    if (!line) return { ok: false, status: 404, message: `no statement line ${lineId}` } as const;
    if (line.status === 'applied') {
      const done = await tx.select().from(statementApplications).where(eq(statementApplications.lineId, lineId));
      return {
        ok: true,
        already: true,
        applied: done.flatMap((d) =>
          d.accountId ? [{ accountId: d.accountId, amountMinor: d.amountMinor, invoiceIds: d.invoiceIds }] : [],
        ),
        creditMinor: done.filter((d) => !d.accountId).reduce((s, d) => s + d.amountMinor, 0),
        outboxRows: [],
      } as const;
    }
    if (line.status !== 'unmatched') return { ok: false, status: 409, message: `the line is ${line.status}` } as const;
    if (line.amountMinor <= 0 || line.reversal)
      return {
        ok: false,
        status: 409,
        message: 'money out is not a payment: ignore the line, or it reverses a payment',
      } as const;
    const planned = await plan(tx, line, target);
    if ('ok' in planned) return planned;
    const outboxRows: OutboxRow[] = [];
    const paidAt = new Date(`${line.bookingDate}T12:00:00Z`);
    for (const a of planned.allocations) {
      const [account] = await tx
        .select({
          id: accounts.id,
          currency: accounts.currency,
          workflowId: accounts.workflowId,
          closedAt: accounts.closedAt,
        })
        .from(accounts)
        .where(eq(accounts.id, a.accountId));
      if (!account) return { ok: false, status: 422, message: `no account ${a.accountId}` } as const;
      // The transaction is the recorder's database: the payment, its outbox row and the line commit as one.
      const result = await deps.recordPayment(tx, deps.taskQueue, account, {
        amountMinor: a.amountMinor,
        currency: line.currency,
        reference: line.key,
        paidAt,
        source: 'bank',
      });
      outboxRows.push(...result.outboxRows);
    }
    const rows = [
      ...planned.allocations.map((a) => ({
        accountId: a.accountId,
        amountMinor: a.amountMinor,
        invoiceIds: a.invoiceIds,
      })),
      ...(planned.creditMinor > 0
        ? [{ accountId: null, amountMinor: planned.creditMinor, invoiceIds: [] as string[] }]
        : []),
    ];
    if (rows.length > 0)
      await tx.insert(statementApplications).values(
        rows.map((r) => ({
          lineId,
          debtorId: (r.accountId && planned.debtorOf?.get(r.accountId)) || planned.debtorId,
          accountId: r.accountId,
          amountMinor: r.amountMinor,
          currency: line.currency,
          invoiceIds: r.invoiceIds,
          automatic: meta.automatic,
          score: meta.score ?? null,
          reasons: meta.reasons ?? null,
        })),
      );
    if (planned.creditMinor > 0)
      await tx
        .insert(debtorCredits)
        .values({
          debtorId: planned.debtorId,
          currency: line.currency,
          amountMinor: planned.creditMinor,
          source: 'statement_line',
          sourceRef: line.id,
        })
        .onConflictDoNothing();
    await tx
      .update(statementLines)
      .set({ status: 'applied', queueReason: null, decidedBy: meta.decidedBy ?? null, decidedAt: sql`now()` })
      .where(eq(statementLines.id, lineId));
    return {
      ok: true,
      already: false,
      applied: planned.allocations,
      creditMinor: planned.creditMinor,
      outboxRows,
    } as const;
  });
}

export async function ignoreStatementLine(
  db: Db,
  lineId: string,
  reason: string,
  decidedBy: string | null,
): Promise<{ ok: true; line: LineRow } | { ok: false; status: 404 | 409; message: string }> {
  return db.transaction(async (tx) => {
    const [line] = await tx.select().from(statementLines).where(eq(statementLines.id, lineId)).for('update');
    if (!line) return { ok: false, status: 404, message: `no statement line ${lineId}` } as const;
    if (line.status === 'ignored') return { ok: true, line } as const;
    if (line.status !== 'unmatched') return { ok: false, status: 409, message: `the line is ${line.status}` } as const;
    const [updated] = await tx
      .update(statementLines)
      .set({ status: 'ignored', ignoredReason: reason, decidedBy, decidedAt: sql`now()` })
      .where(eq(statementLines.id, lineId))
      .returning();
    return { ok: true, line: updated ?? line } as const;
  });
}

/** What the debtor has in credit, per currency (over-payments not yet consumed by an invoice). */
export async function debtorCreditBalance(db: Db | Tx, debtorId: string, currency: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<string>`coalesce(sum(${debtorCredits.amountMinor}), 0)` })
    .from(debtorCredits)
    .where(and(eq(debtorCredits.debtorId, debtorId), eq(debtorCredits.currency, currency)));
  return Number(row?.total ?? 0);
}
