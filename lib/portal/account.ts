// What the portal reads and does for one debtor: their accounts and invoices (read model), an account's
// live state and policy (the workflow's explain query), plan offers from the strategy's plan policy, and
// promises and plans sent through the same workflow Updates as POST /v1/accounts/{id}/promises and /plans.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { DbOrTx } from '../../db/client';
import { accounts, debtors, invoices, portalLinks } from '../../db/schema';
import { planInterest } from '../../strategies/core/agreements';
import { addDays, localDate } from '../../strategies/core/calendar';
import { minimumForPercent } from '../../strategies/core/money';
import { balanceOf } from '../../strategies/core/state';
import type { AccountState, EngineContext } from '../../strategies/core/types';
import {
  accountExplainQuery,
  proposePlanUpdate,
  registerPromiseUpdate,
  type AgreementResult,
} from '../../workflows/account.messages';

export const PORTAL_SOURCE = 'portal';
const LIVE_QUERY_DEADLINE_MS = 5000;

export interface PortalDebtor {
  id: string;
  locale: string | null;
  country: string;
  timezone: string | null;
  hasEmail: boolean;
  hasPhone: boolean;
}

export interface PortalAccountRow {
  id: string;
  currency: string;
  workflowId: string;
  status: string;
  balanceMinor: number;
  daysPastDue: number | null;
  closedAt: Date | null;
  invoices: { externalId: string; amountMinor: number; dueDate: string }[];
}

/**
 * The debtor a verified link id names, in one round trip (the portal page's first query); null when the
 * link id is not (or no longer) a debtor's.
 */
export async function loadDebtorByLink(db: DbOrTx, linkId: string): Promise<PortalDebtor | null> {
  const [row] = await db
    .select({
      id: debtors.id,
      locale: debtors.locale,
      country: debtors.country,
      timezone: debtors.timezone,
      email: debtors.email,
      phone: debtors.phone,
    })
    .from(portalLinks)
    .innerJoin(debtors, eq(debtors.id, portalLinks.debtorId))
    .where(eq(portalLinks.linkId, linkId));
  if (!row) return null;
  return {
    id: row.id,
    locale: row.locale,
    country: row.country,
    timezone: row.timezone,
    hasEmail: !!row.email,
    hasPhone: !!row.phone,
  };
}

/** The debtor's accounts, open ones first, with their invoices: one query (a left join) whatever their number. */
export async function loadPortalAccounts(db: DbOrTx, debtorId: string, limit = 20): Promise<PortalAccountRow[]> {
  const chosen = db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.debtorId, debtorId))
    .orderBy(desc(isNull(accounts.closedAt)), desc(accounts.openedAt))
    .limit(limit);
  const rows = await db
    .select({
      id: accounts.id,
      currency: accounts.currency,
      workflowId: accounts.workflowId,
      status: accounts.status,
      balanceMinor: accounts.balanceMinor,
      daysPastDue: accounts.daysPastDue,
      closedAt: accounts.closedAt,
      openedAt: accounts.openedAt,
      externalId: invoices.externalId,
      amountMinor: invoices.amountMinor,
      dueDate: invoices.dueDate,
    })
    .from(accounts)
    .leftJoin(invoices, eq(invoices.accountId, accounts.id))
    .where(inArray(accounts.id, chosen))
    .orderBy(desc(isNull(accounts.closedAt)), desc(accounts.openedAt), asc(invoices.dueDate), asc(invoices.externalId));
  const byId = new Map<string, PortalAccountRow>();
  for (const r of rows) {
    let account = byId.get(r.id);
    if (!account) {
      account = {
        id: r.id,
        currency: r.currency,
        workflowId: r.workflowId,
        status: r.status,
        balanceMinor: r.balanceMinor,
        daysPastDue: r.daysPastDue,
        closedAt: r.closedAt,
        invoices: [],
      };
      byId.set(r.id, account);
    }
    if (r.externalId !== null && r.amountMinor !== null && r.dueDate !== null)
      account.invoices.push({ externalId: r.externalId, amountMinor: r.amountMinor, dueDate: r.dueDate });
  }
  return [...byId.values()];
}

/** One of the debtor's accounts; null when the id is not theirs (to the portal, others' accounts do not exist). */
export async function loadPortalAccount(
  db: DbOrTx,
  debtorId: string,
  accountId: string,
): Promise<PortalAccountRow | null> {
  const [row] = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(and(eq(accounts.id, accountId), eq(accounts.debtorId, debtorId)));
  if (!row) return null;
  const all = await loadPortalAccounts(db, debtorId, 1000);
  return all.find((a) => a.id === accountId) ?? null;
}

/** The account as its workflow sees it now, and the strategy policy that will judge what the debtor asks. */
export interface LiveAccount {
  ctx: EngineContext;
  state: AccountState;
  balanceMinor: number;
  /** The debtor's local date today, in the strategy's zone. */
  today: string;
  promise: { maxDate: string; minPercent: number; minimumMinor: number };
  plan: { maxInstallments: number; minDownPaymentPercent: number; monthlyInterestPercent: number };
}

export async function loadLiveAccount(temporal: Client, workflowId: string): Promise<LiveAccount | null> {
  let snapshot;
  try {
    // A page waits this long for the workflow; past it the debtor sees "try again" (503), not a hung page.
    snapshot = await temporal.withDeadline(Date.now() + LIVE_QUERY_DEADLINE_MS, () =>
      temporal.workflow.getHandle(workflowId).query(accountExplainQuery),
    );
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
  const ctx = snapshot.context;
  if (!ctx) return null;
  const state = snapshot.state;
  const balanceMinor = balanceOf(state);
  const today = localDate(Date.now(), ctx.zone);
  const policy = ctx.strategy;
  return {
    ctx,
    state,
    balanceMinor,
    today,
    promise: {
      maxDate: addDays(today, policy.promise.maxDaysAhead),
      minPercent: policy.promise.minPercent,
      minimumMinor: Math.min(balanceMinor, minimumForPercent(balanceMinor, policy.promise.minPercent)),
    },
    plan: {
      maxInstallments: policy.plan.maxInstallments,
      minDownPaymentPercent: policy.plan.minDownPaymentPercent,
      monthlyInterestPercent: policy.plan.monthlyInterestBasisPoints / 100,
    },
  };
}

export interface PlanOffer {
  count: number;
  installments: { amountMinor: number; dueDate: string }[];
  interestMinor: number;
  totalMinor: number;
}

/**
 * The plans the policy allows from a first date: 2…maxInstallments monthly installments (at most six
 * offers), the first at least the minimum down payment, interest per the README's formula on what the
 * first leaves financed, spread over the rest (any remainder on the last). Amounts are computed here, never
 * taken from the browser: the form sends only the count and the first date.
 */
export function planOffers(live: LiveAccount, firstDate: string): PlanOffer[] {
  const { ctx, balanceMinor } = live;
  const max = ctx.strategy.plan.maxInstallments;
  if (balanceMinor <= 0 || max < 2) return [];
  const counts = [2, 3, 4, 6, 9, 12, 18, 24].filter((n) => n <= max);
  if (!counts.includes(max) && counts.length < 6) counts.push(max);
  const offers: PlanOffer[] = [];
  for (const count of counts.slice(-6)) {
    const offer = planOffer(live, count, firstDate);
    if (offer) offers.push(offer);
  }
  return offers;
}

export function planOffer(live: LiveAccount, count: number, firstDate: string): PlanOffer | null {
  const { ctx, balanceMinor } = live;
  if (!Number.isSafeInteger(count) || count < 2 || count > ctx.strategy.plan.maxInstallments) return null;
  const start = DateTime.fromISO(firstDate, { zone: 'UTC' });
  if (!start.isValid || balanceMinor < count) return null;
  const down = Math.max(
    minimumForPercent(balanceMinor, ctx.strategy.plan.minDownPaymentPercent),
    Math.ceil(balanceMinor / count),
  );
  const first = Math.min(down, balanceMinor);
  const dates = Array.from({ length: count }, (_, i) => start.plus({ months: i }).toISODate() ?? firstDate);
  const interestMinor = planInterest(ctx, balanceMinor, [
    { amountMinor: first },
    ...dates.slice(1).map(() => ({ amountMinor: 0 })),
  ]);
  const rest = balanceMinor - first + interestMinor;
  const each = Math.floor(rest / (count - 1));
  if (each <= 0) return null;
  const installments = dates.map((dueDate, i) => ({
    dueDate,
    amountMinor: i === 0 ? first : i === count - 1 ? rest - each * (count - 2) : each,
  }));
  return { count, installments, interestMinor, totalMinor: first + rest };
}

async function runUpdate(fn: () => Promise<AgreementResult>): Promise<AgreementResult> {
  try {
    return await fn();
  } catch (err) {
    // The workflow's validator refused it (e.g. the account closed meanwhile): the debtor sees a refusal.
    if (err instanceof WorkflowUpdateFailedError) return { status: 'rejected', reason: 'not_accepted' };
    if (err instanceof WorkflowNotFoundError) return { status: 'rejected', reason: 'account_closed' };
    throw err;
  }
}

/** A promise through the workflow's Update, as the API's POST …/promises does; its timeline entry says `source: portal`. */
export function promiseFromPortal(
  temporal: Client,
  workflowId: string,
  p: { amountMinor: number; dueDate: string },
): Promise<AgreementResult> {
  return runUpdate(() =>
    temporal.workflow
      .getHandle(workflowId)
      .executeUpdate(registerPromiseUpdate, { args: [{ ...p, source: PORTAL_SOURCE }] }),
  );
}

/** A plan through the workflow's Update, as the API's POST …/plans does. */
export function planFromPortal(
  temporal: Client,
  workflowId: string,
  installments: { amountMinor: number; dueDate: string }[],
): Promise<AgreementResult> {
  return runUpdate(() =>
    temporal.workflow
      .getHandle(workflowId)
      .executeUpdate(proposePlanUpdate, { args: [{ installments, source: PORTAL_SOURCE }] }),
  );
}
