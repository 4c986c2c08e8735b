// Account state construction, copy-on-decide and the small queries every rule needs.
import { daysBetween, isoLocal, localDate } from './calendar';
import { currencyDigits, formatMinor } from './money';
import type { AccountState, Command, EngineContext, NormalizedStage, TimelineEntry } from './types';

export function initialState(args: {
  accountId: string;
  currency: string;
  channels: { email: boolean; whatsapp: boolean } & Record<string, boolean>;
  openedAt: number;
}): AccountState {
  // A phone number serves WhatsApp, SMS and calls; visits and letters need no electronic address.
  const phone = args.channels.whatsapp;
  return {
    accountId: args.accountId,
    currency: args.currency,
    currencyDigits: currencyDigits(args.currency),
    channels: { sms: phone, call: phone, visit: true, letter: true, ...args.channels },
    openedAt: args.openedAt,
    clock: args.openedAt,
    closed: null,
    handoff: null,
    stageHoldUntil: null,
    invoices: [],
    creditMinor: 0,
    paymentRefs: [],
    anchorDueDate: null,
    stageIndex: -1,
    stageShift: 0,
    handledSteps: [],
    pending: null,
    contacts: [],
    lastConversationAt: {},
    optedOut: [],
    unavailable: [],
    unansweredContacts: 0,
    brokenPromises: 0,
    promise: null,
    plan: null,
    dispute: null,
    paused: false,
    timeline: [],
  };
}

/** decide() never mutates its input: the workflow may keep the previous state for queries. */
export function cloneState(s: AccountState): AccountState {
  return {
    ...s,
    channels: { ...s.channels },
    invoices: s.invoices.map((i) => ({ ...i })),
    paymentRefs: s.paymentRefs.slice(),
    ...(s.paymentAmounts ? { paymentAmounts: { ...s.paymentAmounts } } : {}),
    ...(s.reversals ? { reversals: s.reversals.slice() } : {}),
    handledSteps: s.handledSteps.slice(),
    pending: s.pending && { ...s.pending },
    contacts: s.contacts.slice(),
    ...(s.debtorContacts ? { debtorContacts: s.debtorContacts.slice() } : {}),
    lastConversationAt: { ...s.lastConversationAt },
    optedOut: s.optedOut.slice(),
    unavailable: s.unavailable.slice(),
    promise: s.promise && { ...s.promise },
    plan: s.plan && { ...s.plan, installments: s.plan.installments.map((i) => ({ ...i })) },
    dispute: s.dispute && { ...s.dispute },
    timeline: s.timeline.slice(),
  };
}

/** One decide() call: the state being built plus what it emits. */
export interface Run {
  ctx: EngineContext;
  s: AccountState;
  commands: Command[];
  timeline: TimelineEntry[];
}

export function balanceOf(s: AccountState): number {
  let total = 0;
  for (const invoice of s.invoices) total += invoice.openMinor;
  return total;
}

/** Due date of the oldest unpaid invoice (plan interest lines only when nothing else is open). */
export function oldestUnpaidDue(s: AccountState): string | null {
  let oldest: string | null = null;
  let oldestInterest: string | null = null;
  for (const invoice of s.invoices) {
    if (invoice.openMinor <= 0) continue;
    if (invoice.kind === 'interest') {
      if (oldestInterest === null || invoice.dueDate < oldestInterest) oldestInterest = invoice.dueDate;
    } else if (oldest === null || invoice.dueDate < oldest) oldest = invoice.dueDate;
  }
  return oldest ?? oldestInterest;
}

export function refreshAnchor(s: AccountState): void {
  s.anchorDueDate = oldestUnpaidDue(s) ?? s.anchorDueDate;
}

/** Calendar days past due in the debtor's zone; 0 is the due date. */
export function dayAt(ctx: EngineContext, s: AccountState, t: number): number {
  const anchor = oldestUnpaidDue(s) ?? s.anchorDueDate;
  return anchor === null ? 0 : daysBetween(anchor, localDate(t, ctx.zone));
}

export function currentStage(ctx: EngineContext, s: AccountState): NormalizedStage | undefined {
  return s.stageIndex >= 0 ? ctx.strategy.stages[s.stageIndex] : undefined;
}

export function money(s: AccountState, minor: number): string {
  return formatMinor(minor, s.currencyDigits);
}

export function record(run: Run, t: number, type: string, extra: Record<string, unknown> = {}): void {
  const entry: TimelineEntry = {
    at: isoLocal(t, run.ctx.zone),
    day: dayAt(run.ctx, run.s, t),
    stage: currentStage(run.ctx, run.s)?.id ?? 'none',
    type,
    ...extra,
  };
  run.s.timeline.push(entry);
  run.timeline.push(entry);
}

/** Paused by a supervisor or by an open dispute: nothing is sent (deadlines are still judged on their own day). */
export function onHold(s: AccountState): boolean {
  return s.paused || s.dispute !== null;
}

/** Closed, or handed off: no automated contact and no stage movement any more. */
export function collectionEnded(s: AccountState): boolean {
  return s.closed !== null || s.handoff !== null;
}

/** Steps wait during holds, promises and plans, and never run again once collection ended. */
export function stepsWaiting(s: AccountState): boolean {
  return collectionEnded(s) || onHold(s) || s.promise !== null || s.plan !== null;
}

/** One id per agreement, from the instant it was accepted: the Update, the view and the timeline agree. */
export function agreementId(kind: 'promise' | 'plan', acceptedAt: number): string {
  return `${kind}-${acceptedAt}`;
}

/** A terminal stage is never entered over an active commitment, dispute or supervisor pause. */
export function terminalBlocked(s: AccountState): boolean {
  return onHold(s) || s.promise !== null || s.plan !== null;
}

/** Hands the account off (terminal stage): automated contact ends, money keeps counting. */
export function handOff(run: Run, t: number, status: string): void {
  run.s.pending = null;
  run.s.handoff = status;
  record(run, t, 'closed', { status });
  run.commands.push({ type: 'close', status });
}

/**
 * Drops the deferred action when collection stops waiting on something else; its step becomes
 * unhandled again so catch-up can still run it when collection resumes.
 */
export function dropPending(run: Run): void {
  const pending = run.s.pending;
  if (!pending) return;
  const stage = currentStage(run.ctx, run.s);
  if (stage?.id === pending.stageId) run.s.handledSteps = run.s.handledSteps.filter((i) => i !== pending.stepIndex);
  run.s.pending = null;
}

export function close(run: Run, t: number, status: string): void {
  if (run.s.closed === status) return;
  run.s.pending = null;
  run.s.handoff = null;
  run.s.closed = status;
  record(run, t, 'closed', { status });
  run.commands.push({ type: 'close', status });
}
