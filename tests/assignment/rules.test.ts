// The distribution rules, pure: even shares, capacity, segments; kept where they fit, so a rerun moves nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byCapacity, bySegment, roundRobin, type Candidate, type Plan } from '../../lib/assignment/rules';

const after = (list: Candidate[], plan: Plan) => {
  const to = new Map(list.map((c) => [c.accountId, c.agentId]));
  for (const m of plan.moves) to.set(m.accountId, m.to);
  return list.map((c) => ({ ...c, agentId: to.get(c.accountId) ?? null }));
};
const count = (list: Candidate[], agent: string) => list.filter((c) => c.agentId === agent).length;
const candidates = (holders: (string | null)[]) =>
  holders.map((agentId, i) => ({ accountId: `acc-${String(i).padStart(4, '0')}`, agentId }));

describe('round robin', () => {
  it('ends with even shares, moves only what is needed, and a rerun moves nothing', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(null, 'a', 'b', 'c', 'x'), { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        (holders, k) => {
          const agents = ['a', 'b', 'c', 'd'].slice(0, k);
          const list = candidates(holders);
          const plan = roundRobin(list, agents);
          const result = after(list, plan);
          const shares = agents.map((a) => count(result, a));
          expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
          expect(shares.reduce((x, y) => x + y, 0)).toBe(list.length);
          expect(plan.moves.length + plan.unchanged).toBe(list.length);
          // No account moves away from a listed agent that is within its share.
          for (const m of plan.moves)
            if (m.from && agents.includes(m.from))
              expect(count(list, m.from)).toBeGreaterThan(shares[agents.indexOf(m.from)]!);
          expect(roundRobin(result, agents).moves).toEqual([]);
        },
      ),
    );
  });
});

describe('capacity', () => {
  it('never fills an agent past capacity (load outside the selection included)', () => {
    const list = candidates([null, null, null, null, 'a', 'b']);
    const plan = byCapacity(list, ['a', 'b'], { a: 3, b: 2 }, new Map([['a', 1]]));
    const result = after(list, plan);
    expect(count(result, 'a')).toBe(2);
    expect(count(result, 'b')).toBe(2);
    expect(plan.notAssigned.map((n) => n.reason)).toEqual(['capacity', 'capacity']);
    expect(byCapacity(result, ['a', 'b'], { a: 3, b: 2 }, new Map([['a', 1]])).moves).toEqual([]);
  });
});

describe('segment', () => {
  it('shares each segment among its agents; accounts of unmapped segments are not assigned', () => {
    const list = [
      { accountId: '1', agentId: null, segment: 'premium' },
      { accountId: '2', agentId: null, segment: 'premium' },
      { accountId: '3', agentId: 'z', segment: 'basic' },
      { accountId: '4', agentId: null, segment: null },
    ];
    const plan = bySegment(list, { premium: ['p1', 'p2'], basic: ['b1'] });
    expect(plan.moves).toEqual([
      { accountId: '3', from: 'z', to: 'b1' },
      { accountId: '1', from: null, to: 'p1' },
      { accountId: '2', from: null, to: 'p2' },
    ]);
    expect(plan.notAssigned).toEqual([{ accountId: '4', reason: 'no_segment' }]);
  });
});
