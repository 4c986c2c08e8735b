// Stage movement: forward only, by schedule (fromDay) or by escalation to the furthest target.
import { parseMinor } from './money';
import { balanceOf, close, dayAt, record, terminalBlocked } from './state';
import type { Run } from './state';
import { scheduledStageAt } from './schedule';
import type { EscalationCondition } from './types';

export function enterStage(run: Run, index: number, t: number, reason: 'schedule' | 'escalation'): void {
  const { ctx, s } = run;
  const stage = ctx.strategy.stages[index];
  if (!stage || index <= s.stageIndex) return;
  // Escalation on day d shifts the stage's steps so its fromDay step fires on d.
  s.stageShift = reason === 'escalation' ? dayAt(ctx, s, t) - stage.fromDay : 0;
  s.stageIndex = index;
  s.handledSteps = [];
  record(run, t, 'stage_entered', { reason });
  if (stage.terminal) close(run, t, stage.terminal);
}

export function enterScheduledStage(run: Run, t: number): boolean {
  if (run.s.closed !== null) return false;
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
  if (s.closed !== null) return false;
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
