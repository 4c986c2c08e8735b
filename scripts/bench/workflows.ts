// The bench's workflow bundle entry: the production workflows plus the ingest bench's do-nothing
// baseline, which has no place in the production bundle (workflows/index.ts).
export * from '../../workflows/index';
export { benchBaselineWorkflow, benchTimerWorkflow } from '../../workflows/bench-baseline.workflow';
