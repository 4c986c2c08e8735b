// Distribution (POST /v1/assignments): select accounts, let a rule (lib/assignment/rules.ts) say where each
// goes, and apply it with the one assignment operation (lib/assignment/assign.ts).
import type { FastifyInstance } from 'fastify';
import { isNull } from 'drizzle-orm';
import { accounts } from '../../db/schema';
import { assignAccounts } from '../../lib/assignment/assign';
import { byCapacity, bySegment, roundRobin, type AssignmentRule, type Plan } from '../../lib/assignment/rules';
import { loadOutside, MAX_ASSIGNMENT_ACCOUNTS, selectCandidates, type SegmentBy } from '../../lib/assignment/select';
import type { AppDeps } from '../app';
import { accountFilters, type AccountFilters } from '../accounts/filters';
import { badRequest, unprocessable, type FieldError } from '../problem';
import { assignmentsSchema } from '../schemas/assignments';

interface AssignmentBody {
  rule: AssignmentRule;
  accountIds?: string[];
  filter?: AccountFilters & { unassigned?: boolean };
  agents?: string[];
  capacity?: Record<string, number>;
  segmentBy: SegmentBy;
  attribute: string;
  segments?: Record<string, string[]>;
  dryRun: boolean;
}

function checkBody(b: AssignmentBody): void {
  const errors: FieldError[] = [];
  if ((b.accountIds === undefined) === (b.filter === undefined))
    errors.push({ field: 'accountIds', message: 'give either accountIds or filter (one of them)' });
  if (b.rule !== 'segment' && !b.agents) errors.push({ field: 'agents', message: `is required for ${b.rule}` });
  if (b.rule === 'capacity') {
    if (!b.capacity) errors.push({ field: 'capacity', message: 'is required for capacity' });
    else
      for (const a of b.agents ?? [])
        if (b.capacity[a] === undefined) errors.push({ field: `capacity.${a}`, message: 'is missing for this agent' });
  }
  if (b.rule === 'segment' && !b.segments) errors.push({ field: 'segments', message: 'is required for segment' });
  if (errors.length > 0) throw badRequest(errors);
}

export function assignmentRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Body: AssignmentBody }>(
    '/v1/assignments',
    { schema: assignmentsSchema, config: { roles: ['supervisor'] } },
    async (req) => {
      const b = req.body;
      checkBody(b);
      const where = b.filter ? await accountFilters(deps.db, b.filter, 'filter.') : undefined;
      if (b.filter?.unassigned === true) where?.push(isNull(accounts.assignedAgentId));
      const candidates = await selectCandidates(deps.db, {
        ...(where ? { where } : {}),
        ...(b.accountIds ? { ids: b.accountIds } : {}),
        segmentBy: b.segmentBy,
        attribute: b.attribute,
        limit: MAX_ASSIGNMENT_ACCOUNTS,
      });
      if (candidates.length > MAX_ASSIGNMENT_ACCOUNTS)
        throw unprocessable(
          `The selection holds more than ${MAX_ASSIGNMENT_ACCOUNTS.toLocaleString('en-US')} open accounts; narrow the filter.`,
          { reason: 'selection_too_large' },
        );
      let plan: Plan;
      let named: string[];
      switch (b.rule) {
        case 'round_robin':
          named = b.agents ?? [];
          plan = roundRobin(candidates, named);
          break;
        case 'capacity':
          named = b.agents ?? [];
          plan = byCapacity(candidates, named, b.capacity ?? {}, await loadOutside(deps.db, named, candidates));
          break;
        case 'segment':
          named = [...new Set(Object.values(b.segments ?? {}).flat())];
          plan = bySegment(candidates, b.segments ?? {});
          break;
      }
      if (!b.dryRun)
        await assignAccounts(
          deps.db,
          plan.moves.map((m) => ({ accountId: m.accountId, agentId: m.to })),
        );
      const after = new Map(candidates.map((c) => [c.accountId, c.agentId]));
      for (const m of plan.moves) after.set(m.accountId, m.to);
      const counts = new Map<string | null, number>();
      for (const a of after.values()) counts.set(a, (counts.get(a) ?? 0) + 1);
      const held = (agent: string) => counts.get(agent) ?? 0;
      return {
        rule: b.rule,
        dryRun: b.dryRun,
        selected: candidates.length,
        moved: plan.moves.length,
        unchanged: plan.unchanged,
        moves: plan.moves,
        notAssigned: plan.notAssigned,
        agents: named.map((agentId) => ({ agentId, accounts: held(agentId) })),
      };
    },
  );
}
