import { and, asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/client';
import { accounts, debtors, strategyVersions } from '../../db/schema';
import { BUILTIN_STRATEGIES } from '../../strategies/index';
import { ACCOUNT_STATUSES } from '../../strategies/core/view';
import type { AppDeps } from '../app';
import { decodeCursor as readCursor } from '../cursor';
import { formatAmount, isCurrency, parseAmount } from '../money';
import { badRequest, notFound, type FieldError } from '../problem';
import { assignAccountSchema, listAccountsSchema } from '../schemas/account-list';

interface ListQuery {
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
  limit: number;
  cursor?: string;
}

// The cursor carries the exact (opened_at, id) of the last row, as PostgreSQL prints it (microseconds kept).
const encodeCursor = (openedAt: string, id: string) =>
  Buffer.from(JSON.stringify([openedAt, id])).toString('base64url');
const decodeCursor = (cursor: string) => readCursor(cursor, ['pgTimestamp', 'uuid']) as [string, string];

function balanceFilters(q: ListQuery): SQL[] {
  if (q.minBalance === undefined && q.maxBalance === undefined) return [];
  const errors: FieldError[] = [];
  if (q.currency === undefined || !isCurrency(q.currency))
    errors.push({
      field: 'querystring.currency',
      message: 'is required with minBalance/maxBalance (an ISO 4217 code)',
    });
  const parse = (field: 'minBalance' | 'maxBalance') => {
    const text = q[field];
    if (text === undefined || q.currency === undefined || !isCurrency(q.currency)) return undefined;
    const minor = parseAmount(text, q.currency);
    if (minor === null)
      errors.push({ field: `querystring.${field}`, message: `has more decimals than ${q.currency} allows` });
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
async function checkFilterValues(db: Db, q: ListQuery): Promise<void> {
  if (q.stage === undefined && q.status === undefined) return;
  const known = await filterValues(db);
  const errors: FieldError[] = [];
  const check = (field: 'stage' | 'status', values: Set<string>, what: string) => {
    const value = q[field];
    if (value !== undefined && !values.has(value))
      errors.push({
        field: `querystring.${field}`,
        message: `"${value}" is not ${what}; accepted: ${[...values].sort().join(', ')}`,
      });
  };
  check('stage', known.stages, 'a stage of any strategy');
  check('status', known.statuses, 'an account status');
  if (errors.length > 0) throw badRequest(errors);
}

export function accountListRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: ListQuery }>(
    '/v1/accounts',
    { schema: listAccountsSchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req) => {
      const q = req.query;
      await checkFilterValues(deps.db, q);
      const where: SQL[] = balanceFilters(q);
      if (q.currency !== undefined && where.length === 0) where.push(eq(accounts.currency, q.currency));
      if (q.status !== undefined) where.push(eq(accounts.status, q.status));
      if (q.stage !== undefined) where.push(eq(accounts.stage, q.stage));
      if (q.strategyId !== undefined) where.push(eq(accounts.strategyId, q.strategyId));
      if (q.assignedAgentId !== undefined) where.push(eq(accounts.assignedAgentId, q.assignedAgentId));
      if (q.debtorExternalId !== undefined) where.push(eq(debtors.externalId, q.debtorExternalId));
      if (q.minDaysPastDue !== undefined) where.push(gte(accounts.daysPastDue, q.minDaysPastDue));
      if (q.maxDaysPastDue !== undefined) where.push(lte(accounts.daysPastDue, q.maxDaysPastDue));
      // Agents see their own accounts only, whatever they ask for.
      if (req.principal?.role === 'agent') where.push(eq(accounts.assignedAgentId, req.principal.agentId ?? ''));
      if (q.cursor !== undefined) {
        const [openedAt, id] = decodeCursor(q.cursor);
        where.push(sql`(${accounts.openedAt}, ${accounts.id}) > (${openedAt}::timestamptz, ${id}::uuid)`);
      }
      const rows = await deps.db
        .select({
          account: accounts,
          cursorAt: sql<string>`${accounts.openedAt}::text`,
          debtor: {
            id: debtors.id,
            externalId: debtors.externalId,
            name: debtors.name,
            kind: debtors.kind,
            country: debtors.country,
          },
        })
        .from(accounts)
        .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
        .where(and(...where))
        .orderBy(asc(accounts.openedAt), asc(accounts.id))
        .limit(q.limit + 1);
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return {
        items: page.map(({ account: a, debtor }) => ({
          accountId: a.id,
          debtor,
          status: a.status,
          stage: a.stage,
          balance: { amount: formatAmount(a.balanceMinor, a.currency), currency: a.currency },
          daysPastDue: a.daysPastDue,
          strategy: a.strategyId ? { id: a.strategyId, version: a.strategyVersion } : null,
          assignedAgentId: a.assignedAgentId,
          openedAt: a.openedAt.toISOString(),
          closedAt: a.closedAt?.toISOString() ?? null,
        })),
        nextCursor: rows.length > q.limit && last ? encodeCursor(last.cursorAt, last.account.id) : null,
      };
    },
  );

  app.put<{ Params: { accountId: string }; Body: { agentId: string | null } }>(
    '/v1/accounts/:accountId/assignment',
    { schema: assignAccountSchema, config: { roles: ['supervisor'] } },
    async (req) => {
      const [row] = await deps.db
        .update(accounts)
        .set({ assignedAgentId: req.body.agentId, updatedAt: new Date() })
        .where(eq(accounts.id, req.params.accountId))
        .returning({ accountId: accounts.id, assignedAgentId: accounts.assignedAgentId });
      if (!row) throw notFound(`Account ${req.params.accountId}`);
      return row;
    },
  );
}
