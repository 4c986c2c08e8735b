// When things come due: stage entries by schedule and step due instants, all in the debtor's local calendar.
import { addDays, localInstant, startOfLocalDay } from './calendar';
import { firstOpening } from './compliance';
import { oldestUnpaidDue, terminalBlocked } from './state';
import type { AccountState, EngineContext, NormalizedStage } from './types';

/** 00:00 local of the stage's fromDay counted from the oldest unpaid invoice. */
export function stageEntryInstant(ctx: EngineContext, s: AccountState, stage: NormalizedStage): number | null {
  const anchor = oldestUnpaidDue(s);
  return anchor === null ? null : startOfLocalDay(addDays(anchor, stage.fromDay), ctx.zone);
}

/**
 * Furthest later stage whose fromDay has been reached at t and that may be entered now. The current
 * stage's `minDays` holds the account; a reached stage with `minDays` of its own is entered rather than
 * passed over, so an account that opens late still goes through it (a backlog gets its pre-legal notice).
 */
export function scheduledStageAt(ctx: EngineContext, s: AccountState, t: number): number | null {
  if (s.stageHoldUntil !== null && t < s.stageHoldUntil) return null;
  const stages = ctx.strategy.stages;
  let target: number | null = null;
  for (let i = s.stageIndex + 1; i < stages.length; i++) {
    const stage = stages[i];
    if (!stage || (stage.terminal && terminalBlocked(s))) continue;
    const at = stageEntryInstant(ctx, s, stage);
    if (at === null || at > t) continue;
    target = i;
    if (stage.minDays !== undefined && stage.minDays > 0) break;
  }
  return target;
}

export function nextStageEntry(ctx: EngineContext, s: AccountState): number | null {
  const stages = ctx.strategy.stages;
  let best: number | null = null;
  for (let i = s.stageIndex + 1; i < stages.length; i++) {
    const stage = stages[i];
    if (!stage || (stage.terminal && terminalBlocked(s))) continue;
    const at = stageEntryInstant(ctx, s, stage);
    if (at !== null && (best === null || at < best)) best = at;
  }
  return best === null || s.stageHoldUntil === null ? best : Math.max(best, s.stageHoldUntil);
}

/**
 * A step comes due at its `time`, else at the first window opening of its day, else (no window
 * that day: Sunday, holiday) at 00:00 so it is recorded as deferred.
 */
export function stepDueInstant(
  ctx: EngineContext,
  s: AccountState,
  stage: NormalizedStage,
  stepIndex: number,
  shift: number,
): number | null {
  const step = stage.steps[stepIndex];
  const anchor = oldestUnpaidDue(s);
  if (!step || anchor === null) return null;
  const date = addDays(anchor, step.day + shift);
  if (step.time) return localInstant(date, step.time, ctx.zone);
  return firstOpening(ctx, date) ?? startOfLocalDay(date, ctx.zone);
}

export interface DueStep {
  index: number;
  at: number;
}

/** Unhandled steps of the current stage with their due instants, in due order then listed order. */
export function unhandledSteps(ctx: EngineContext, s: AccountState): DueStep[] {
  const stage = ctx.strategy.stages[s.stageIndex];
  if (!stage) return [];
  const result: DueStep[] = [];
  for (let i = 0; i < stage.steps.length; i++) {
    if (s.handledSteps.includes(i)) continue;
    const at = stepDueInstant(ctx, s, stage, i, s.stageShift);
    if (at !== null) result.push({ index: i, at });
  }
  return result.sort((a, b) => a.at - b.at || a.index - b.index);
}
