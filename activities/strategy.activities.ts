// Loads what the decision core needs for one account: the strategy version (published and immutable,
// or the built-in as version 0, chosen by segmentation over the debtor and account as PostgreSQL has
// them), the jurisdiction pack in force and the holiday calendar, as plain data the workflow keeps.
import { ApplicationFailure } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { accounts, debtors, invoices, payments } from '../db/schema';
import {
  BUILTIN_VERSION,
  latestPublishedVersion,
  loadSegmentation,
  loadStrategyVersion,
  type StrategyVersion,
} from '../lib/strategies/store';
import { daysPastDue, withAttributes } from '../strategies/account-facts';
import type { EngineContext } from '../strategies/core/types';
import { engineContext } from '../strategies/engine-context';
import { assignStrategy, type AccountFacts } from '../strategies/segmentation';

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

/** Published versions held by a worker: they never change, so each is read from PostgreSQL once. */
const CACHED_VERSIONS = 256;

/**
 * A published version by number from the worker's cache; "the latest" costs one index lookup for its
 * number (a version published a moment ago is seen at once). Built-ins and unknown ids go to the store.
 */
export function strategyVersionCache(db: Db) {
  const cache = new Map<string, Promise<StrategyVersion | null>>();
  const byNumber = (id: string, version: number) => {
    const key = `${id}@${version}`;
    let found = cache.get(key);
    if (!found) {
      if (cache.size >= CACHED_VERSIONS) cache.delete(cache.keys().next().value ?? '');
      found = loadStrategyVersion(db, id, version);
      cache.set(key, found);
      // A failed read is not remembered; neither is "no such version" (it may be published later).
      void found.then(
        (v) => v === null && cache.delete(key),
        () => cache.delete(key),
      );
    }
    return found;
  };
  return async (id: string, version?: number): Promise<StrategyVersion | null> => {
    if (version !== undefined)
      return version === BUILTIN_VERSION ? loadStrategyVersion(db, id, version) : byNumber(id, version);
    const latest = await latestPublishedVersion(db, id);
    return latest ? byNumber(id, latest) : loadStrategyVersion(db, id);
  };
}

export function createStrategyActivities(deps: { db: Db; whatsappSendNumber?: string }) {
  const { db } = deps;
  const strategyVersion = strategyVersionCache(db);
  return {
    async loadEngineContext(input: LoadContextInput): Promise<LoadedContext> {
      let strategyId = input.strategyId;
      let arm: LoadedContext['arm'] = 'assigned';
      if (!strategyId) {
        const { segmentation } = await loadSegmentation(db);
        const assignment = assignStrategy(segmentation, await accountFacts(db, input));
        strategyId = assignment.strategyId;
        arm = assignment.arm;
      }
      const found = await strategyVersion(strategyId, input.version);
      if (!found)
        throw ApplicationFailure.nonRetryable(
          `Strategy ${strategyId}${input.version ? ` v${input.version}` : ''} does not exist`,
          'UnknownStrategy',
        );
      const context: EngineContext = engineContext(found, input.country, input.zone, input.now);
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

/**
 * What segmentation judges, read from PostgreSQL: the debtor as the integrator described them and the
 * account's invoices and payments as accepted. The workflow's own figures only fill in what the
 * database does not have (an account row not written yet, in tests that start a workflow directly).
 */
async function accountFacts(db: Db, input: LoadContextInput): Promise<AccountFacts> {
  const [row] = await db
    .select({
      kind: debtors.kind,
      country: debtors.country,
      attributes: debtors.attributes,
      currency: accounts.currency,
      invoicedMinor: sql<
        string | null
      >`(select sum(${invoices.amountMinor}) from ${invoices} where ${invoices.accountId} = ${accounts.id})`,
      paidMinor: sql<
        string | null
      >`(select sum(${payments.amountMinor}) from ${payments} where ${payments.accountId} = ${accounts.id})`,
      oldestDue: sql<
        string | null
      >`(select min(${invoices.dueDate})::text from ${invoices} where ${invoices.accountId} = ${accounts.id})`,
    })
    .from(accounts)
    .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
    .where(eq(accounts.id, input.accountId));
  const facts: AccountFacts = withAttributes(
    {
      accountId: input.accountId,
      kind: row?.kind ?? input.kind ?? 'person',
      country: row?.country ?? input.country,
      currency: row?.currency ?? input.currency,
      balanceMinor: input.balanceMinor,
      daysPastDue: input.daysPastDue,
    },
    row?.attributes,
  );
  if (row?.invoicedMinor != null)
    facts.balanceMinor = Math.max(0, Number(row.invoicedMinor) - Number(row.paidMinor ?? 0));
  if (row?.oldestDue) facts.daysPastDue = daysPastDue(row.oldestDue, input.zone, input.now);
  return facts;
}
