// Public surface of strategies/ for non-workflow code (API, activities, scripts).
// Workflow code imports 'strategies/core' only.
export * from './core/index';
export { validateStrategy, normalize, strategySchema, MESSAGE_CHANNELS, TASK_CHANNELS } from './definition';
export type { StrategyDefinition, StrategyValidation } from './definition';
export type { FieldError } from './validation-errors';
export { JURISDICTION_PACKS, MAIN_ZONES, mainZone, packFor, packLimits } from './jurisdictions';
export { publicHolidays } from './holidays';
export {
  displayAmount,
  messageTemplateData,
  renderTemplate,
  resolveTemplate,
  templateExists,
  templateSyntaxError,
} from './templates';
export type { MessageFacts, RenderedMessage, TemplateData } from './templates';
export { BUILTIN_STRATEGIES, TEMPLATE_LIBRARY, builtinStrategy } from './builtin/index';
export { assignStrategy, fnv1a, matches, splitBucket } from './segmentation';
export type {
  AccountFacts,
  Assignment,
  Segmentation,
  SegmentConditions,
  SegmentRule,
  StrategyArms,
} from './segmentation';
export { contextFor, parseScenario, runScenario, simulate } from './simulate';
export type { Scenario, ScenarioInput, SimulationResult } from './simulate';
