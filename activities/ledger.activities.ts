// Appends an account's new timeline entries to the ledger (account_ledger), once each: the key is the
// entry's position in the account's timeline, so a retried activity or a replayed workflow adds nothing.
// The KPI rollups are kept in the same statement (lib/ledger/append.ts).
import type { Db } from '../db/client';
import { appendLedgerEntries, type LedgerAppend } from '../lib/ledger/append';

export type { LedgerAppend };

export function createLedgerActivities(deps: { db: Db }) {
  return {
    async appendLedger(input: LedgerAppend): Promise<void> {
      await appendLedgerEntries(deps.db, input);
    },
  };
}
