// The baseline of `npm run bench -- ingest`: a workflow that does nothing and keeps running, so that
// "started and running" costs exactly what Temporal charges for a bare start (and one empty workflow task).
import { condition, defineSignal, setHandler, sleep } from '@temporalio/workflow';

export const benchBaselineWorkflowType = 'benchBaselineWorkflow';
export const benchBaselineStopSignal = defineSignal('benchBaselineStop');

export async function benchBaselineWorkflow(): Promise<void> {
  let stopped = false;
  setHandler(benchBaselineStopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
}

/** The storm bench's baseline: one bare timer to a given instant, then done (no activity, no state). */
export const benchTimerWorkflowType = 'benchTimerWorkflow';

export async function benchTimerWorkflow(untilMs: number): Promise<void> {
  await sleep(Math.max(1, untilMs - Date.now()));
}
