// Distribution rules (POST /v1/assignments), pure: which agent each selected account should go to. Every
// rule keeps an account where it is when that already fits (so a second run of the same request moves
// nothing) and is deterministic (accounts in id order, agents in the order given).

export type AssignmentRule = 'round_robin' | 'capacity' | 'segment';

export interface Candidate {
  accountId: string;
  agentId: string | null;
  /** The account's segment value (segment rule only). */
  segment?: string | null;
}

export interface Plan {
  /** Accounts whose agent changes. */
  moves: { accountId: string; from: string | null; to: string }[];
  /** Accounts already with the agent the rule gives them. */
  unchanged: number;
  /** Accounts the rule could not place (left as they are). */
  notAssigned: { accountId: string; reason: 'capacity' | 'no_segment' }[];
}

function byId(list: readonly Candidate[]): Candidate[] {
  return [...list].sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
}

/**
 * Even shares: each agent ends with ⌊n/k⌋ or ⌈n/k⌉ of the selected accounts. An agent keeps what they hold up
 * to their share (the agents holding most get the larger shares), the rest are dealt round robin.
 */
export function roundRobin(accounts: readonly Candidate[], agents: readonly string[]): Plan {
  const list = byId(accounts);
  const held = new Map(agents.map((a) => [a, list.filter((c) => c.agentId === a).length]));
  const base = Math.floor(list.length / agents.length);
  const extra = list.length % agents.length;
  const larger = new Set(
    [...agents]
      .map((a, i) => ({ a, i, n: held.get(a) ?? 0 }))
      .sort((x, y) => y.n - x.n || x.i - y.i)
      .slice(0, extra)
      .map((x) => x.a),
  );
  const room = new Map(agents.map((a) => [a, base + (larger.has(a) ? 1 : 0)]));
  return fill(list, agents, room, () => null);
}

/**
 * Capacity: an agent holds at most `capacity[agent]` open accounts in all (`load`: those they hold outside the
 * selection). Kept where they fit; the rest go to whoever has most room left; none left: not assigned.
 */
export function byCapacity(
  accounts: readonly Candidate[],
  agents: readonly string[],
  capacity: Readonly<Record<string, number>>,
  load: ReadonlyMap<string, number>,
): Plan {
  const room = new Map(agents.map((a) => [a, Math.max(0, (capacity[a] ?? 0) - (load.get(a) ?? 0))]));
  return fill(byId(accounts), agents, room, (left) => {
    let best: string | null = null;
    for (const a of agents) if ((left.get(a) ?? 0) > (best === null ? 0 : (left.get(best) ?? 0))) best = a;
    return best;
  });
}

/** Segment: each segment's accounts shared evenly (as round robin) among that segment's agents. */
export function bySegment(accounts: readonly Candidate[], segments: Readonly<Record<string, readonly string[]>>): Plan {
  const plan: Plan = { moves: [], unchanged: 0, notAssigned: [] };
  const groups = new Map<string, Candidate[]>();
  for (const c of byId(accounts)) {
    const agents = c.segment == null ? undefined : segments[c.segment];
    if (!agents || agents.length === 0) plan.notAssigned.push({ accountId: c.accountId, reason: 'no_segment' });
    else groups.set(c.segment!, [...(groups.get(c.segment!) ?? []), c]);
  }
  for (const [segment, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const part = roundRobin(list, segments[segment] ?? []);
    plan.moves.push(...part.moves);
    plan.unchanged += part.unchanged;
  }
  return plan;
}

/**
 * Keeps each account with its agent while the agent has room; deals the others to the agents with room: in
 * turn (pick = null) or as `pick` says; an account no agent has room for is not assigned.
 */
function fill(
  list: readonly Candidate[],
  agents: readonly string[],
  room: Map<string, number>,
  pick: (left: ReadonlyMap<string, number>) => string | null,
): Plan {
  const plan: Plan = { moves: [], unchanged: 0, notAssigned: [] };
  const pool: Candidate[] = [];
  for (const c of list) {
    const left = c.agentId === null ? 0 : (room.get(c.agentId) ?? 0);
    if (c.agentId !== null && left > 0) {
      room.set(c.agentId, left - 1);
      plan.unchanged += 1;
    } else pool.push(c);
  }
  let turn = 0;
  for (const c of pool) {
    let to = pick(room);
    if (to === null) {
      for (let i = 0; i < agents.length && to === null; i++) {
        const a = agents[(turn + i) % agents.length]!;
        if ((room.get(a) ?? 0) > 0) {
          to = a;
          turn = (turn + i + 1) % agents.length;
        }
      }
    }
    if (to === null) {
      plan.notAssigned.push({ accountId: c.accountId, reason: 'capacity' });
      continue;
    }
    room.set(to, (room.get(to) ?? 0) - 1);
    plan.moves.push({ accountId: c.accountId, from: c.agentId, to });
  }
  return plan;
}
