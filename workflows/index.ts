// The only entry of the production workflow bundle (the bench bundles its baseline apart: scripts/bench/workflows.ts).
export { accountWorkflow } from './account.workflow';
