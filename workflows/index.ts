// The only entry of the workflow bundle.
export { accountWorkflow } from './account.workflow';
