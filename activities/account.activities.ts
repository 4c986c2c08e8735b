// Keeps the PostgreSQL read model of an account in step with its workflow (list screens read it).
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts } from '../db/schema';
import { creditClosedAccountPayments, type ClosedAccountCredit } from '../lib/payments/closed-account-credit';

export interface AccountStateRecord {
  accountId: string;
  status: string;
  stage: string;
  balanceMinor: number;
  daysPastDue: number | null;
  strategyId?: string | null;
  strategyVersion?: number | null;
}

// A handed-off account (legal_handoff) is not closed: payments and new invoices still reach it.
const closedStatuses = new Set(['paid', 'written_off', 'closed', 'cancelled']);

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
    /** Payments the run counted after closing the account become the debtor's credit (once per payment). */
    async creditClosedAccount(input: { accountId: string; credits: ClosedAccountCredit[] }): Promise<string[]> {
      return creditClosedAccountPayments(deps.db, input.accountId, input.credits);
    },
  };
}
