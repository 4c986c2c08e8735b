// What the debtor's other accounts contacted, as the contact ledger reports it at send time. Kept in
// the account's state so the same caps (per day, per week, gaps, one channel a week) count them too.
import { localDate } from './calendar';
import { cloneState } from './state';
import type { AccountState, ContactRecord, EngineContext } from './types';

/** Only what a cap or gap can still see matters (the longest period is a week, plus a margin). */
const MEMORY_MS = 15 * 24 * 3_600_000;

export function withDebtorContacts(
  ctx: EngineContext,
  state: AccountState,
  contacts: { at: number; channel: string }[],
  now: number,
): AccountState {
  const s = cloneState(state);
  const records: ContactRecord[] = contacts
    .filter((c) => c.at > now - MEMORY_MS)
    .map((c) => ({ at: c.at, channel: c.channel, date: localDate(c.at, ctx.zone) }))
    .sort((a, b) => a.at - b.at);
  s.debtorContacts = records;
  return s;
}
