// Moving a running account to another published strategy version, at its next decision.
// Only what lies ahead follows the new version: steps already in the past are taken as handled,
// so a version change never makes an account catch up on a burst of old steps.
import { stepDueInstant } from './schedule';
import { cloneState } from './state';
import type { AccountState, EngineContext } from './types';

export function adoptStrategyVersion(
  from: EngineContext,
  to: EngineContext,
  state: AccountState,
  now: number,
): AccountState {
  const s = cloneState(state);
  const current = from.strategy.stages[s.stageIndex];
  let index = -1;
  if (current) {
    index = to.strategy.stages.findIndex((stage) => stage.id === current.id);
    if (index < 0) {
      // The stage was renamed or removed: stay in the furthest new stage that starts no later.
      to.strategy.stages.forEach((stage, i) => {
        if (stage.fromDay <= current.fromDay) index = i;
      });
    }
  }
  s.stageIndex = index;
  if (index !== state.stageIndex || current?.id !== to.strategy.stages[index]?.id) s.stageShift = 0;
  s.pending = null;
  const stage = to.strategy.stages[index];
  s.handledSteps = [];
  if (stage) {
    stage.steps.forEach((_, i) => {
      const due = stepDueInstant(to, s, stage, i, s.stageShift);
      if (due !== null && due <= now) s.handledSteps.push(i);
    });
  }
  return s;
}
