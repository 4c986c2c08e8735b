// Keeps the PostgreSQL read model of an account in step with its workflow (list screens read it).
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts } from '../db/schema';

export interface AccountStateRecord {
  accountId: string;
  status: string;
  stage: string;
  balanceMinor: number;
  daysPastDue: number | null;
  strategyId?: string | null;
  strategyVersion?: number | null;
}

const closedStatuses = new Set(['paid', 'written_off', 'legal_handoff', 'closed', 'cancelled']);

export function createAccountActivities(deps: { db: Db }) {
  return {
    async recordAccountState(state: AccountStateRecord): Promise<void> {
      await deps.db
        .update(accounts)
        .set({
          status: state.status,
          stage: state.stage,
          balanceMinor: state.balanceMinor,
          daysPastDue: state.daysPastDue,
          ...(state.strategyId !== undefined
            ? { strategyId: state.strategyId, strategyVersion: state.strategyVersion ?? null }
            : {}),
          closedAt: closedStatuses.has(state.status) ? new Date() : null,
          updatedAt: new Date(),
        })
        .where(eq(accounts.id, state.accountId));
    },
  };
}
