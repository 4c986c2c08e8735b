// The contact budget across a debtor's accounts: contacts another account made (as the ledger reports
// them) count against the same per-debtor caps and gaps, except where the pack caps per debt (US).
import { describe, expect, it } from 'vitest';
import { decide, initialState, nextWakeAt, withDebtorContacts } from '../../strategies/core/index';
import type { AccountState, EngineContext, TimelineEntry } from '../../strategies/core/types';
import { contextFor, parseScenario } from '../../strategies/simulate';
import { strategyWith } from './helpers';

function setup(country: 'CO' | 'CL' | 'US', zone: string, currency: string) {
  const parsed = parseScenario({
    start: '2026-03-02T06:00:00',
    strategy: strategyWith({
      jurisdiction: country,
      stages: [
        {
          id: 'early',
          kind: 'administrative',
          fromDay: 1,
          steps: [{ day: 1, action: 'message', channel: 'email', template: 'overdue' }],
        },
      ],
    }),
    debtor: {
      externalId: `D-${country}`,
      name: 'Deudor',
      kind: 'person',
      country,
      timezone: zone,
      email: 'd@example.com',
      phone: '+15555550100',
    },
    invoices: [{ externalId: 'F-1', amount: '1000.00', currency, dueDate: '2026-03-02' }],
    until: '2026-03-16T00:00:00',
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const scenario = parsed.scenario;
  const ctx = contextFor(scenario);
  let state = initialState({ accountId: 'A2', currency, channels: scenario.channels, openedAt: scenario.start });
  for (const invoice of scenario.invoices) state = decide(ctx, state, invoice, scenario.start).state;
  return { ctx, state, start: scenario.start, until: scenario.until };
}

/** Runs the account's timers until `until`, returning what it did. */
function runUntil(ctx: EngineContext, state: AccountState, until: number): TimelineEntry[] {
  let s = state;
  for (let i = 0; i < 100; i++) {
    const wake = nextWakeAt(ctx, s);
    if (wake === null || wake > until) break;
    s = decide(ctx, s, { type: 'tick' }, wake).state;
  }
  return s.timeline.filter((e) => ['message', 'deferred', 'skipped', 'task'].includes(e.type));
}

const at = (iso: string) => Date.parse(iso);

describe('contacts made by the debtor’s other accounts', () => {
  it('CO: one contact a day and one channel a week per debtor', () => {
    const { ctx, state, start, until } = setup('CO', 'America/Bogota', 'COP');
    // Without other accounts, the day-1 email goes out at Tuesday's opening.
    expect(runUntil(ctx, state, until)[0]).toMatchObject({
      type: 'message',
      channel: 'email',
      at: '2026-03-03T07:00:00-05:00',
    });

    const other = withDebtorContacts(ctx, state, [{ at: at('2026-03-03T07:00:00-05:00'), channel: 'whatsapp' }], start);
    const timeline = runUntil(ctx, other, until);
    expect(timeline[0]).toMatchObject({
      type: 'deferred',
      channel: 'email',
      reason: 'max_per_day',
      until: '2026-03-09T07:00:00-05:00',
    });
    expect(timeline[1]).toMatchObject({ type: 'message', channel: 'email', at: '2026-03-09T07:00:00-05:00' });
  });

  it('CL: written contacts at least two days apart and two a week, across accounts', () => {
    const { ctx, state, start, until } = setup('CL', 'America/Santiago', 'CLP');
    const apart = withDebtorContacts(ctx, state, [{ at: at('2026-03-02T10:00:00-03:00'), channel: 'whatsapp' }], start);
    expect(runUntil(ctx, apart, until)[0]).toMatchObject({
      type: 'deferred',
      reason: 'min_days_between',
      until: '2026-03-04T08:00:00-03:00',
    });

    // Contacts of the previous week do not count against this one.
    const lastWeek = withDebtorContacts(
      ctx,
      state,
      [
        { at: at('2026-02-25T10:00:00-03:00'), channel: 'email' },
        { at: at('2026-02-27T10:00:00-03:00'), channel: 'whatsapp' },
      ],
      start,
    );
    expect(runUntil(ctx, lastWeek, until)[0]).toMatchObject({
      type: 'message',
      channel: 'email',
      at: '2026-03-03T08:00:00-03:00',
    });

    // Two written contacts this Monday through other accounts: the weekly cap of two is used up,
    // so the email waits for next Monday.
    const crowded = withDebtorContacts(
      ctx,
      state,
      [
        { at: at('2026-03-02T08:00:00-03:00'), channel: 'email' },
        { at: at('2026-03-02T09:00:00-03:00'), channel: 'whatsapp' },
      ],
      start,
    );
    const timeline = runUntil(ctx, crowded, until);
    expect(timeline[0]).toMatchObject({
      type: 'deferred',
      channel: 'email',
      reason: 'max_per_week',
      until: '2026-03-09T08:00:00-03:00',
    });
    expect(timeline[1]).toMatchObject({ type: 'message', channel: 'email', at: '2026-03-09T08:00:00-03:00' });
  });

  it('US: caps count per debt, so another account’s contacts do not defer this one', () => {
    const { ctx, state, start, until } = setup('US', 'America/New_York', 'USD');
    const other = withDebtorContacts(ctx, state, [{ at: at('2026-03-03T08:00:00-05:00'), channel: 'email' }], start);
    expect(runUntil(ctx, other, until)[0]).toMatchObject({
      type: 'message',
      channel: 'email',
      at: '2026-03-03T08:00:00-05:00',
    });
  });
});
