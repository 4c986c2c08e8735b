// Stage movement: forward only, by schedule (fromDay) or by escalation to the furthest target.
import { parseMinor } from './money';
import { addDays, localDate, startOfLocalDay } from './calendar';
import { balanceOf, collectionEnded, dayAt, handOff, record, terminalBlocked } from './state';
import type { Run } from './state';
import { scheduledStageAt } from './schedule';
import type { EscalationCondition } from './types';

/** Days a recalled account stays in its pre-legal stage when that stage sets no `minDays`. */
export const RECALL_HOLD_DAYS = 30;

export function enterStage(
  run: Run,
  index: number,
  t: number,
  reason: 'schedule' | 'escalation' | 'recall',
  holdDays?: number,
): void {
  const { ctx, s } = run;
  const stage = ctx.strategy.stages[index];
  if (!stage || (index <= s.stageIndex && reason !== 'recall')) return;
  const day = dayAt(ctx, s, t);
  // Escalation (or a recall) on day d shifts the stage's steps so its fromDay step fires on d. A stage that
  // holds the account (minDays) and is entered late by schedule is played from its start too: a backlog
  // gets that stage's first contact (the pre-legal notice) before it can move on.
  const late = reason === 'schedule' && stage.minDays !== undefined && stage.minDays > 0;
  s.stageShift = reason !== 'schedule' ? day - stage.fromDay : late ? Math.max(0, day - stage.fromDay) : 0;
  s.stageIndex = index;
  s.stageVisit = 1 + s.timeline.filter((e) => e.type === 'stage_entered' && e.stage === stage.id).length;
  s.handledSteps = [];
  const days = holdDays ?? stage.minDays;
  s.stageHoldUntil = days ? startOfLocalDay(addDays(localDate(t, ctx.zone), days), ctx.zone) : null;
  record(run, t, 'stage_entered', { reason });
  if (stage.terminal) handOff(run, t, stage.terminal);
}

export function enterScheduledStage(run: Run, t: number): boolean {
  if (collectionEnded(run.s)) return false;
  const target = scheduledStageAt(run.ctx, run.s, t);
  if (target === null) return false;
  enterStage(run, target, t, 'schedule');
  return true;
}

function holds(run: Run, when: EscalationCondition, t: number): boolean {
  const { ctx, s } = run;
  if (when.brokenPromises !== undefined && s.brokenPromises < when.brokenPromises) return false;
  if (when.unansweredContacts !== undefined && s.unansweredContacts < when.unansweredContacts) return false;
  if (when.minDaysPastDue !== undefined && dayAt(ctx, s, t) < when.minDaysPastDue) return false;
  if (when.minBalance !== undefined) {
    const min = parseMinor(when.minBalance, s.currencyDigits);
    if (min !== null && balanceOf(s) < min) return false;
  }
  return true;
}

/** Moves to the furthest stage among the escalation rules that hold now. */
export function escalate(run: Run, t: number): boolean {
  const { ctx, s } = run;
  if (collectionEnded(s)) return false;
  let target = -1;
  for (const rule of ctx.strategy.escalations) {
    const index = ctx.strategy.stages.findIndex((stage) => stage.id === rule.goTo);
    const stage = ctx.strategy.stages[index];
    if (!stage || index <= s.stageIndex || index <= target) continue;
    if (stage.terminal && terminalBlocked(s)) continue;
    if (holds(run, rule.when, t)) target = index;
  }
  if (target < 0) return false;
  enterStage(run, target, t, 'escalation');
  return true;
}

/** A handed-off account returns to the last non-terminal stage before its terminal one, held there a while. */
export function recall(run: Run, t: number): boolean {
  const { ctx, s } = run;
  if (s.closed !== null || s.handoff === null) return false;
  let target = s.stageIndex - 1;
  while (target >= 0 && ctx.strategy.stages[target]?.terminal) target -= 1;
  const stage = ctx.strategy.stages[target];
  if (!stage) return false;
  s.handoff = null;
  enterStage(run, target, t, 'recall', stage.minDays ?? RECALL_HOLD_DAYS);
  return true;
}
