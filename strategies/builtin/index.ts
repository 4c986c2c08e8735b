// Built-in strategies, addressable by id from scenarios, segmentation rules and the API.
import type { NormalizedStrategy } from '../core/types';
import { validateStrategy } from '../definition';
import type { StrategyDefinition } from '../definition';
import { b2bCo } from './b2b-co';
import { consumerMx } from './consumer-mx';

export const BUILTIN_STRATEGIES: Readonly<Record<string, StrategyDefinition>> = {
  [consumerMx.id]: consumerMx,
  [b2bCo.id]: b2bCo,
};

export function builtinStrategy(id: string): NormalizedStrategy | null {
  const definition = BUILTIN_STRATEGIES[id];
  if (!definition) return null;
  const result = validateStrategy(definition);
  if (!result.ok)
    throw new Error(
      `built-in strategy ${id} is invalid: ${result.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    );
  return result.strategy;
}

export { TEMPLATE_LIBRARY } from './template-library';
