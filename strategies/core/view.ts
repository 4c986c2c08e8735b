// A summary of an account for the API and agents' screens.
import { isoLocal } from './calendar';
import { nextAllowedInstant } from './compliance';
import { unhandledSteps } from './schedule';
import { balanceOf, currentStage, dayAt, money, onHold, stepsWaiting } from './state';
import { resolveChannel } from './steps';
import type { AccountState, EngineContext } from './types';

export interface NextAction {
  type: 'message' | 'task';
  channel: string;
  at: string;
}

export interface AccountView {
  status: string;
  stage: string;
  balanceMinor: number;
  balance: string;
  currency: string;
  day: number;
  daysPastDue: number;
  nextAction: NextAction | null;
  promise: { amount: string; dueDate: string; status: 'active'; paid: string } | null;
  plan: { installments: { amount: string; dueDate: string }[]; total: string; paid: string } | null;
  brokenPromises: number;
  unansweredContacts: number;
}

/**
 * Every status statusOf gives besides a hand-off, which is the entered terminal stage's own `terminal`
 * (e.g. "legal_handoff"): the list filters of the read model accept exactly these and the strategies' ones.
 */
export const ACCOUNT_STATUSES = ['active', 'paused', 'disputed', 'paid', 'written_off'] as const;

function statusOf(s: AccountState): string {
  if (s.closed !== null) return s.closed;
  if (s.handoff !== null) return s.handoff;
  if (s.dispute) return 'disputed';
  if (onHold(s)) return 'paused';
  return 'active';
}

function nextActionOf(ctx: EngineContext, s: AccountState, now: number): NextAction | null {
  if (stepsWaiting(s)) return null;
  const stage = currentStage(ctx, s);
  if (s.pending) {
    const step = ctx.strategy.stages.find((st) => st.id === s.pending?.stageId)?.steps[s.pending.stepIndex];
    return {
      type: step?.action ?? 'message',
      channel: s.pending.channel,
      at: isoLocal(Math.max(s.pending.until, now), ctx.zone),
    };
  }
  const next = unhandledSteps(ctx, s)[0];
  const step = next && stage?.steps[next.index];
  if (!next || !step) return null;
  const resolved = resolveChannel(s, step);
  if ('skip' in resolved) return null;
  const at = nextAllowedInstant(ctx, s, resolved.channel, Math.max(next.at, now)) ?? next.at;
  return { type: step.action, channel: resolved.channel, at: isoLocal(at, ctx.zone) };
}

export function toView(ctx: EngineContext, s: AccountState, now: number): AccountView {
  const balanceMinor = balanceOf(s);
  const day = dayAt(ctx, s, Math.max(now, s.openedAt));
  return {
    status: statusOf(s),
    stage: currentStage(ctx, s)?.id ?? 'none',
    balanceMinor,
    balance: money(s, balanceMinor),
    currency: s.currency,
    day,
    daysPastDue: Math.max(0, day),
    nextAction: nextActionOf(ctx, s, now),
    promise: s.promise && {
      amount: money(s, s.promise.amountMinor),
      dueDate: s.promise.dueDate,
      status: 'active',
      paid: money(s, s.promise.paidSinceMinor),
    },
    plan: s.plan && {
      installments: s.plan.installments.map((i) => ({ amount: money(s, i.amountMinor), dueDate: i.dueDate })),
      total: money(s, s.plan.totalMinor),
      paid: money(s, s.plan.paidSinceMinor),
    },
    brokenPromises: s.brokenPromises,
    unansweredContacts: s.unansweredContacts,
  };
}
