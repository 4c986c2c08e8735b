// decide(): the single entry point that moves an account through time and events.
// Order at one instant: deadlines and stage entries that are due, then the external event,
// then the steps coming due at that instant (in listed order), re-checking escalations after each.
import { judgeDeadlines, planDeadline, promiseDeadline } from './agreements';
import { applyEvent } from './events';
import { nextStageEntry, unhandledSteps } from './schedule';
import { enterScheduledStage, escalate } from './stages';
import { cloneState, collectionEnded, stepsWaiting } from './state';
import type { Run } from './state';
import { runSteps } from './steps';
import type { AccountState, Decision, EngineContext, EngineEvent } from './types';

/** Upper bound on rule applications at one instant; real strategies need a handful. */
const MAX_ROUNDS = 200;

/** Applies every rule that is due at t until nothing changes. */
function settle(run: Run, t: number): void {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (collectionEnded(run.s)) return;
    let changed = judgeDeadlines(run, t);
    changed = enterScheduledStage(run, t) || changed;
    changed = escalate(run, t) || changed;
    if (collectionEnded(run.s)) return;
    changed = runSteps(run, t) || changed;
    if (!changed) return;
  }
}

function minOf(values: (number | null | undefined)[]): number | null {
  let best: number | null = null;
  for (const v of values) if (v !== null && v !== undefined && (best === null || v < best)) best = v;
  return best;
}

/** The next instant at which the core has something to do without any external event. */
export function nextWakeAt(ctx: EngineContext, state: AccountState): number | null {
  if (collectionEnded(state)) return null;
  // Deadlines are judged on their own day, even while collection is on hold.
  const candidates: (number | null)[] = [
    nextStageEntry(ctx, state),
    promiseDeadline(ctx, state),
    planDeadline(ctx, state),
  ];
  if (!stepsWaiting(state)) {
    candidates.push(state.pending?.until ?? null);
    candidates.push(unhandledSteps(ctx, state)[0]?.at ?? null);
  }
  const next = minOf(candidates);
  return next === null ? null : Math.max(next, state.clock);
}

/** Processes every wake-up before `limit` (or up to and including it). */
function advance(run: Run, limit: number, inclusive: boolean): void {
  let lastWake = Number.NEGATIVE_INFINITY;
  let repeats = 0;
  for (;;) {
    const wake = nextWakeAt(run.ctx, run.s);
    if (wake === null || wake > limit || (!inclusive && wake >= limit)) return;
    // A wake-up that produces no progress would loop forever; stop rather than spin.
    repeats = wake === lastWake ? repeats + 1 : 0;
    if (repeats > 2) return;
    lastWake = wake;
    run.s.clock = Math.max(run.s.clock, wake);
    settle(run, run.s.clock);
  }
}

export function decide(ctx: EngineContext, state: AccountState, event: EngineEvent, now: number): Decision {
  const s = cloneState(state);
  const run: Run = { ctx, s, commands: [], timeline: [] };
  const t = Math.max(now, s.clock);
  if (event.type === 'tick') {
    advance(run, t, true);
  } else {
    advance(run, t, false);
    s.clock = t;
    applyEvent(run, event, t);
    settle(run, t);
    advance(run, t, true);
  }
  s.clock = Math.max(s.clock, t);
  return { state: s, commands: run.commands, timeline: run.timeline };
}
