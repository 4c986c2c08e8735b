// "Why did I get this?" and "what happens next?" for one account, and a debtor's timeline across accounts.
import type { FastifyInstance } from 'fastify';
import { plannedActions, rulesChecked, type PlannedAction } from '../../strategies/core/explain';
import type { EngineContext } from '../../strategies/core/types';
import { accountDecisions, type LedgerDecision } from '../../lib/ledger/decisions';
import { debtorTimeline } from '../../lib/ledger/timeline';
import { accountExplainQuery } from '../../workflows/account.messages';
import type { AppDeps } from '../app';
import { loadAccountFor } from '../accounts/access';
import { decodeCursor, encodeCursor } from '../cursor';
import { notFound } from '../problem';
import { debtorTimelineSchema, explainSchema } from '../schemas/explain';

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

function explainDecision(d: LedgerDecision, ctx: EngineContext | null) {
  const sent = d.type === 'message' || d.type === 'task';
  const template = text(d.entry.template);
  const priority = text(d.entry.priority);
  return {
    seq: d.seq,
    at: text(d.entry.at) ?? d.at.toISOString(),
    type: d.type,
    stage: d.stage,
    step: d.step,
    channel: d.channel,
    ...(template !== undefined ? { template } : {}),
    ...(priority !== undefined ? { priority } : {}),
    strategy: d.strategyId ? { id: d.strategyId, version: d.strategyVersion, arm: d.arm } : null,
    rule: sent ? null : d.reason,
    until: d.type === 'deferred' ? (text(d.entry.until) ?? d.until?.toISOString() ?? null) : null,
    packVersion: d.packVersion,
    // A skip is decided before any compliance check (catch-up, supersession, no address, condition).
    rulesChecked: ctx && d.channel && d.type !== 'skipped' ? rulesChecked(ctx, d.channel) : [],
  };
}

export function explainRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Params: { accountId: string } }>(
    '/v1/accounts/:accountId/explain',
    { schema: explainSchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req, reply) => {
      const account = await loadAccountFor(deps.db, req, req.params.accountId);
      const [decisions, snapshot] = await Promise.all([
        accountDecisions(deps.db, account.id),
        deps.temporal.workflow
          .getHandle(account.workflowId)
          .query(accountExplainQuery)
          .catch((err: unknown) => {
            req.log.warn({ err: (err as Error).message }, 'explain query failed; answering from the ledger');
            reply.header('x-served-from', 'ledger');
            return null;
          }),
      ]);
      const ctx = snapshot?.context ?? null;
      const next: PlannedAction[] =
        snapshot && ctx ? plannedActions(ctx, snapshot.state, Math.max(Date.now(), snapshot.state.clock)) : [];
      return { accountId: account.id, decisions: decisions.map((d) => explainDecision(d, ctx)), next };
    },
  );

  app.get<{ Params: { externalId: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/debtors/:externalId/timeline',
    { schema: debtorTimelineSchema, config: { roles: ['system', 'supervisor'] } },
    async (req) => {
      const { limit, cursor } = req.query;
      const after = cursor ? (decodeCursor(cursor, ['pgTimestamp', 'uuid', 'int']) as [string, string, number]) : null;
      const page = await debtorTimeline(deps.db, req.params.externalId, limit, after);
      if (!page.items) throw notFound(`Debtor ${req.params.externalId}`);
      const last = page.items.at(-1);
      return {
        items: page.items.map((i) => ({ ...i.entry, accountId: i.accountId, seq: i.seq })),
        nextCursor: page.more && last ? encodeCursor([last.atText, last.accountId, last.seq]) : null,
      };
    },
  );
}
