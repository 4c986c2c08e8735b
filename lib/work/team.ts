// The team (GET /v1/team): each agent's queue and the day's and period's figures, from the KPI module's
// agent productivity (lib/kpis/agents.ts) so the figures are the dashboard's, not a second formula.
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { users } from '../../db/schema';
import { agentProductivity, type AgentProductivity } from '../kpis/agents';
import { queueSizes } from './queue';

export interface TeamMember {
  agentId: string;
  /** The console user who is this agent (null: an agent id known only from keys, tasks or the ledger). */
  user: { id: string; name: string } | null;
  queueSize: number;
  overdue: number;
  doneToday: number;
  promisesObtained: number;
  collected: AgentProductivity['collected'];
}

export async function teamOf(
  db: Db,
  q: { today: string; from: string; to: string; withinDays: number },
): Promise<TeamMember[]> {
  const [agents, sizes, today, period] = await Promise.all([
    db
      .select({ id: users.id, name: users.name, agentId: users.agentId })
      .from(users)
      .where(and(eq(users.role, 'agent'), isNull(users.disabledAt))),
    queueSizes(db),
    agentProductivity(db, { from: q.today, to: q.today, withinDays: q.withinDays }),
    agentProductivity(db, { from: q.from, to: q.to, withinDays: q.withinDays }),
  ]);
  const ids = new Set<string>([
    ...agents.flatMap((a) => (a.agentId ? [a.agentId] : [])),
    ...sizes.keys(),
    ...period.map((p) => p.agentId),
  ]);
  const byAgent = <T extends { agentId: string }>(rows: T[]) => new Map(rows.map((r) => [r.agentId, r]));
  const users_ = new Map(agents.map((a) => [a.agentId, a]));
  const todays = byAgent(today);
  const periods = byAgent(period);
  return [...ids].sort().map((agentId) => {
    const u = users_.get(agentId);
    const p = periods.get(agentId);
    return {
      agentId,
      user: u ? { id: u.id, name: u.name } : null,
      queueSize: sizes.get(agentId)?.open ?? 0,
      overdue: sizes.get(agentId)?.overdue ?? 0,
      doneToday: todays.get(agentId)?.tasksDone ?? 0,
      promisesObtained: p?.promisesObtained ?? 0,
      collected: p?.collected ?? [],
    };
  });
}
