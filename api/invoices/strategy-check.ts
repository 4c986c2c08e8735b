// An invoice may name its strategy; the name must be one a workflow can load (built in or published),
// else the account would open with a workflow that fails at once and never collects (issue 9, item 4).
import type { DbOrTx } from '../../db/client';
import { knownStrategyIds } from '../../lib/strategies/store';
import { ProblemError } from '../problem';

export function unknownStrategy(strategyId: string, field: string): ProblemError {
  return new ProblemError(
    422,
    'Unprocessable Content',
    `Strategy ${JSON.stringify(strategyId)} is neither built in nor published.`,
    [{ field, message: 'is not a built-in or published strategy' }],
  );
}

/** The ids among `strategyIds` no workflow could load; one query whatever the number of invoices. */
export async function unknownStrategyIds(db: DbOrTx, strategyIds: readonly (string | null)[]): Promise<Set<string>> {
  const named = new Set(strategyIds.filter((id): id is string => id !== null));
  if (named.size === 0) return named;
  const known = await knownStrategyIds(db);
  return new Set([...named].filter((id) => !known.has(id)));
}
