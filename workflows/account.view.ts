// What the account workflow shows outside: the query's view, the read-model row and search attributes.
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { AccountStateRecord } from '../activities/account.activities';
import { toView } from '../strategies/core/index';
import type { AccountState, EngineContext } from '../strategies/core/types';
import type { AccountView, AccountWorkflowInput } from './account.messages';
import {
  CollectionBalanceMinor,
  CollectionDpdBucket,
  CollectionStage,
  CollectionStatus,
  CollectionStrategy,
  CollectionStrategyVersion,
  dpdBucket,
} from './search-attributes';

export function buildView(
  input: AccountWorkflowInput,
  ctx: EngineContext | null,
  strategyId: string,
  state: AccountState,
  now: number,
): AccountView {
  const base = {
    accountId: input.accountId,
    currency: input.currency,
    timeline: state.timeline,
    brokenPromises: state.brokenPromises,
    unansweredContacts: state.unansweredContacts,
  };
  if (!ctx) {
    return {
      ...base,
      status: 'opening',
      stage: 'none',
      balanceMinor: 0,
      daysPastDue: null,
      strategy: null,
      nextAction: null,
      promise: null,
      plan: null,
    };
  }
  const view = toView(ctx, state, now);
  return {
    ...base,
    status: view.status,
    stage: view.stage,
    balanceMinor: view.balanceMinor,
    daysPastDue: view.daysPastDue,
    strategy: { id: strategyId, version: ctx.strategyVersion },
    nextAction: view.nextAction,
    promise: state.promise
      ? {
          promiseId: state.promise.id,
          amountMinor: state.promise.amountMinor,
          dueDate: state.promise.dueDate,
          status: 'active',
        }
      : null,
    plan: state.plan
      ? {
          installments: state.plan.installments,
          totalMinor: state.plan.totalMinor,
          paidMinor: state.plan.paidSinceMinor,
        }
      : null,
  };
}

export function readModelOf(ctx: EngineContext, state: AccountState, now: number): AccountStateRecord {
  const view = toView(ctx, state, now);
  return {
    accountId: state.accountId,
    status: view.status,
    stage: view.stage,
    balanceMinor: view.balanceMinor,
    daysPastDue: view.daysPastDue,
  };
}

export interface AccountSearchAttributes {
  stage: string;
  status: string;
  strategy: string;
  version: number;
  bucket: string;
  balanceMinor: number;
}

export function searchAttributesOf(
  ctx: EngineContext,
  strategyId: string,
  state: AccountState,
  now: number,
): AccountSearchAttributes {
  const view = toView(ctx, state, now);
  return {
    stage: view.stage,
    status: view.status,
    strategy: strategyId,
    version: ctx.strategyVersion,
    bucket: dpdBucket(view.daysPastDue),
    balanceMinor: view.balanceMinor,
  };
}

export function syncSearchAttributes(a: AccountSearchAttributes): void {
  upsertSearchAttributes([
    { key: CollectionStage, value: a.stage },
    { key: CollectionStatus, value: a.status },
    { key: CollectionStrategy, value: a.strategy },
    { key: CollectionStrategyVersion, value: a.version },
    { key: CollectionDpdBucket, value: a.bucket },
    { key: CollectionBalanceMinor, value: a.balanceMinor },
  ]);
}
