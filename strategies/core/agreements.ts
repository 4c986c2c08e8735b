// Promises to pay and payment plans: acceptance policy and deadline judgement.
import { addDays, localDate, startOfLocalDay } from './calendar';
import { isAtLeastPercent, minimumForPercent } from './money';
import { balanceOf, money, record, refreshAnchor } from './state';
import type { Run } from './state';
import type { AccountState, EngineContext, Verdict } from './types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function checkPromise(
  ctx: EngineContext,
  s: AccountState,
  p: { amountMinor: number; dueDate: string },
  now: number,
): Verdict {
  const policy = ctx.strategy.promise;
  const today = localDate(now, ctx.zone);
  const balance = balanceOf(s);
  if (s.closed !== null) return { ok: false, reason: 'account_closed' };
  if (s.handoff !== null) return { ok: false, reason: 'handed_off' };
  if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor <= 0) return { ok: false, reason: 'invalid_amount' };
  if (!DATE.test(p.dueDate)) return { ok: false, reason: 'invalid_due_date' };
  if (s.promise) return { ok: false, reason: 'promise_active' };
  if (s.plan) return { ok: false, reason: 'plan_active' };
  if (p.dueDate < today) return { ok: false, reason: 'due_date_in_past' };
  if (p.dueDate > addDays(today, policy.maxDaysAhead)) return { ok: false, reason: 'due_date_too_far' };
  if (p.amountMinor < balance && !isAtLeastPercent(p.amountMinor, balance, policy.minPercent))
    return { ok: false, reason: 'amount_too_low', minimumMinor: minimumForPercent(balance, policy.minPercent) };
  return { ok: true };
}

/**
 * Interest of a plan: simple monthly interest on the amount financed after the down payment
 * (the first installment), for as many months as there are installments after it:
 *   interest = ceil((balance − first) × monthlyInterestPercent / 100 × (n − 1)).
 */
export function planInterest(
  ctx: EngineContext,
  balanceMinor: number,
  installments: readonly { amountMinor: number }[],
): number {
  const basisPoints = BigInt(ctx.strategy.plan.monthlyInterestBasisPoints);
  const first = installments[0]?.amountMinor ?? 0;
  const financed = BigInt(Math.max(0, balanceMinor - first));
  const months = BigInt(Math.max(0, installments.length - 1));
  const numerator = financed * basisPoints * months;
  return Number((numerator + 9999n) / 10000n);
}

export function checkPlan(
  ctx: EngineContext,
  s: AccountState,
  plan: { installments: { amountMinor: number; dueDate: string }[] },
  now: number,
): Verdict {
  const policy = ctx.strategy.plan;
  const today = localDate(now, ctx.zone);
  const balance = balanceOf(s);
  const items = plan.installments;
  if (s.closed !== null) return { ok: false, reason: 'account_closed' };
  if (s.handoff !== null) return { ok: false, reason: 'handed_off' };
  if (s.promise) return { ok: false, reason: 'promise_active' };
  if (s.plan) return { ok: false, reason: 'plan_active' };
  const first = items[0];
  if (!first) return { ok: false, reason: 'no_installments' };
  if (items.length > policy.maxInstallments) return { ok: false, reason: 'too_many_installments' };
  if (items.some((i) => !Number.isSafeInteger(i.amountMinor) || i.amountMinor <= 0))
    return { ok: false, reason: 'invalid_amount' };
  if (items.some((i) => !DATE.test(i.dueDate))) return { ok: false, reason: 'invalid_due_date' };
  for (let i = 1; i < items.length; i++) {
    if ((items[i]?.dueDate ?? '') <= (items[i - 1]?.dueDate ?? ''))
      return { ok: false, reason: 'dates_not_increasing' };
  }
  if (first.dueDate < today) return { ok: false, reason: 'due_date_in_past' };
  if (first.dueDate > addDays(today, ctx.strategy.promise.maxDaysAhead))
    return { ok: false, reason: 'first_installment_too_late' };
  if (first.amountMinor < balance && !isAtLeastPercent(first.amountMinor, balance, policy.minDownPaymentPercent))
    return {
      ok: false,
      reason: 'down_payment_too_low',
      minimumMinor: minimumForPercent(balance, policy.minDownPaymentPercent),
    };
  const total = items.reduce((sum, i) => sum + i.amountMinor, 0);
  const owed = balance + planInterest(ctx, balance, items);
  if (total < owed) return { ok: false, reason: 'total_too_low', minimumMinor: owed };
  return { ok: true };
}

export function promiseDeadline(ctx: EngineContext, s: AccountState): number | null {
  if (!s.promise) return null;
  return startOfLocalDay(addDays(s.promise.dueDate, ctx.strategy.promise.graceDays + 1), ctx.zone);
}

export function planDeadline(ctx: EngineContext, s: AccountState): number | null {
  const installment = s.plan?.installments[s.plan.nextCheck];
  if (!installment) return null;
  return startOfLocalDay(addDays(installment.dueDate, ctx.strategy.plan.graceDays + 1), ctx.zone);
}

/** Interest is earned only while the plan runs: a broken plan cancels the interest not yet paid. */
function cancelPlanInterest(s: AccountState): void {
  for (const invoice of s.invoices) if (invoice.kind === 'interest') invoice.openMinor = 0;
  refreshAnchor(s);
}

/**
 * Judges a promise or plan installment whose deadline has been reached, on its own day even during a
 * pause or dispute (nothing is sent then, but the broken promise and its escalations date from it).
 * Returns true if anything changed.
 */
export function judgeDeadlines(run: Run, t: number): boolean {
  const { ctx, s } = run;
  const promiseAt = promiseDeadline(ctx, s);
  if (s.promise && promiseAt !== null && promiseAt <= t) {
    const p = s.promise;
    const kept = p.paidSinceMinor >= p.amountMinor;
    s.promise = null;
    if (!kept) s.brokenPromises += 1;
    record(run, t, kept ? 'promise_kept' : 'promise_broken', {
      amount: money(s, p.amountMinor),
      dueDate: p.dueDate,
      paid: money(s, p.paidSinceMinor),
    });
    return true;
  }
  const planAt = planDeadline(ctx, s);
  const plan = s.plan;
  if (plan && planAt !== null && planAt <= t) {
    const index = plan.nextCheck;
    const dueSoFar = plan.installments.slice(0, index + 1).reduce((sum, i) => sum + i.amountMinor, 0);
    if (plan.paidSinceMinor >= dueSoFar) {
      plan.nextCheck += 1;
      // Every installment honoured yet something is still owed (an invoice added meanwhile): collect it normally.
      if (plan.nextCheck >= plan.installments.length) s.plan = null;
      return true;
    }
    s.plan = null;
    s.brokenPromises += 1;
    cancelPlanInterest(s);
    record(run, t, 'plan_broken', {
      installment: index + 1,
      dueDate: plan.installments[index]?.dueDate,
      expected: money(s, dueSoFar),
      paid: money(s, plan.paidSinceMinor),
    });
    return true;
  }
  return false;
}
