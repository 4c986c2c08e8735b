// The baseline of `npm run bench -- ingest`: a workflow that does nothing and keeps running, so that
// "started and running" costs exactly what Temporal charges for a bare start (and one empty workflow task).
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const benchBaselineWorkflowType = 'benchBaselineWorkflow';
export const benchBaselineStopSignal = defineSignal('benchBaselineStop');

export async function benchBaselineWorkflow(): Promise<void> {
  let stopped = false;
  setHandler(benchBaselineStopSignal, () => {
    stopped = true;
  });
  await condition(() => stopped);
}
