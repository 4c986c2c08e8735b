// The account list's filters (GET /v1/accounts), shared by every route that selects accounts the same way
// (POST /v1/assignments): one meaning for `stage`, `status`, balances and days past due.
import { eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, debtors, strategyVersions } from '../../db/schema';
import { BUILTIN_STRATEGIES } from '../../strategies/index';
import { ACCOUNT_STATUSES } from '../../strategies/core/view';
import { isCurrency, parseAmount } from '../money';
import { badRequest, type FieldError } from '../problem';

export interface AccountFilters {
  status?: string;
  stage?: string;
  strategyId?: string;
  assignedAgentId?: string;
  debtorExternalId?: string;
  currency?: string;
  minBalance?: string;
  maxBalance?: string;
  minDaysPastDue?: number;
  maxDaysPastDue?: number;
}

type ListQuery = AccountFilters;

function balanceFilters(q: ListQuery, prefix: string): SQL[] {
  if (q.minBalance === undefined && q.maxBalance === undefined) return [];
  const errors: FieldError[] = [];
  if (q.currency === undefined || !isCurrency(q.currency))
    errors.push({
      field: `${prefix}currency`,
      message: 'is required with minBalance/maxBalance (an ISO 4217 code)',
    });
  const parse = (field: 'minBalance' | 'maxBalance') => {
    const text = q[field];
    if (text === undefined || q.currency === undefined || !isCurrency(q.currency)) return undefined;
    const minor = parseAmount(text, q.currency);
    if (minor === null)
      errors.push({ field: `${prefix}${field}`, message: `has more decimals than ${q.currency} allows` });
    return minor ?? undefined;
  };
  const min = parse('minBalance');
  const max = parse('maxBalance');
  if (errors.length > 0) throw badRequest(errors);
  return [
    eq(accounts.currency, q.currency ?? ''),
    ...(min !== undefined ? [gte(accounts.balanceMinor, min)] : []),
    ...(max !== undefined ? [lte(accounts.balanceMinor, max)] : []),
  ];
}

/**
 * The values `stage` and `status` can hold in the read model: every stage id of a built-in or published
 * strategy (and `none`, before the first stage), the core's statuses and every terminal stage's hand-off status.
 */
async function filterValues(db: Db): Promise<{ stages: Set<string>; statuses: Set<string> }> {
  const stages = new Set<string>(['none']);
  const statuses = new Set<string>(ACCOUNT_STATUSES);
  for (const definition of Object.values(BUILTIN_STRATEGIES)) {
    for (const stage of definition.stages) {
      stages.add(stage.id);
      if (stage.terminal) statuses.add(stage.terminal);
    }
  }
  const published = await db.execute<{ id: string | null; terminal: string | null }>(
    sql`select distinct stage->>'id' as id, stage->>'terminal' as terminal
        from ${strategyVersions}, jsonb_array_elements(${strategyVersions.definition}->'stages') as stage`,
  );
  for (const row of published) {
    if (row.id) stages.add(row.id);
    if (row.terminal) statuses.add(row.terminal);
  }
  return { stages, statuses };
}

/** An unknown stage or status is a 400 listing what exists, never an empty page that looks like an answer. */
async function checkFilterValues(db: Db, q: ListQuery, prefix: string): Promise<void> {
  if (q.stage === undefined && q.status === undefined) return;
  const known = await filterValues(db);
  const errors: FieldError[] = [];
  const check = (field: 'stage' | 'status', values: Set<string>, what: string) => {
    const value = q[field];
    if (value !== undefined && !values.has(value))
      errors.push({
        field: `${prefix}${field}`,
        message: `"${value}" is not ${what}; accepted: ${[...values].sort().join(', ')}`,
      });
  };
  check('stage', known.stages, 'a stage of any strategy');
  check('status', known.statuses, 'an account status');
  if (errors.length > 0) throw badRequest(errors);
}

/**
 * The conditions on accounts (joined to debtors) the filters ask for; an unknown stage or status, or a balance
 * without its currency, is a 400 naming the field under `prefix` (`querystring.` for a list, `filter.` in a body).
 */
export async function accountFilters(db: Db, q: AccountFilters, prefix = 'querystring.'): Promise<SQL[]> {
  await checkFilterValues(db, q, prefix);
  const where: SQL[] = balanceFilters(q, prefix);
  if (q.currency !== undefined && where.length === 0) where.push(eq(accounts.currency, q.currency));
  if (q.status !== undefined) where.push(eq(accounts.status, q.status));
  if (q.stage !== undefined) where.push(eq(accounts.stage, q.stage));
  if (q.strategyId !== undefined) where.push(eq(accounts.strategyId, q.strategyId));
  if (q.assignedAgentId !== undefined) where.push(eq(accounts.assignedAgentId, q.assignedAgentId));
  if (q.debtorExternalId !== undefined) where.push(eq(debtors.externalId, q.debtorExternalId));
  if (q.minDaysPastDue !== undefined) where.push(gte(accounts.daysPastDue, q.minDaysPastDue));
  if (q.maxDaysPastDue !== undefined) where.push(lte(accounts.daysPastDue, q.maxDaysPastDue));
  return where;
}
