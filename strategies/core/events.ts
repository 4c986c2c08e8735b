// Applying external events (payments, promises, plans, disputes, supervisor actions, debtor signals).
import { checkPlan, checkPromise, planInterest } from './agreements';
import { recall } from './stages';
import { fallBackAfterRefusal } from './steps';
import { agreementId, balanceOf, close, dropPending, money, record, refreshAnchor } from './state';
import type { Run } from './state';
import type { AccountState, EngineEvent, InvoiceEvent } from './types';

/** Replies that mean "stop contacting me on this channel". */
const STOP_WORDS = /^\s*(stop|baja|alto|cancelar|unsubscribe|no mas|no más)\s*[.!]*\s*$/i;
/** Contact outcomes that reached the debtor (`right_party_contact` is the KPI contract's name for `right_party`). */
export const RIGHT_PARTY_OUTCOMES: ReadonlySet<string> = new Set([
  'right_party',
  'right_party_contact',
  'conversation',
  'promise_to_pay',
  'paid',
]);

function applyToOldest(s: AccountState, amountMinor: number, preferredInvoice?: string): number {
  let left = amountMinor;
  const ordered = s.invoices
    .map((invoice, position) => ({ invoice, position }))
    .filter(({ invoice }) => invoice.openMinor > 0)
    .sort((a, b) => {
      const preferA = a.invoice.externalId === preferredInvoice ? 0 : 1;
      const preferB = b.invoice.externalId === preferredInvoice ? 0 : 1;
      return preferA - preferB || a.invoice.dueDate.localeCompare(b.invoice.dueDate) || a.position - b.position;
    });
  for (const { invoice } of ordered) {
    if (left <= 0) break;
    const applied = Math.min(left, invoice.openMinor);
    invoice.openMinor -= applied;
    left -= applied;
  }
  refreshAnchor(s);
  return left;
}

function closeIfSettled(run: Run, t: number): void {
  if (balanceOf(run.s) === 0 && run.s.invoices.length > 0) close(run, t, 'paid');
}

function applyPayment(run: Run, e: Extract<EngineEvent, { type: 'payment' }>, t: number): void {
  const { s } = run;
  if (s.paymentRefs.includes(e.reference) || !Number.isSafeInteger(e.amountMinor) || e.amountMinor <= 0) return;
  s.paymentRefs.push(e.reference);
  s.paymentAmounts = { ...s.paymentAmounts, [e.reference]: e.amountMinor };
  record(run, t, 'payment', { amount: money(s, e.amountMinor), reference: e.reference, ...sourceOf(e) });
  s.creditMinor += applyToOldest(s, e.amountMinor);
  s.unansweredContacts = 0;
  if (s.promise) s.promise.paidSinceMinor += e.amountMinor;
  if (s.plan) s.plan.paidSinceMinor += e.amountMinor;
  if (balanceOf(s) === 0) {
    // Settling the whole balance honours any promise at once instead of waiting for its deadline.
    const p = s.promise;
    if (p) {
      s.promise = null;
      record(run, t, 'promise_kept', {
        amount: money(s, p.amountMinor),
        dueDate: p.dueDate,
        paid: money(s, p.paidSinceMinor),
      });
    }
    s.plan = null;
    closeIfSettled(run, t);
  }
}

/**
 * Gives back what a payment had settled, the inverse of applyToOldest: unapplied credit first, then the
 * invoices paid last (latest due date first). Returns what could be given back.
 */
function restoreNewest(s: AccountState, amountMinor: number): number {
  let left = amountMinor;
  const fromCredit = Math.min(left, s.creditMinor);
  s.creditMinor -= fromCredit;
  left -= fromCredit;
  const ordered = s.invoices
    .map((invoice, position) => ({ invoice, position }))
    .filter(({ invoice }) => invoice.openMinor < invoice.amountMinor)
    .sort((a, b) => b.invoice.dueDate.localeCompare(a.invoice.dueDate) || b.position - a.position);
  for (const { invoice } of ordered) {
    if (left <= 0) break;
    const restored = Math.min(left, invoice.amountMinor - invoice.openMinor);
    invoice.openMinor += restored;
    left -= restored;
  }
  refreshAnchor(s);
  return amountMinor - left;
}

/**
 * A refund or chargeback takes a booked payment back: the balance goes up again, promises and plans count
 * net payments, and an account the payment had closed is collected again. Unknown payments, repeated
 * reversals and amounts above what is left of the payment change nothing beyond that payment.
 */
function applyReversal(run: Run, e: Extract<EngineEvent, { type: 'payment_reversed' }>, t: number): void {
  const { s } = run;
  const id = e.reversalId ?? e.reference;
  if (!s.paymentRefs.includes(e.reference) || s.reversals?.includes(id)) return;
  if (!Number.isSafeInteger(e.amountMinor) || e.amountMinor <= 0) return;
  const standing = s.paymentAmounts?.[e.reference];
  const amount = standing === undefined ? e.amountMinor : Math.min(e.amountMinor, standing);
  if (amount <= 0) return;
  s.reversals = [...(s.reversals ?? []), id];
  if (standing !== undefined) s.paymentAmounts = { ...s.paymentAmounts, [e.reference]: standing - amount };
  restoreNewest(s, amount);
  if (s.promise) s.promise.paidSinceMinor = Math.max(0, s.promise.paidSinceMinor - amount);
  if (s.plan) s.plan.paidSinceMinor = Math.max(0, s.plan.paidSinceMinor - amount);
  record(run, t, 'payment_reversed', {
    amount: money(s, amount),
    reference: e.reference,
    ...(e.reversalId ? { reversalId: e.reversalId } : {}),
    ...sourceOf(e),
  });
  if (s.closed !== null && balanceOf(s) > 0) {
    // The money that closed the account is gone: the debt is owed again and collection picks up where it was.
    s.closed = null;
    record(run, t, 'reopened', { reason: 'payment_reversed' });
  }
}

function applyInvoice(run: Run, e: InvoiceEvent, t: number): void {
  const { s } = run;
  if (e.currency !== s.currency || s.invoices.some((i) => i.externalId === e.externalId)) return;
  if (!Number.isSafeInteger(e.amountMinor) || e.amountMinor <= 0) return;
  if (s.closed !== null) {
    // The invoice was accepted for this account while it was settling: the debt is owed again.
    s.closed = null;
    record(run, t, 'reopened', { reason: 'invoice' });
  }
  s.invoices.push({
    externalId: e.externalId,
    amountMinor: e.amountMinor,
    openMinor: e.amountMinor,
    dueDate: e.dueDate,
    kind: 'invoice',
  });
  if (s.creditMinor > 0) {
    const credit = s.creditMinor;
    s.creditMinor = applyToOldest(s, credit);
  }
  refreshAnchor(s);
}

/** Where the debtor acted (the portal), on the timeline entry; nothing for the API's own requests. */
function sourceOf(e: { source?: string }): { source?: string } {
  return e.source ? { source: e.source } : {};
}

function applyPromise(run: Run, e: Extract<EngineEvent, { type: 'promise' }>, t: number): void {
  const { ctx, s } = run;
  const verdict = checkPromise(ctx, s, e, t);
  if (!verdict.ok) {
    record(run, t, 'promise_rejected', {
      reason: verdict.reason,
      amount: money(s, e.amountMinor),
      dueDate: e.dueDate,
      ...(verdict.minimumMinor !== undefined ? { minimum: money(s, verdict.minimumMinor) } : {}),
      ...sourceOf(e),
    });
    return;
  }
  dropPending(run);
  const id = agreementId('promise', t);
  s.promise = { id, amountMinor: e.amountMinor, dueDate: e.dueDate, acceptedAt: t, paidSinceMinor: 0 };
  s.unansweredContacts = 0;
  record(run, t, 'promise_accepted', {
    promiseId: id,
    amount: money(s, e.amountMinor),
    dueDate: e.dueDate,
    ...sourceOf(e),
  });
}

function applyPlan(run: Run, e: Extract<EngineEvent, { type: 'plan' }>, t: number): void {
  const { ctx, s } = run;
  const verdict = checkPlan(ctx, s, e, t);
  if (!verdict.ok) {
    record(run, t, 'plan_rejected', {
      reason: verdict.reason,
      ...(verdict.minimumMinor !== undefined ? { minimum: money(s, verdict.minimumMinor) } : {}),
      ...sourceOf(e),
    });
    return;
  }
  const balance = balanceOf(s);
  const interestMinor = planInterest(ctx, balance, e.installments);
  const totalMinor = e.installments.reduce((sum, i) => sum + i.amountMinor, 0);
  const last = e.installments[e.installments.length - 1];
  if (interestMinor > 0 && last) {
    // Interest becomes part of the balance so that paying every installment settles the account.
    s.invoices.push({
      externalId: `plan-interest-${t}`,
      amountMinor: interestMinor,
      openMinor: interestMinor,
      dueDate: last.dueDate,
      kind: 'interest',
    });
  }
  dropPending(run);
  const id = agreementId('plan', t);
  s.plan = {
    id,
    installments: e.installments.map((i) => ({ ...i })),
    totalMinor,
    interestMinor,
    acceptedAt: t,
    paidSinceMinor: 0,
    nextCheck: 0,
  };
  s.unansweredContacts = 0;
  record(run, t, 'plan_accepted', {
    planId: id,
    installments: e.installments.map((i) => ({ amount: money(s, i.amountMinor), dueDate: i.dueDate })),
    total: money(s, totalMinor),
    interest: money(s, interestMinor),
    ...sourceOf(e),
  });
}

function applyDisputeResolved(run: Run, e: Extract<EngineEvent, { type: 'dispute_resolved' }>, t: number): void {
  const { s } = run;
  const dispute = s.dispute;
  if (!dispute) return;
  s.dispute = null;
  const adjustment =
    e.outcome === 'upheld' && e.adjustmentMinor && e.adjustmentMinor > 0
      ? Math.min(e.adjustmentMinor, balanceOf(s))
      : 0;
  record(run, t, 'dispute_resolved', {
    outcome: e.outcome,
    ...(adjustment > 0 ? { adjustment: money(s, adjustment) } : {}),
  });
  if (adjustment > 0) {
    applyToOldest(s, adjustment, dispute.invoiceExternalId);
    closeIfSettled(run, t);
  }
}

/** A supervisor writes off part or all of the balance; nothing left closes the account `written_off`. */
function applyWriteOff(run: Run, e: Extract<EngineEvent, { type: 'write_off' }>, t: number): void {
  const { s } = run;
  const amount = Math.min(e.amountMinor, balanceOf(s));
  if (!Number.isSafeInteger(amount) || amount <= 0) return;
  record(run, t, 'written_off', { amount: money(s, amount), reason: e.reason });
  applyToOldest(s, amount);
  if (balanceOf(s) === 0) {
    s.promise = null;
    s.plan = null;
    close(run, t, 'written_off');
  }
}

/** The account's first invoices open it: `opened` carries the balance placed in collection (KPIs' `placed`). */
function applyInvoices(run: Run, invoices: InvoiceEvent[], t: number): void {
  const opening = run.s.invoices.length === 0;
  for (const invoice of invoices) applyInvoice(run, invoice, t);
  if (opening && run.s.invoices.length > 0) record(run, t, 'opened', { amount: money(run.s, balanceOf(run.s)) });
}

/** Money and invoices count whatever collection is doing; the rest only while the account is open. */
const AFTER_CLOSING = new Set<EngineEvent['type']>(['payment', 'payment_reversed', 'invoice', 'invoices']);

export function applyEvent(run: Run, event: EngineEvent, t: number): void {
  const { s } = run;
  if (s.closed !== null && !AFTER_CLOSING.has(event.type)) return;
  switch (event.type) {
    case 'tick':
      return;
    case 'invoice':
    case 'invoices':
      return applyInvoices(run, event.type === 'invoice' ? [event] : event.invoices, t);
    case 'write_off':
      return applyWriteOff(run, event, t);
    case 'recall':
      recall(run, t);
      return;
    case 'payment':
      return applyPayment(run, event, t);
    case 'payment_reversed':
      return applyReversal(run, event, t);
    case 'promise':
      return applyPromise(run, event, t);
    case 'plan':
      return applyPlan(run, event, t);
    case 'dispute':
      if (s.dispute) return;
      dropPending(run);
      s.dispute = {
        reason: event.reason,
        openedAt: t,
        ...(event.invoiceExternalId ? { invoiceExternalId: event.invoiceExternalId } : {}),
      };
      record(run, t, 'dispute_opened', {
        reason: event.reason,
        ...(event.invoiceExternalId ? { invoiceExternalId: event.invoiceExternalId } : {}),
        ...sourceOf(event),
      });
      return;
    case 'dispute_resolved':
      return applyDisputeResolved(run, event, t);
    case 'pause':
      if (s.paused) return;
      dropPending(run);
      s.paused = true;
      record(run, t, 'paused');
      return;
    case 'resume':
      if (!s.paused) return;
      s.paused = false;
      record(run, t, 'resumed');
      return;
    case 'opt_out':
      if (!s.optedOut.includes(event.channel)) s.optedOut.push(event.channel);
      return;
    case 'send_failed':
      if (!s.unavailable.includes(event.channel)) s.unavailable.push(event.channel);
      return;
    case 'send_refused':
      return fallBackAfterRefusal(run, event, t);
    case 'contact_outcome':
      record(run, t, 'contact_outcome', { channel: event.channel, outcome: event.outcome });
      if (RIGHT_PARTY_OUTCOMES.has(event.outcome)) {
        s.unansweredContacts = 0;
        s.lastConversationAt[event.channel] = t;
      }
      return;
    case 'reply':
      // The reply's text stays out of the timeline (and so out of the ledger): it may carry personal data.
      record(run, t, 'reply', { channel: event.channel });
      s.unansweredContacts = 0;
      if (STOP_WORDS.test(event.text) && !s.optedOut.includes(event.channel)) s.optedOut.push(event.channel);
      return;
  }
}
