// The `payment_reversed` engine event (issue 12: refunds and chargebacks) in the pure core and the simulator:
// the balance goes back up, the timeline says so, promises and plans count net payments, a paid account is
// collected again, and repeated, unknown or excessive reversals change nothing more.
import { describe, expect, it } from 'vitest';
import { decide, initialState } from '../../strategies/core/index';
import type { AccountState, EngineContext } from '../../strategies/core/types';
import { contextFor, parseScenario } from '../../strategies/simulate';
import { kpis } from '../../strategies/kpis';
import { brief, mxDebtor, run } from '../strategies/helpers';

const base = {
  start: '2026-03-02T08:00:00',
  until: '2026-03-20T00:00:00',
  strategy: 'consumer-mx',
  debtor: mxDebtor,
  invoices: [
    { externalId: 'F1', amount: '600.00', currency: 'MXN', dueDate: '2026-02-20' },
    { externalId: 'F2', amount: '400.00', currency: 'MXN', dueDate: '2026-02-25' },
  ],
};

const moneyEntries = (timeline: ReturnType<typeof run>['timeline']) =>
  brief(
    timeline.filter((e) =>
      ['payment', 'payment_reversed', 'reopened', 'closed', 'promise_kept', 'promise_broken'].includes(e.type),
    ),
  );

describe('payment_reversed in the simulator', () => {
  it('a refund of part of a payment puts that much back on the balance and shows in the timeline', () => {
    const result = run({
      ...base,
      events: [
        { at: '2026-03-03T10:00:00', type: 'payment', amount: '700.00', reference: 'stripe:pi_1' },
        {
          at: '2026-03-04T10:00:00',
          type: 'payment_reversed',
          amount: '250.00',
          reference: 'stripe:pi_1',
          reversalId: 're_1',
        },
      ],
    });
    expect(result.balance).toBe('550.00');
    const reversal = result.timeline.find((e) => e.type === 'payment_reversed');
    expect(reversal).toMatchObject({ amount: '250.00', reference: 'stripe:pi_1', reversalId: 're_1' });
    expect(result.status).not.toBe('paid');
  });

  it('a chargeback of the payment that settled the account reopens it, and collection picks up', () => {
    const result = run({
      ...base,
      events: [
        { at: '2026-03-03T10:00:00', type: 'payment', amount: '1000.00', reference: 'stripe:pi_all' },
        { at: '2026-03-05T10:00:00', type: 'payment_reversed', amount: '1000.00', reference: 'stripe:pi_all' },
      ],
    });
    expect(moneyEntries(result.timeline)).toEqual([
      expect.stringMatching(/^2026-03-03T10:00:00-06:00 payment amount=1000\.00$/),
      expect.stringMatching(/^2026-03-03T10:00:00-06:00 closed status=paid$/),
      expect.stringMatching(/^2026-03-05T10:00:00-06:00 payment_reversed amount=1000\.00$/),
      expect.stringMatching(/^2026-03-05T10:00:00-06:00 reopened reason=payment_reversed$/),
    ]);
    expect(result.balance).toBe('1000.00');
    expect(result.status).not.toBe('paid');
    // Collection goes on after the reopening: the strategy contacts the debtor again.
    const after = result.timeline.filter(
      (e) => e.at > '2026-03-05T10:00:00' && (e.type === 'message' || e.type === 'task'),
    );
    expect(after.length).toBeGreaterThan(0);
  });

  it('the same reversal twice, a reversal of an unknown payment, and one above the payment change nothing more', () => {
    const result = run({
      ...base,
      events: [
        { at: '2026-03-03T10:00:00', type: 'payment', amount: '300.00', reference: 'mercadopago:1' },
        { at: '2026-03-04T10:00:00', type: 'payment_reversed', amount: '300.00', reference: 'mercadopago:1' },
        { at: '2026-03-04T11:00:00', type: 'payment_reversed', amount: '300.00', reference: 'mercadopago:1' },
        { at: '2026-03-04T12:00:00', type: 'payment_reversed', amount: '50.00', reference: 'mercadopago:unknown' },
      ],
    });
    expect(result.timeline.filter((e) => e.type === 'payment_reversed')).toHaveLength(1);
    expect(result.balance).toBe('1000.00');

    const capped = run({
      ...base,
      events: [
        { at: '2026-03-03T10:00:00', type: 'payment', amount: '300.00', reference: 'p' },
        { at: '2026-03-04T10:00:00', type: 'payment_reversed', amount: '100.00', reference: 'p', reversalId: 'r1' },
        { at: '2026-03-04T11:00:00', type: 'payment_reversed', amount: '900.00', reference: 'p', reversalId: 'r2' },
        { at: '2026-03-04T12:00:00', type: 'payment_reversed', amount: '1.00', reference: 'p', reversalId: 'r3' },
      ],
    });
    // 100 then what is left of the 300 (200); nothing is left for the third.
    expect(capped.timeline.filter((e) => e.type === 'payment_reversed').map((e) => e.amount)).toEqual([
      '100.00',
      '200.00',
    ]);
    expect(capped.balance).toBe('1000.00');
  });

  it('a promise counts net payments: a refunded payment no longer keeps it', () => {
    const promise = { at: '2026-03-02T09:00:00', type: 'promise', amount: '500.00', dueDate: '2026-03-09' };
    const kept = run({
      ...base,
      events: [promise, { at: '2026-03-03T10:00:00', type: 'payment', amount: '500.00', reference: 'p' }],
    });
    expect(kept.timeline.some((e) => e.type === 'promise_kept')).toBe(true);
    const reversed = run({
      ...base,
      events: [
        promise,
        { at: '2026-03-03T10:00:00', type: 'payment', amount: '500.00', reference: 'p' },
        { at: '2026-03-04T10:00:00', type: 'payment_reversed', amount: '500.00', reference: 'p' },
      ],
    });
    expect(reversed.timeline.some((e) => e.type === 'promise_kept')).toBe(false);
    expect(reversed.timeline.find((e) => e.type === 'promise_broken')).toMatchObject({ paid: '0.00' });
  });

  it('the scenario schema names a bad reversal amount', () => {
    const parsed = parseScenario({
      ...base,
      events: [{ at: '2026-03-03T10:00:00', type: 'payment_reversed', amount: 'ten', reference: 'p' }],
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.map((e) => e.path)).toContain('events[0].amount');
  });

  it('KPIs: collected is net of reversals', () => {
    const result = run({
      ...base,
      events: [
        { at: '2026-03-03T10:00:00', type: 'payment', amount: '700.00', reference: 'p' },
        { at: '2026-03-04T10:00:00', type: 'payment_reversed', amount: '200.00', reference: 'p', reversalId: 'r' },
      ],
    });
    const [mxn] = kpis([{ currency: 'MXN', timeline: result.timeline }], { from: '2026-03-01', to: '2026-03-31' });
    expect(mxn?.collected).toBe('500.00');
    expect(mxn?.recovered).toBe('500.00');
  });
});

describe('payment_reversed in the core', () => {
  const scenario = parseScenario({ ...base, events: [] });
  if (!scenario.ok) throw new Error('scenario');
  const ctx: EngineContext = contextFor(scenario.scenario);
  const t0 = scenario.scenario.start;
  const opened = (): AccountState => {
    const s = initialState({
      accountId: 'A',
      currency: 'MXN',
      channels: { email: true, whatsapp: true },
      openedAt: t0,
    });
    return decide(ctx, s, { type: 'invoices', invoices: scenario.scenario.invoices }, t0).state;
  };

  it('gives back the invoice paid last first, and never mutates its input', () => {
    const paid = decide(ctx, opened(), { type: 'payment', amountMinor: 70_000, reference: 'p' }, t0 + 1000).state;
    // 600 on F1 (oldest), 100 on F2.
    expect(paid.invoices.map((i) => i.openMinor)).toEqual([0, 30_000]);
    const before = JSON.stringify(paid);
    const reversed = decide(ctx, paid, { type: 'payment_reversed', amountMinor: 20_000, reference: 'p' }, t0 + 2000);
    expect(JSON.stringify(paid)).toBe(before);
    // F2 (paid last) first: 100 back, then 100 of F1.
    expect(reversed.state.invoices.map((i) => i.openMinor)).toEqual([10_000, 40_000]);
    expect(reversed.state.paymentAmounts).toEqual({ p: 50_000 });
    expect(reversed.timeline.map((e) => e.type)).toContain('payment_reversed');
  });

  it('an overpayment’s unapplied credit goes first', () => {
    const paid = decide(ctx, opened(), { type: 'payment', amountMinor: 120_000, reference: 'p' }, t0 + 1000).state;
    expect(paid.creditMinor).toBe(20_000);
    expect(paid.closed).toBe('paid');
    const reversed = decide(ctx, paid, { type: 'payment_reversed', amountMinor: 30_000, reference: 'p' }, t0 + 2000);
    expect(reversed.state.creditMinor).toBe(0);
    expect(reversed.state.invoices.map((i) => i.openMinor)).toEqual([0, 10_000]);
    expect(reversed.state.closed).toBeNull();
    expect(reversed.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['payment_reversed', 'reopened']));
  });

  it('a state carried from before reversals (no payment amounts) takes the reversal as given', () => {
    const paid = decide(ctx, opened(), { type: 'payment', amountMinor: 50_000, reference: 'p' }, t0 + 1000).state;
    const old: AccountState = { ...paid };
    delete old.paymentAmounts;
    const reversed = decide(ctx, old, { type: 'payment_reversed', amountMinor: 50_000, reference: 'p' }, t0 + 2000);
    expect(reversed.state.invoices.map((i) => i.openMinor)).toEqual([60_000, 40_000]);
    expect(reversed.state.reversals).toEqual(['p']);
  });
});
