// "What happens next?" for an agent: the actions the core has planned for an account from its state, each
// with its expected instant and the reason, and the compliance rules a contact on a channel is checked against.
import { addDays, isoLocal } from './calendar';
import { planDeadline, promiseDeadline } from './agreements';
import { CAP_REASON, nextAllowedInstant } from './compliance';
import { nextStageEntry, scheduledStageAt, unhandledSteps } from './schedule';
import { collectionEnded, currentStage, dayAt, money, oldestUnpaidDue, onHold, stepsWaiting } from './state';
import { resolveChannel } from './steps';
import type { AccountState, EngineContext, NormalizedStep } from './types';

export interface PlannedAction {
  /** `message`, `task`, `stage_entered`, `promise_deadline`, `plan_deadline`, `escalation`, `paused`, `disputed`. */
  type: string;
  channel: string | null;
  /** ISO instant with the debtor's offset; null when it depends on something still to happen. */
  at: string | null;
  reason: string;
}

/**
 * The rules a contact on `channel` is checked against before it is made, named as the reasons a blocked one
 * is deferred or skipped with (so a reader matches a deferral's rule to this list).
 */
export function rulesChecked(ctx: EngineContext, channel: string): string[] {
  const rules = ['opted_out', 'no_address', 'outside_window'];
  if (ctx.pack.noContactOnHolidays) rules.push('holiday');
  const inGroup = (group: readonly string[] | '*') => group === '*' || group.includes(channel);
  for (const cap of ctx.pack.caps) if (inGroup(cap.channels)) rules.push(CAP_REASON[cap.period]);
  if (ctx.strategy.contact.maxPerDay !== undefined) rules.push(CAP_REASON.day);
  if (ctx.strategy.contact.maxPerWeek?.[channel] !== undefined) rules.push(CAP_REASON.week);
  if (ctx.pack.minDaysApart?.channels.includes(channel)) rules.push('min_days_between');
  if (ctx.pack.oneChannelPerWeek) rules.push('one_channel_per_week');
  if (ctx.pack.quietAfterConversation?.channels.includes(channel)) rules.push('after_conversation');
  if ((ctx.pack.minHoursBetween ?? 0) > 0 || (ctx.strategy.contact.minHoursBetween ?? 0) > 0)
    rules.push('min_hours_between');
  return [...new Set(rules)];
}

const whenText = (step: NormalizedStep) =>
  step.when
    ? ` if ${Object.entries(step.when)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join(' and ')}`
    : '';

function stepActions(ctx: EngineContext, s: AccountState, now: number, before: number | null): PlannedAction[] {
  const stage = currentStage(ctx, s);
  if (!stage) return [];
  const actions: PlannedAction[] = [];
  const pending = s.pending;
  if (pending) {
    const step = ctx.strategy.stages.find((st) => st.id === pending.stageId)?.steps[pending.stepIndex];
    const deferral = s.timeline.findLast((e) => e.type === 'deferred' && e.key === pending.key);
    const rule = typeof deferral?.reason === 'string' ? deferral.reason : 'compliance';
    const until = isoLocal(Math.max(pending.until, now), ctx.zone);
    actions.push({
      type: step?.action ?? 'message',
      channel: pending.channel,
      at: until,
      reason: `deferred: ${rule} until ${until} (step ${pending.stageId}/${pending.stepIndex})`,
    });
  }
  const anchor = oldestUnpaidDue(s);
  for (const due of unhandledSteps(ctx, s)) {
    // Steps of this stage past the next stage entry never run here: the account will have moved on.
    if (before !== null && due.at >= before) break;
    const step = stage.steps[due.index];
    if (!step) continue;
    const day = step.day + s.stageShift;
    const on = anchor ? ` (${addDays(anchor, day)})` : '';
    const what = `step ${stage.id}/${due.index} (${step.channel}) due on day ${day}${on}${whenText(step)}`;
    const resolved = resolveChannel(s, step);
    if ('skip' in resolved) {
      actions.push({
        type: step.action,
        channel: step.channel,
        at: isoLocal(Math.max(due.at, now), ctx.zone),
        reason: `${what}: will be skipped (${resolved.skip})`,
      });
      continue;
    }
    const from = Math.max(due.at, now);
    const allowed = nextAllowedInstant(ctx, s, resolved.channel, from);
    const by = resolved.channel !== step.channel ? ` by fallback ${resolved.channel}` : '';
    const moved = allowed !== null && allowed !== from ? `, first allowed at ${isoLocal(allowed, ctx.zone)}` : '';
    actions.push({
      type: step.action,
      channel: resolved.channel,
      at: isoLocal(allowed ?? from, ctx.zone),
      reason: `${what}${by}${moved}`,
    });
  }
  return actions;
}

function agreementActions(ctx: EngineContext, s: AccountState): PlannedAction[] {
  const actions: PlannedAction[] = [];
  const promiseAt = promiseDeadline(ctx, s);
  if (s.promise && promiseAt !== null) {
    actions.push({
      type: 'promise_deadline',
      channel: null,
      at: isoLocal(promiseAt, ctx.zone),
      reason:
        `promise deadline: ${money(s, s.promise.amountMinor)} due ${s.promise.dueDate} ` +
        `(+${ctx.strategy.promise.graceDays} grace days), ${money(s, s.promise.paidSinceMinor)} paid so far; ` +
        'kept or broken then, steps wait until it is judged',
    });
  }
  const planAt = planDeadline(ctx, s);
  const installment = s.plan?.installments[s.plan.nextCheck];
  if (s.plan && installment && planAt !== null) {
    actions.push({
      type: 'plan_deadline',
      channel: null,
      at: isoLocal(planAt, ctx.zone),
      reason:
        `plan installment ${s.plan.nextCheck + 1} of ${s.plan.installments.length}: ` +
        `${money(s, installment.amountMinor)} due ${installment.dueDate} (+${ctx.strategy.plan.graceDays} grace days)`,
    });
  }
  return actions;
}

function escalationActions(ctx: EngineContext, s: AccountState): PlannedAction[] {
  return ctx.strategy.escalations.flatMap((rule) => {
    const index = ctx.strategy.stages.findIndex((stage) => stage.id === rule.goTo);
    if (index <= s.stageIndex) return [];
    const now = { brokenPromises: s.brokenPromises, unansweredContacts: s.unansweredContacts } as const;
    const conditions = Object.entries(rule.when).map(([k, v]) => {
      const current = k in now ? ` (now ${now[k as keyof typeof now]})` : '';
      return `${k} ${String(v)}${current}`;
    });
    return [
      {
        type: 'escalation',
        channel: null,
        at: null,
        reason: `escalation to ${rule.goTo} when ${conditions.join(' and ')}`,
      },
    ];
  });
}

/** Next planned actions, soonest first (those whose time is not known yet last). */
export function plannedActions(ctx: EngineContext, s: AccountState, now: number): PlannedAction[] {
  if (s.closed !== null) return [];
  if (collectionEnded(s)) {
    return [{ type: 'handoff', channel: null, at: null, reason: `handed off (${s.handoff}): no automated contact` }];
  }
  const actions: PlannedAction[] = [...agreementActions(ctx, s)];
  if (onHold(s)) {
    actions.push(
      s.dispute
        ? { type: 'disputed', channel: null, at: null, reason: 'dispute open: nothing is sent until it is resolved' }
        : { type: 'paused', channel: null, at: null, reason: 'paused by a supervisor: nothing is sent until resumed' },
    );
  }
  const stageAt = nextStageEntry(ctx, s);
  const target = stageAt === null ? null : scheduledStageAt(ctx, s, stageAt);
  const stage = target === null ? undefined : ctx.strategy.stages[target];
  if (stageAt !== null && stage) {
    const handoff = stage.terminal ? ` (hands off: ${stage.terminal})` : '';
    actions.push({
      type: 'stage_entered',
      channel: null,
      at: isoLocal(Math.max(stageAt, now), ctx.zone),
      reason: `stage ${stage.id} by schedule on day ${dayAt(ctx, s, stageAt)}${handoff}`,
    });
  }
  if (!stepsWaiting(s)) actions.push(...stepActions(ctx, s, now, stage ? stageAt : null));
  actions.push(...escalationActions(ctx, s));
  const key = (a: PlannedAction) => (a.at === null ? Number.POSITIVE_INFINITY : Date.parse(a.at));
  return actions
    .map((a, i) => ({ a, i }))
    .sort((x, y) => key(x.a) - key(y.a) || x.i - y.i)
    .map(({ a }) => a);
}
