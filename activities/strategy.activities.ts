// Loads what the decision core needs for one account: the strategy version (published and immutable,
// or the built-in as version 0),
// the jurisdiction pack in force and the holiday calendar, as plain data the workflow keeps in its state.
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { loadSegmentation, loadStrategyVersion } from '../lib/strategies/store';
import type { Db } from '../db/client';
import { accounts } from '../db/schema';
import type { EngineContext } from '../strategies/core/types';
import { publicHolidays } from '../strategies/holidays';
import { packFor } from '../strategies/jurisdictions';
import { assignStrategy } from '../strategies/segmentation';

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
  /** WHATSAPP_SEND_NUMBER of the worker that loaded it: the number this account sends WhatsApp from. */
  whatsappNumber?: string;
}

export function createStrategyActivities(deps: { db: Db; whatsappSendNumber?: string }) {
  const { db } = deps;
  return {
    async loadEngineContext(input: LoadContextInput): Promise<LoadedContext> {
      let strategyId = input.strategyId;
      let arm: LoadedContext['arm'] = 'assigned';
      if (!strategyId) {
        const { segmentation } = await loadSegmentation(db);
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
      const found = await loadStrategyVersion(db, strategyId, input.version);
      if (!found)
        throw ApplicationFailure.nonRetryable(
          `Strategy ${strategyId}${input.version ? ` v${input.version}` : ''} does not exist`,
          'UnknownStrategy',
        );
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
      return {
        context,
        strategyId,
        arm,
        ...(deps.whatsappSendNumber ? { whatsappNumber: deps.whatsappSendNumber } : {}),
      };
    },
  };
}
