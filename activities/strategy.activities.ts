// Loads what the decision core needs for one account: the strategy version (published, immutable),
// the jurisdiction pack in force and the holiday calendar, as plain data the workflow keeps in its state.
import { desc, eq, and } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from '../db/client';
import { accounts, segmentations, strategyVersions } from '../db/schema';
import { builtinStrategy } from '../strategies/builtin/index';
import type { EngineContext, NormalizedStrategy } from '../strategies/core/types';
import { validateStrategy } from '../strategies/definition';
import { publicHolidays } from '../strategies/holidays';
import { packFor } from '../strategies/jurisdictions';
import { assignStrategy, type Segmentation } from '../strategies/segmentation';
import { ApplicationFailure } from '@temporalio/common';

/** Without a published segmentation: companies get the B2B strategy, everyone else the consumer one. */
export const defaultSegmentation: Segmentation = {
  rules: [{ id: 'companies', when: { kind: 'company' }, strategy: 'b2b-co' }],
  default: { strategy: 'consumer-mx' },
};

/** Years of holidays loaded at once; a run continues-as-new long before it needs more. */
const HOLIDAY_YEARS_AHEAD = 3;

export interface LoadContextInput {
  accountId: string;
  country: string;
  zone: string;
  kind?: 'person' | 'company';
  balanceMinor: number;
  currency: string;
  daysPastDue: number;
  strategyId?: string;
  version?: number;
  now: number;
}

export interface LoadedContext {
  context: EngineContext;
  strategyId: string;
  arm: 'champion' | 'challenger' | 'assigned';
}

async function strategyVersion(db: Db, id: string, version?: number): Promise<{ strategy: NormalizedStrategy; version: number } | null> {
  const rows = await db
    .select({ version: strategyVersions.version, definition: strategyVersions.definition })
    .from(strategyVersions)
    .where(version === undefined ? eq(strategyVersions.strategyId, id) : and(eq(strategyVersions.strategyId, id), eq(strategyVersions.version, version)))
    .orderBy(desc(strategyVersions.version))
    .limit(1);
  const row = rows[0];
  if (row) {
    const checked = validateStrategy(row.definition);
    if (!checked.ok) throw ApplicationFailure.nonRetryable(`Strategy ${id} v${row.version} no longer validates`, 'InvalidStrategy');
    return { strategy: checked.strategy, version: row.version };
  }
  // Built-ins count as version 1 until a strategist publishes a version of their own.
  const builtin = version === undefined || version === 1 ? builtinStrategy(id) : null;
  return builtin ? { strategy: builtin, version: 1 } : null;
}

export function createStrategyActivities(deps: { db: Db }) {
  const { db } = deps;
  return {
    async loadEngineContext(input: LoadContextInput): Promise<LoadedContext> {
      let strategyId = input.strategyId;
      let arm: LoadedContext['arm'] = 'assigned';
      if (!strategyId) {
        const [latest] = await db.select().from(segmentations).orderBy(desc(segmentations.version)).limit(1);
        const segmentation = (latest?.rules as Segmentation | undefined) ?? defaultSegmentation;
        const assignment = assignStrategy(segmentation, {
          accountId: input.accountId,
          kind: input.kind ?? 'person',
          country: input.country,
          balanceMinor: input.balanceMinor,
          currency: input.currency,
          daysPastDue: input.daysPastDue,
        });
        strategyId = assignment.strategyId;
        arm = assignment.arm;
      }
      const found = await strategyVersion(db, strategyId, input.version);
      if (!found) throw ApplicationFailure.nonRetryable(`Strategy ${strategyId}${input.version ? ` v${input.version}` : ''} does not exist`, 'UnknownStrategy');
      const today = DateTime.fromMillis(input.now, { zone: input.zone });
      const context: EngineContext = {
        strategy: found.strategy,
        strategyVersion: found.version,
        pack: packFor(input.country, today.toISODate() ?? '2000-01-01'),
        holidays: publicHolidays(input.country, today.year - 1, today.year + HOLIDAY_YEARS_AHEAD),
        zone: input.zone,
      };
      await db
        .update(accounts)
        .set({ strategyId, strategyVersion: found.version, strategyArm: arm, updatedAt: new Date() })
        .where(eq(accounts.id, input.accountId));
      return { context, strategyId, arm };
    },
  };
}
