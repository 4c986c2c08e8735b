// "What happens next?": the planned actions the pure core derives from an account's state, and the
// compliance rules a contact is checked against (GET /v1/accounts/{id}/explain builds on both).
import { describe, expect, it } from 'vitest';
import { plannedActions, rulesChecked } from '../../strategies/core/explain';
import { toView } from '../../strategies/core/view';
import { contextFor, parseScenario, runScenario } from '../../strategies/simulate';
import { mxDebtor, strategyWith } from './helpers';

function journey(until: string, events: unknown[] = [], dueDate = '2026-03-05') {
  const parsed = parseScenario({
    start: '2026-03-02T08:00:00',
    until,
    strategy: strategyWith({ escalations: [{ when: { brokenPromises: 2 }, goTo: 'prelegal' }] }),
    debtor: mxDebtor,
    invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate }],
    events,
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const ctx = contextFor(parsed.scenario);
  const state = runScenario(parsed.scenario, ctx);
  return { ctx, state, now: Math.min(state.clock, parsed.scenario.until) };
}

describe('plannedActions', () => {
  it('after the day-1 message: the day-7 call, then pre-legal by schedule, then the escalation that could come', () => {
    const { ctx, state, now } = journey('2026-03-06T12:00:00');
    expect(state.timeline.filter((e) => e.type === 'message')).toHaveLength(1);
    expect(plannedActions(ctx, state, now)).toEqual([
      {
        type: 'task',
        channel: 'call',
        at: '2026-03-12T07:00:00-06:00',
        reason: 'step early/1 (call) due on day 7 (2026-03-12)',
      },
      {
        type: 'stage_entered',
        channel: null,
        at: '2026-04-05T00:00:00-06:00',
        reason: 'stage prelegal by schedule on day 31',
      },
      { type: 'escalation', channel: null, at: null, reason: 'escalation to prelegal when brokenPromises 2 (now 0)' },
    ]);
    // The same next contact the account view shows.
    expect(toView(ctx, state, now).nextAction).toEqual({
      type: 'task',
      channel: 'call',
      at: '2026-03-12T07:00:00-06:00',
    });
  });

  it('a step deferred by the contact window: when it will be tried and the rule that holds it', () => {
    // Due 2026-03-07: day 1 is Sunday 8 March, which has no window in Mexico's pack.
    const { ctx, state, now } = journey('2026-03-08T12:00:00', [], '2026-03-07');
    const deferred = state.timeline.find((e) => e.type === 'deferred');
    expect(deferred).toMatchObject({ reason: 'outside_window', key: 'early/0/1' });
    const [first] = plannedActions(ctx, state, now);
    expect(first).toEqual({
      type: 'message',
      channel: 'email',
      at: deferred?.until,
      reason: `deferred: outside_window until ${String(deferred?.until)} (step early/0)`,
    });
  });

  it('an active promise: its deadline (due date + 1 grace day + 1) is next and no step is planned while it runs', () => {
    const { ctx, state, now } = journey('2026-03-10T12:00:00', [
      { at: '2026-03-10T10:00:00', type: 'promise', amount: '1500.00', dueDate: '2026-03-20' },
    ]);
    const next = plannedActions(ctx, state, now);
    expect(next[0]).toMatchObject({ type: 'promise_deadline', channel: null, at: '2026-03-22T00:00:00-06:00' });
    expect(next[0]?.reason).toContain('1500.00 due 2026-03-20');
    expect(next.filter((a) => a.type === 'message' || a.type === 'task')).toEqual([]);
  });

  it('paused: says so, with no contact planned', () => {
    const { ctx, state, now } = journey('2026-03-10T12:00:00', [{ at: '2026-03-09T10:00:00', type: 'pause' }]);
    const next = plannedActions(ctx, state, now);
    expect(next.map((a) => a.type)).toEqual(['stage_entered', 'paused', 'escalation']);
  });

  it('a closed account plans nothing', () => {
    const { ctx, state, now } = journey('2026-03-10T12:00:00', [
      { at: '2026-03-09T10:00:00', type: 'payment', amount: '1500.00', reference: 'P-1' },
    ]);
    expect(state.closed).toBe('paid');
    expect(plannedActions(ctx, state, now)).toEqual([]);
  });
});

describe('rulesChecked', () => {
  it("names the pack's and the strategy's rules for the channel, in the words deferrals use", () => {
    const { ctx } = journey('2026-03-02T09:00:00');
    const rules = rulesChecked(ctx, 'email');
    expect(rules).toEqual(expect.arrayContaining(['opted_out', 'no_address', 'outside_window']));
    expect(new Set(rules).size).toBe(rules.length);
    const withDaily = { ...ctx, strategy: { ...ctx.strategy, contact: { maxPerDay: 1 } } };
    expect(rulesChecked(withDaily, 'email')).toContain('max_per_day');
  });
});
