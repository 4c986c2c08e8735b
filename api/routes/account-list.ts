import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { accounts, debtors } from '../../db/schema';
import { assignAccounts } from '../../lib/assignment/assign';
import type { AppDeps } from '../app';
import { accountFilters, type AccountFilters } from '../accounts/filters';
import { decodeCursor as readCursor } from '../cursor';
import { formatAmount } from '../money';
import { notFound } from '../problem';
import { assignAccountSchema, listAccountsSchema } from '../schemas/account-list';

interface ListQuery extends AccountFilters {
  limit: number;
  cursor?: string;
}

// The cursor carries the exact (opened_at, id) of the last row, as PostgreSQL prints it (microseconds kept).
const encodeCursor = (openedAt: string, id: string) =>
  Buffer.from(JSON.stringify([openedAt, id])).toString('base64url');
const decodeCursor = (cursor: string) => readCursor(cursor, ['pgTimestamp', 'uuid']) as [string, string];

export function accountListRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Querystring: ListQuery }>(
    '/v1/accounts',
    { schema: listAccountsSchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req) => {
      const q = req.query;
      const where: SQL[] = await accountFilters(deps.db, q);
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
      // The one assignment operation (lib/assignment): the account and its open tasks go to the agent.
      const [row] = await assignAccounts(deps.db, [{ accountId: req.params.accountId, agentId: req.body.agentId }]);
      if (!row) throw notFound(`Account ${req.params.accountId}`);
      return { accountId: row.accountId, assignedAgentId: row.agentId };
    },
  );
}
