// The only entry of the workflow bundle.
export { accountWorkflow } from './account.workflow';
export { benchBaselineWorkflow } from './bench-baseline.workflow';
