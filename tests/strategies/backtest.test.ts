// The backtest's replay (strategies/backtest.ts): a scenario's external events, read back from what its
// timeline recorded, reproduce that timeline exactly under the same strategy; under another version the
// strategy's own decisions (contacts, promise answers) are made anew.
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  backtestFigures,
  contactsOf,
  externalEvents,
  median,
  replayAccount,
  type RecordedAccount,
} from '../../strategies/backtest';
import type { TimelineEntry } from '../../strategies/core/types';
import { validateStrategy } from '../../strategies/definition';
import { kpis } from '../../strategies/kpis';
import { parseScenario, runScenario, contextFor, type Scenario } from '../../strategies/simulate';
import { brief, mxDebtor, strategyWith } from './helpers';

function simulated(input: unknown): { scenario: Scenario; timeline: TimelineEntry[] } {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return { scenario: parsed.scenario, timeline: runScenario(parsed.scenario, contextFor(parsed.scenario)).timeline };
}

/** What PostgreSQL would hold of a simulated account: its invoices, payments, opt-outs and its ledger. */
function recordedFrom(scenario: Scenario, timeline: TimelineEntry[]): RecordedAccount {
  const happened = scenario.events.filter((e) => e.at <= scenario.until);
  const payments = new Map<string, RecordedAccount['payments'][number]>();
  for (const { at, event } of happened)
    if (event.type === 'payment' && !payments.has(event.reference))
      payments.set(event.reference, {
        reference: event.reference,
        amountMinor: event.amountMinor,
        paidAt: at,
        receivedAt: at,
      });
  return {
    accountId: scenario.accountId,
    currency: scenario.currency,
    country: scenario.country,
    zone: scenario.zone,
    channels: scenario.channels,
    invoices: [
      ...scenario.invoices.map((i) => ({ ...i, acceptedAt: scenario.start })),
      ...happened.flatMap(({ at, event }) => (event.type === 'invoice' ? [{ ...event, acceptedAt: at }] : [])),
    ].map(({ externalId, amountMinor, dueDate, acceptedAt }) => ({ externalId, amountMinor, dueDate, acceptedAt })),
    payments: [...payments.values()],
    channelsOff: happened.flatMap(({ at, event }) =>
      event.type === 'opt_out' ? [{ channel: event.channel, at }] : [],
    ),
    timeline,
  };
}

const version = (definition: Record<string, unknown>, v: number) => {
  const result = validateStrategy(definition);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return { strategy: result.strategy, version: v };
};

const journey = {
  start: '2026-03-02T08:00:00',
  until: '2026-06-30T00:00:00',
  strategy: strategyWith({ escalations: [{ when: { brokenPromises: 1 }, goTo: 'prelegal' }] }),
  debtor: mxDebtor,
  invoices: [
    { externalId: 'F-1', amount: '1000.00', currency: 'MXN', dueDate: '2026-03-05' },
    { externalId: 'F-2', amount: '500.00', currency: 'MXN', dueDate: '2026-03-10' },
  ],
  events: [
    { at: '2026-03-06T12:00:00', type: 'contact_outcome', channel: 'call', outcome: 'no_answer' },
    { at: '2026-03-09T10:00:00', type: 'promise', amount: '600.00', dueDate: '2026-03-20' },
    { at: '2026-03-10T09:00:00', type: 'promise', amount: '100.00', dueDate: '2026-03-12' },
    {
      at: '2026-03-15T11:00:00',
      type: 'invoice',
      externalId: 'F-3',
      amount: '300.00',
      currency: 'MXN',
      dueDate: '2026-04-01',
    },
    { at: '2026-03-19T18:00:00', type: 'payment', amount: '200.00', reference: 'P1' },
    { at: '2026-03-19T18:30:00', type: 'payment', amount: '200.00', reference: 'P1' },
    { at: '2026-03-25T10:00:00', type: 'reply', channel: 'email', text: 'voy a pagar' },
    { at: '2026-03-26T10:00:00', type: 'dispute', reason: 'wrong_amount', invoiceExternalId: 'F-2' },
    { at: '2026-04-02T10:00:00', type: 'dispute_resolved', outcome: 'upheld', adjustment: '100.00' },
    { at: '2026-04-03T09:00:00', type: 'opt_out', channel: 'email' },
    { at: '2026-04-04T09:00:00', type: 'pause' },
    { at: '2026-04-08T09:00:00', type: 'resume' },
    {
      at: '2026-04-09T09:00:00',
      type: 'plan',
      installments: [
        { amount: '300.00', dueDate: '2026-04-15' },
        { amount: '1200.00', dueDate: '2026-05-15' },
      ],
    },
    { at: '2026-04-15T12:00:00', type: 'payment', amount: '300.00', reference: 'P2' },
    { at: '2026-05-10T12:00:00', type: 'write_off', amount: '50.00', reason: 'goodwill' },
  ],
};

describe('backtest replay', () => {
  it('replays a journey under its own strategy into exactly its timeline', () => {
    const { scenario, timeline } = simulated(journey);
    // The journey touches every kind of external event the ledger keeps.
    const types = new Set(timeline.map((e) => e.type));
    for (const t of ['promise_accepted', 'promise_rejected', 'promise_broken', 'dispute_resolved', 'plan_accepted'])
      expect(types).toContain(t);
    for (const t of ['paused', 'resumed', 'reply', 'contact_outcome', 'written_off', 'message', 'plan_broken'])
      expect(types).toContain(t);
    const replayed = replayAccount(
      recordedFrom(scenario, timeline),
      { strategy: scenario.strategy, version: 1 },
      scenario.until,
    );
    expect(replayed).toEqual(timeline);
  });

  it('replays only external events: what the strategy caused is decided anew, not copied', () => {
    const { scenario, timeline } = simulated(journey);
    const account = recordedFrom(scenario, timeline);
    const caused = new Set([
      'message',
      'task',
      'deferred',
      'skipped',
      'stage_entered',
      'promise_kept',
      'promise_broken',
    ]);
    const events = externalEvents(account);
    expect(events?.events.map((e) => e.event.type)).toEqual([
      'contact_outcome',
      'promise',
      'promise',
      'invoice',
      'payment',
      'reply',
      'dispute',
      'dispute_resolved',
      'opt_out',
      'pause',
      'resume',
      'plan',
      'payment',
      'write_off',
    ]);
    // The opening invoices are those that make up the `opened` balance, decided together.
    expect(events?.opening.map((i) => i.externalId)).toEqual(['F-1', 'F-2']);
    const withoutCaused = { ...account, timeline: timeline.filter((e) => !caused.has(e.type)) };
    const under = { strategy: scenario.strategy, version: 1 };
    expect(replayAccount(withoutCaused, under, scenario.until)).toEqual(timeline);
  });

  it('replays payments and invoices stored but not yet in the ledger at the time they were received', () => {
    const { scenario, timeline } = simulated({ ...journey, events: [] });
    const account = recordedFrom(scenario, timeline);
    const received = DateTime.fromISO('2026-03-20T10:00:00', { zone: scenario.zone }).toMillis();
    const replayed = replayAccount(
      {
        ...account,
        invoices: [
          ...account.invoices,
          { externalId: 'F-9', amountMinor: 20_000, dueDate: '2026-03-25', acceptedAt: received + 500 },
        ],
        payments: [
          { reference: 'LATE', amountMinor: 170_000, paidAt: received - 3_600_000, receivedAt: received + 900 },
        ],
      },
      { strategy: scenario.strategy, version: 1 },
      scenario.until,
    );
    expect(brief(replayed ?? []).filter((l) => l.startsWith('2026-03-20T10'))).toEqual([
      '2026-03-20T10:00:00-06:00 payment amount=1700.00',
      '2026-03-20T10:00:00-06:00 closed status=paid',
    ]);
  });

  it('under a stricter promise policy the promise is refused and the call comes eleven days earlier', () => {
    const input = {
      start: '2026-03-02T08:00:00',
      until: '2026-06-30T00:00:00',
      strategy: strategyWith(),
      debtor: mxDebtor,
      invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-03-05' }],
      events: [
        { at: '2026-03-09T10:00:00', type: 'promise', amount: '600.00', dueDate: '2026-03-20' },
        { at: '2026-03-19T18:00:00', type: 'payment', amount: '600.00', reference: 'P1' },
      ],
    };
    const { scenario, timeline } = simulated(input);
    const account = recordedFrom(scenario, timeline);
    const stricter = version(strategyWith({ promise: { maxDaysAhead: 15, minPercent: 50, graceDays: 1 } }), 2);
    const replayed = replayAccount(account, stricter, scenario.until) ?? [];
    const period = { from: '2026-03-01', to: '2026-06-30' };
    expect(contactsOf(timeline, period)).toEqual([
      '2026-03-06T07:00:00-06:00 message email',
      '2026-03-23T07:00:00-06:00 task call',
      '2026-04-06T07:00:00-06:00 message email',
    ]);
    expect(contactsOf(replayed, period)).toEqual([
      '2026-03-06T07:00:00-06:00 message email',
      '2026-03-12T07:00:00-06:00 task call',
      '2026-04-06T07:00:00-06:00 message email',
    ]);
    expect(brief(replayed).filter((l) => l.includes('promise'))).toEqual([
      '2026-03-09T10:00:00-06:00 promise_rejected reason=amount_too_low amount=600.00',
    ]);
    // The same payment still arrives: money is replayed, the promise's answer is the version's.
    const actual = backtestFigures([{ currency: 'MXN', timeline }], period);
    const simulatedFigures = backtestFigures([{ currency: 'MXN', timeline: replayed }], period);
    expect(actual.kpis).toEqual(kpis([{ currency: 'MXN', timeline }], period));
    expect(actual.kpis[0]).toMatchObject({ promises: 1, promisesKept: 1, collected: '600.00', attempts: 3 });
    expect(simulatedFigures.kpis[0]).toMatchObject({ promises: 0, promisesKept: 0, collected: '600.00', attempts: 3 });
    expect(simulatedFigures).toMatchObject({
      contacts: { attempts: 3, byChannel: { email: 2, call: 1 }, accounts: 1 },
      deferred: { outside_window: 1 },
      handoffs: { accounts: 1, byStatus: { legal_handoff: 1 } },
      timing: { medianDayOfFirstContact: 1, medianDayOfHandoff: 90 },
    });
  });

  it('median of the days', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
  });
});

// Random journeys, as in properties.test.ts but each event at its own instant (the ledger keeps the
// order within an instant, stored opt-outs and invoices come after it) and no refused plans (a refused
// plan's installments are not in its ledger entry).
const COUNTRIES = [
  { country: 'MX', zone: 'America/Mexico_City', currency: 'MXN', amount: 150_000, digits: 2 },
  { country: 'CO', zone: 'America/Bogota', currency: 'COP', amount: 25_000_000, digits: 2 },
  { country: 'CL', zone: 'America/Santiago', currency: 'CLP', amount: 90_000, digits: 0 },
] as const;
const KINDS = [
  'payment',
  'promise',
  'dispute',
  'resolve',
  'pause',
  'resume',
  'opt_out',
  'reply',
  'outcome',
  'invoice',
  'write_off',
  'recall',
] as const;

const eventArb = fc.record({
  minute: fc.integer({ min: 0, max: 110 * 24 * 60 }),
  kind: fc.constantFrom(...KINDS),
  percent: fc.integer({ min: 5, max: 120 }),
  ahead: fc.integer({ min: 0, max: 20 }),
});
const journeyArb = fc.record({
  place: fc.constantFrom(...COUNTRIES),
  startDay: fc.integer({ min: 0, max: 330 }),
  dueOffset: fc.integer({ min: -40, max: 10 }),
  tight: fc.boolean(),
  hasPhone: fc.boolean(),
  events: fc.uniqueArray(eventArb, { maxLength: 10, selector: (e) => e.minute }),
});

const { phone: _phone, ...withoutPhone } = mxDebtor;
const firstInvoice = { externalId: 'F1' };

function randomJourney(g: typeof journeyArb extends fc.Arbitrary<infer T> ? T : never): Record<string, unknown> {
  const { place } = g;
  const start = DateTime.fromISO('2026-01-01T09:00:00', { zone: place.zone }).plus({ days: g.startDay });
  const local = (d: DateTime) => d.toFormat("yyyy-MM-dd'T'HH:mm:ss");
  const amount = (percent: number) => {
    const minor = Math.max(1, Math.round((place.amount * percent) / 100));
    return place.digits === 0 ? String(minor) : (minor / 100).toFixed(2);
  };
  const events = g.events.map((e, i) => {
    const at = start.plus({ minutes: e.minute });
    const base = { at: local(at) };
    const date = (days: number) => at.plus({ days }).toISODate();
    switch (e.kind) {
      case 'payment':
        return { ...base, type: 'payment', amount: amount(e.percent / 2), reference: `R${i % 4}` };
      case 'promise':
        return { ...base, type: 'promise', amount: amount(e.percent), dueDate: date(e.ahead) };
      case 'dispute':
        return { ...base, type: 'dispute', reason: 'wrong_amount' };
      case 'resolve':
        return {
          ...base,
          type: 'dispute_resolved',
          outcome: e.percent > 60 ? 'upheld' : 'rejected',
          adjustment: amount(e.percent / 4),
        };
      case 'pause':
      case 'resume':
      case 'recall':
        return { ...base, type: e.kind };
      case 'opt_out':
        return { ...base, type: 'opt_out', channel: e.percent > 60 ? 'whatsapp' : 'email' };
      case 'reply':
        return { ...base, type: 'reply', channel: 'whatsapp', text: 'ok' };
      case 'outcome':
        return {
          ...base,
          type: 'contact_outcome',
          channel: 'call',
          outcome: e.percent > 50 ? 'right_party' : 'no_answer',
        };
      case 'invoice':
        return {
          ...base,
          type: 'invoice',
          externalId: `F${i + 2}`,
          amount: amount(e.percent),
          currency: place.currency,
          dueDate: date(e.ahead - 10),
        };
      case 'write_off':
        return { ...base, type: 'write_off', amount: amount(e.percent / 3), reason: 'goodwill' };
    }
  });
  const message = (day: number, channel: string) => ({ day, action: 'message', channel, template: 'overdue' });
  const due = start.plus({ days: g.dueOffset }).toISODate();
  return {
    start: local(start),
    until: local(start.plus({ days: 115 })),
    strategy: {
      id: `replay-${place.country}`,
      name: 'Replay',
      jurisdiction: place.country,
      contact: g.tight ? { maxPerDay: 1, maxPerWeek: { email: 2, whatsapp: 2 }, minHoursBetween: 20 } : {},
      stages: [
        {
          id: 'pre',
          kind: 'preventive',
          fromDay: -3,
          steps: [message(-3, 'email'), { ...message(0, 'whatsapp'), fallback: 'email' }],
        },
        {
          id: 'early',
          kind: 'administrative',
          fromDay: 1,
          steps: [message(1, 'whatsapp'), { day: 4, action: 'task', channel: 'call' }, message(9, 'email')],
        },
        {
          id: 'late',
          kind: 'prelegal',
          fromDay: 20,
          minDays: 10,
          steps: [message(20, 'email'), { day: 25, action: 'task', channel: 'visit' }],
        },
        { id: 'legal', kind: 'legal', fromDay: 60, terminal: 'legal_handoff' },
      ],
      escalations: [{ when: { brokenPromises: 1 }, goTo: 'late' }],
    },
    debtor: { ...(g.hasPhone ? mxDebtor : withoutPhone), country: place.country, timezone: place.zone },
    invoices: [{ ...firstInvoice, amount: amount(100), currency: place.currency, dueDate: due }],
    events,
  };
}

describe('backtest replay, properties', () => {
  it('any journey replayed under its own strategy reproduces its timeline exactly', () => {
    fc.assert(
      fc.property(journeyArb, (g) => {
        const { scenario, timeline } = simulated(randomJourney(g));
        const replayed = replayAccount(
          recordedFrom(scenario, timeline),
          { strategy: scenario.strategy, version: 1 },
          scenario.until,
        );
        expect(replayed).toEqual(timeline);
      }),
      { numRuns: 300 },
    );
  });

  it('the figures of a replay count what the KPI function counts', () => {
    fc.assert(
      fc.property(journeyArb, (g) => {
        const { scenario, timeline } = simulated(randomJourney(g));
        const period = { from: '2026-01-01', to: '2027-12-31' };
        const f = backtestFigures([{ currency: scenario.currency, timeline }], period);
        const [k] = kpis([{ currency: scenario.currency, timeline }], period);
        expect(f.kpis).toEqual(k ? [k] : []);
        expect(f.contacts.attempts).toBe(k?.attempts ?? 0);
        expect(f.deferred).toEqual(k?.deferred ?? {});
        const handoffs = timeline.filter((e) => e.type === 'closed' && e.status === 'legal_handoff').length;
        expect(f.handoffs.accounts).toBe(handoffs > 0 ? 1 : 0);
      }),
      { numRuns: 100 },
    );
  });
});
