// How many of an import's accounts enter each stage at once: each account is run through the pure decision
// core as its workflow will start it (the strategy its segmentation or invoice picks, the jurisdiction pack
// and holidays in force, every invoice of the account arriving together, then a tick), so the answer is the
// core's own, never a second copy of its stage rules.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, debtorChannelStatus, debtors, invoices, payments } from '../../db/schema';
import { loadSegmentation, loadStrategyVersion, type StrategyVersion } from '../../lib/strategies/store';
import { decide, initialState } from '../../strategies/core/index';
import { daysPastDue, withAttributes } from '../../strategies/account-facts';
import type { InvoiceEvent } from '../../strategies/core/types';
import { engineContext } from '../../strategies/engine-context';
import { assignStrategy, type AttributeValue } from '../../strategies/segmentation';

const ACCOUNTS_PER_QUERY = 500;
const LOOKUPS_AT_ONCE = 8;

export type StageCounts = Record<string, number>;

interface AccountRow {
  id: string;
  currency: string;
  strategyId: string | null;
  strategyVersion: number | null;
  debtorId: string;
  kind: 'person' | 'company';
  country: string;
  timezone: string | null;
  email: string | null;
  phone: string | null;
  attributes: Record<string, AttributeValue> | null;
}

async function forecastChunk(db: Db, ids: string[], now: number, counts: StageCounts): Promise<void> {
  const rows: AccountRow[] = await db
    .select({
      id: accounts.id,
      currency: accounts.currency,
      strategyId: accounts.strategyId,
      strategyVersion: accounts.strategyVersion,
      debtorId: debtors.id,
      kind: debtors.kind,
      country: debtors.country,
      timezone: debtors.timezone,
      email: debtors.email,
      phone: debtors.phone,
      attributes: debtors.attributes,
    })
    .from(accounts)
    .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
    .where(inArray(accounts.id, ids));
  const owed = await db
    .select({
      accountId: invoices.accountId,
      externalId: invoices.externalId,
      amountMinor: invoices.amountMinor,
      currency: invoices.currency,
      dueDate: invoices.dueDate,
    })
    .from(invoices)
    .where(inArray(invoices.accountId, ids))
    .orderBy(invoices.createdAt);
  const paid = await db
    .select({ accountId: payments.accountId, minor: sql<string>`sum(${payments.amountMinor})` })
    .from(payments)
    .where(inArray(payments.accountId, ids))
    .groupBy(payments.accountId);
  const paidBy = new Map(paid.map((p) => [p.accountId, Number(p.minor)]));
  // Channels off (opted out, bounced) for the chunk's debtors in one query, not one per account.
  const blocked =
    rows.length === 0
      ? []
      : await db
          .select({ debtorId: debtorChannelStatus.debtorId, channel: debtorChannelStatus.channel })
          .from(debtorChannelStatus)
          .where(
            and(
              inArray(
                debtorChannelStatus.debtorId,
                rows.map((r) => r.debtorId),
              ),
              inArray(debtorChannelStatus.channel, ['email', 'whatsapp']),
            ),
          );
  const off = new Set(blocked.map((b) => `${b.debtorId}/${b.channel}`));
  const invoicesBy = new Map<string, InvoiceEvent[]>();
  for (const i of owed) {
    const list = invoicesBy.get(i.accountId) ?? [];
    list.push({
      type: 'invoice',
      externalId: i.externalId,
      amountMinor: i.amountMinor,
      currency: i.currency,
      dueDate: i.dueDate,
    });
    invoicesBy.set(i.accountId, list);
  }
  const { segmentation } = await loadSegmentation(db);
  const versions = new Map<string, Promise<StrategyVersion | null>>();
  const strategy = (id: string, version: number | undefined) => {
    const key = `${id}@${version ?? 'latest'}`;
    let found = versions.get(key);
    if (!found) versions.set(key, (found = loadStrategyVersion(db, id, version)));
    return found;
  };

  const stageOf = async (row: AccountRow): Promise<string | null> => {
    const events = invoicesBy.get(row.id) ?? [];
    const zone = row.timezone ?? 'UTC';
    const invoiced = events.reduce((sum, e) => sum + e.amountMinor, 0);
    const oldestDue = events.map((e) => e.dueDate).sort()[0];
    const facts = withAttributes(
      {
        accountId: row.id,
        kind: row.kind,
        country: row.country,
        currency: row.currency,
        balanceMinor: Math.max(0, invoiced - (paidBy.get(row.id) ?? 0)),
        daysPastDue: oldestDue ? daysPastDue(oldestDue, zone, now) : 0,
      },
      row.attributes,
    );
    // The strategy the workflow has loaded (or the invoice named) stands; otherwise segmentation picks it.
    const found = row.strategyId
      ? await strategy(row.strategyId, row.strategyVersion ?? undefined)
      : await strategy(assignStrategy(segmentation, facts).strategyId, undefined);
    if (!found) return null;
    const ctx = engineContext(found, row.country, zone, now);
    let state = initialState({
      accountId: row.id,
      currency: row.currency,
      channels: {
        email: row.email !== null && !off.has(`${row.debtorId}/email`),
        whatsapp: row.phone !== null && !off.has(`${row.debtorId}/whatsapp`),
      },
      openedAt: now,
    });
    if (events.length > 0) state = decide(ctx, state, { type: 'invoices', invoices: events }, now).state;
    state = decide(ctx, state, { type: 'tick' }, now).state;
    return ctx.strategy.stages[state.stageIndex]?.id ?? 'none';
  };
  // A few accounts at once: each may wait on its strategy's first load, the core itself takes well under 1 ms.
  for (let start = 0; start < rows.length; start += LOOKUPS_AT_ONCE) {
    for (const stage of await Promise.all(rows.slice(start, start + LOOKUPS_AT_ONCE).map(stageOf)))
      if (stage !== null) counts[stage] = (counts[stage] ?? 0) + 1;
  }
}

/** Accounts per stage id (`none` before the first stage) for the given accounts, as of `now`. */
export async function stageForecast(db: Db, accountIds: Iterable<string>, now = Date.now()): Promise<StageCounts> {
  const ids = [...new Set(accountIds)];
  const at = Math.floor(now / 1000) * 1000;
  const counts: StageCounts = {};
  for (let start = 0; start < ids.length; start += ACCOUNTS_PER_QUERY)
    await forecastChunk(db, ids.slice(start, start + ACCOUNTS_PER_QUERY), at, counts);
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}
