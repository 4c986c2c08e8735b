// The KPI function: hand-worked examples, then properties over random timelines.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../strategies/core/types';
import { kpis, type AccountTimeline, type Kpis } from '../../strategies/kpis';
import { run } from './helpers';

const entry = (at: string, type: string, extra: Record<string, unknown> = {}): TimelineEntry => ({
  at: `${at}-06:00`,
  day: 0,
  stage: 'early',
  type,
  ...extra,
});

describe('kpis: hand-worked examples', () => {
  // Two MXN accounts and one CLP account; the period is 1–31 March (local dates).
  const ana: AccountTimeline = {
    currency: 'MXN',
    timeline: [
      entry('2026-03-02T08:00:00', 'opened', { amount: '1500.00' }),
      entry('2026-03-02T08:00:00', 'stage_entered', { reason: 'schedule' }),
      entry('2026-03-02T08:00:00', 'message', { channel: 'email', template: 'upcoming' }),
      entry('2026-03-05T07:00:00', 'message', { channel: 'whatsapp', template: 'due-today' }),
      entry('2026-03-05T09:00:00', 'reply', { channel: 'whatsapp' }),
      entry('2026-03-06T07:00:00', 'deferred', { channel: 'email', reason: 'max_per_day', until: 'x' }),
      entry('2026-03-10T10:00:00', 'promise_accepted', { amount: '1500.00', dueDate: '2026-03-20' }),
      entry('2026-03-20T18:00:00', 'payment', { amount: '1000.00', reference: 'P1' }),
      entry('2026-03-22T00:00:00', 'promise_broken'),
      // After the period: not counted.
      entry('2026-04-01T00:00:00', 'payment', { amount: '500.00', reference: 'P2' }),
    ],
  };
  // Opened in February (not placed in March), pays 2000.00 in March and closes paid.
  const bruno: AccountTimeline = {
    currency: 'MXN',
    timeline: [
      entry('2026-02-10T08:00:00', 'opened', { amount: '2000.00' }),
      entry('2026-02-12T08:00:00', 'task', { channel: 'call' }),
      entry('2026-03-03T08:00:00', 'task', { channel: 'call' }),
      entry('2026-03-03T09:00:00', 'contact_outcome', { channel: 'call', outcome: 'right_party' }),
      entry('2026-03-03T09:30:00', 'contact_outcome', { channel: 'call', outcome: 'no_answer' }),
      entry('2026-03-04T08:00:00', 'skipped', { channel: 'whatsapp', reason: 'opted_out' }),
      entry('2026-03-09T10:00:00', 'promise_accepted', { amount: '2000.00', dueDate: '2026-03-12' }),
      entry('2026-03-12T12:00:00', 'payment', { amount: '2000.00', reference: 'P3' }),
      entry('2026-03-12T12:00:00', 'promise_kept'),
      entry('2026-03-12T12:00:00', 'closed', { status: 'paid' }),
    ],
  };
  // Overpays: recovered stops at what was placed.
  const carla: AccountTimeline = {
    currency: 'CLP',
    timeline: [
      entry('2026-03-31T23:00:00', 'opened', { amount: '90000' }),
      entry('2026-03-31T23:30:00', 'payment', { amount: '100000', reference: 'P4' }),
    ],
  };

  it('counts what happened from 1 to 31 March, one result per currency', () => {
    expect(kpis([ana, bruno, carla], { from: '2026-03-01', to: '2026-03-31' })).toEqual([
      {
        currency: 'CLP',
        accounts: 1,
        opened: 1,
        placed: '90000',
        collected: '100000',
        recovered: '90000',
        recoveryRate: 1,
        promises: 0,
        promisesKept: 0,
        promisesBroken: 0,
        keptRate: null,
        attempts: 0,
        messages: {},
        tasks: {},
        rightPartyContacts: 0,
        rpcRate: null,
        deferred: {},
        skipped: {},
        closed: {},
      },
      {
        currency: 'MXN',
        accounts: 2,
        opened: 1,
        placed: '1500.00',
        // Ana's 1000.00 and Bruno's 2000.00; only Ana's counts against what March placed.
        collected: '3000.00',
        recovered: '1000.00',
        recoveryRate: 1000 / 1500,
        promises: 2,
        promisesKept: 1,
        promisesBroken: 1,
        keptRate: 0.5,
        attempts: 3,
        messages: { email: 1, whatsapp: 1 },
        tasks: { call: 1 },
        // Ana's reply and Bruno's right-party call; "no_answer" is not one.
        rightPartyContacts: 2,
        rpcRate: 2 / 3,
        deferred: { max_per_day: 1 },
        skipped: { opted_out: 1 },
        closed: { paid: 1 },
      },
    ]);
  });

  it('a period with no activity answers zeros and nulls for the currencies asked, and nothing else', () => {
    const [none, ...rest] = kpis([ana, bruno], { from: '2025-01-01', to: '2025-12-31', currencies: ['MXN'] });
    expect(rest).toEqual([]);
    expect(none).toMatchObject({
      currency: 'MXN',
      accounts: 0,
      placed: '0.00',
      collected: '0.00',
      recoveryRate: null,
      keptRate: null,
      rpcRate: null,
      messages: {},
    });
    expect(kpis([ana], { from: '2025-01-01', to: '2025-12-31' })).toEqual([]);
  });

  it('counts by the local date of `at`, whatever the offset', () => {
    const late: AccountTimeline = {
      currency: 'MXN',
      timeline: [{ at: '2026-03-31T23:59:00-06:00', day: 0, stage: 'early', type: 'message', channel: 'email' }],
    };
    expect(kpis([late], { from: '2026-04-01', to: '2026-04-30' })).toEqual([]);
    expect(kpis([late], { from: '2026-03-31', to: '2026-03-31' })[0]?.attempts).toBe(1);
  });

  it('figures a simulated account (the mx-promise-kept journey) the way its timeline reads', () => {
    const result = run({
      start: '2026-03-02T08:00:00',
      until: '2026-05-01T00:00:00',
      strategy: 'consumer-mx',
      debtor: { externalId: 'D1', name: 'Ana', kind: 'person', country: 'MX', email: 'a@example.com' },
      invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-03-05' }],
      events: [
        { at: '2026-03-12T10:00:00', type: 'promise', amount: '1500.00', dueDate: '2026-03-20' },
        { at: '2026-03-20T18:00:00', type: 'payment', amount: '1500.00', reference: 'P1' },
      ],
    });
    const [k] = kpis([{ currency: 'MXN', timeline: result.timeline }], { from: '2026-03-01', to: '2026-03-31' });
    expect(k).toMatchObject({
      accounts: 1,
      placed: '1500.00',
      collected: '1500.00',
      recoveryRate: 1,
      promises: 1,
      promisesKept: 1,
      keptRate: 1,
      closed: { paid: 1 },
    });
    expect(k?.attempts).toBe(result.timeline.filter((e) => e.type === 'message' || e.type === 'task').length);
  });
});

// Random timelines: an `opened` entry, then entries of any type on later dates in Jan–Mar 2026.
const CURRENCIES = ['MXN', 'CLP', 'USD'] as const;
const TYPES = [
  'payment',
  'promise_accepted',
  'promise_kept',
  'promise_broken',
  'message',
  'task',
  'contact_outcome',
  'reply',
  'deferred',
  'skipped',
  'closed',
  'stage_entered',
] as const;
const dayOf = (n: number) =>
  `2026-${String(1 + Math.floor(n / 28)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;

const timelineArb: fc.Arbitrary<AccountTimeline> = fc
  .record({
    currency: fc.constantFrom(...CURRENCIES),
    openedOn: fc.integer({ min: 0, max: 83 }),
    placed: fc.integer({ min: 1, max: 1_000_000 }),
    entries: fc.array(
      fc.record({
        after: fc.integer({ min: 0, max: 40 }),
        type: fc.constantFrom(...TYPES),
        amount: fc.integer({ min: 1, max: 500_000 }),
        channel: fc.constantFrom('email', 'whatsapp', 'call'),
        word: fc.constantFrom('right_party', 'no_answer', 'max_per_day', 'paid', 'superseded'),
      }),
      { maxLength: 25 },
    ),
  })
  .map(({ currency, openedOn, placed, entries }) => {
    const money = (minor: number) => (currency === 'CLP' ? String(minor) : (minor / 100).toFixed(2));
    const at = (n: number) => `${dayOf(Math.min(83, n))}T10:00:00-06:00`;
    const rest = entries
      .map((e) => ({ ...e, on: openedOn + e.after }))
      .sort((a, b) => a.on - b.on)
      .map((e): TimelineEntry => ({
        at: at(e.on),
        day: 0,
        stage: 'early',
        type: e.type,
        channel: e.channel,
        ...(e.type === 'payment' ? { amount: money(e.amount) } : {}),
        ...(e.type === 'contact_outcome' ? { outcome: e.word } : {}),
        ...(e.type === 'deferred' || e.type === 'skipped' ? { reason: e.word } : {}),
        ...(e.type === 'closed' ? { status: e.word } : {}),
      }));
    return {
      currency,
      timeline: [{ at: at(openedOn), day: 0, stage: 'none', type: 'opened', amount: money(placed) }, ...rest],
    };
  });

const periodArb = fc
  .tuple(fc.integer({ min: 0, max: 83 }), fc.integer({ min: 0, max: 83 }))
  .map(([a, b]) => ({ from: dayOf(Math.min(a, b)), to: dayOf(Math.max(a, b)) }));

const minorOf = (k: Kpis, field: 'placed' | 'collected' | 'recovered') =>
  Math.round(Number(k[field]) * (k.currency === 'CLP' ? 1 : 100));
const ADDITIVE = ['opened', 'promises', 'promisesKept', 'promisesBroken', 'attempts', 'rightPartyContacts'] as const;
const MAPS = ['messages', 'tasks', 'deferred', 'skipped', 'closed'] as const;

describe('kpis: properties', () => {
  it('rates are in [0, 1] or null (null exactly when the denominator is 0); recovered ≤ placed and ≤ collected', () => {
    fc.assert(
      fc.property(fc.array(timelineArb, { maxLength: 12 }), periodArb, (timelines, period) => {
        for (const k of kpis(timelines, period)) {
          for (const r of [k.recoveryRate, k.keptRate, k.rpcRate]) if (r !== null) expect(r >= 0 && r <= 1).toBe(true);
          expect(k.recoveryRate === null).toBe(k.placed === '0.00' || k.placed === '0');
          expect(k.keptRate === null).toBe(k.promisesKept + k.promisesBroken === 0);
          expect(k.rpcRate === null).toBe(k.attempts === 0);
          expect(minorOf(k, 'recovered')).toBeLessThanOrEqual(Math.min(minorOf(k, 'placed'), minorOf(k, 'collected')));
        }
      }),
    );
  });

  it('collected is the sum of the payment amounts in the period, per currency', () => {
    fc.assert(
      fc.property(fc.array(timelineArb, { maxLength: 12 }), periodArb, (timelines, period) => {
        for (const k of kpis(timelines, period)) {
          let sum = 0;
          for (const t of timelines.filter((x) => x.currency === k.currency))
            for (const e of t.timeline)
              if (e.type === 'payment' && e.at.slice(0, 10) >= period.from && e.at.slice(0, 10) <= period.to)
                sum += Math.round(Number(e.amount) * (k.currency === 'CLP' ? 1 : 100));
          expect(minorOf(k, 'collected')).toBe(sum);
        }
      }),
    );
  });

  it('splitting a period in two adds up for the additive figures', () => {
    fc.assert(
      fc.property(fc.array(timelineArb, { maxLength: 12 }), fc.integer({ min: 1, max: 83 }), (timelines, cut) => {
        const whole = kpis(timelines, { from: dayOf(0), to: dayOf(83) });
        const first = kpis(timelines, { from: dayOf(0), to: dayOf(cut - 1) });
        const second = kpis(timelines, { from: dayOf(cut), to: dayOf(83) });
        for (const k of whole) {
          const a = first.find((x) => x.currency === k.currency);
          const b = second.find((x) => x.currency === k.currency);
          for (const field of ADDITIVE) expect((a?.[field] ?? 0) + (b?.[field] ?? 0)).toBe(k[field]);
          for (const field of ['placed', 'collected'] as const)
            expect((a ? minorOf(a, field) : 0) + (b ? minorOf(b, field) : 0)).toBe(minorOf(k, field));
          for (const field of MAPS)
            for (const [key, n] of Object.entries(k[field]))
              expect((a?.[field][key] ?? 0) + (b?.[field][key] ?? 0)).toBe(n);
          expect(k.accounts).toBeLessThanOrEqual((a?.accounts ?? 0) + (b?.accounts ?? 0));
        }
      }),
    );
  });

  it('currencies never mix: each result equals the figures of that currency’s accounts alone', () => {
    fc.assert(
      fc.property(fc.array(timelineArb, { maxLength: 12 }), periodArb, (timelines, period) => {
        const all = kpis(timelines, period);
        expect(new Set(all.map((k) => k.currency)).size).toBe(all.length);
        for (const k of all)
          expect(
            kpis(
              timelines.filter((t) => t.currency === k.currency),
              period,
            ),
          ).toEqual([k]);
      }),
    );
  });
});
