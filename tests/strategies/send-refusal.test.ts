// A send refused when it was about to leave (issue 8 item 7: the send activities re-read the debtor's channel
// status; a refusal there is a channel failure, never a send): the core records why, forgets the contact,
// and the step takes its fallback under a key of its own. Pure: the workflow sends `send_refused`.
import { describe, expect, it } from 'vitest';
import { localInstant } from '../../strategies/core/calendar';
import { decide, initialState, nextWakeAt } from '../../strategies/core/index';
import type { AccountState, Command, EngineContext, EngineEvent } from '../../strategies/core/types';
import { contextFor, parseScenario } from '../../strategies/simulate';
import { brief, mxDebtor, strategyWith } from './helpers';

const zone = 'America/Mexico_City';
const at = (local: string) => localInstant(local.slice(0, 10), local.slice(11, 16), zone);

/** An MX account opened on 2 Mar 2026 (invoice due that day) under `strategy`, its first step decided. */
function opened(strategy: Record<string, unknown>): { ctx: EngineContext; state: AccountState; commands: Command[] } {
  const parsed = parseScenario({
    start: '2026-03-02T10:00:00',
    until: '2026-04-01T00:00:00',
    strategy,
    debtor: mxDebtor,
    invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-03-02' }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  const { scenario } = parsed;
  const ctx = contextFor(scenario);
  let state = initialState({
    accountId: scenario.accountId,
    currency: scenario.currency,
    channels: scenario.channels,
    openedAt: scenario.start,
  });
  state = decide(ctx, state, { type: 'invoices', invoices: scenario.invoices }, scenario.start).state;
  // Day 1's step, at its due instant.
  const wake = nextWakeAt(ctx, state);
  const decided = decide(
    ctx,
    decide(ctx, state, { type: 'tick' }, wake ?? 0).state,
    { type: 'tick' },
    at('2026-03-03T07:00'),
  );
  return { ctx, state: decided.state, commands: decided.commands };
}

const emailFirst = (step: Record<string, unknown> = {}) =>
  strategyWith({
    stages: [
      {
        id: 'early',
        kind: 'administrative',
        fromDay: 1,
        steps: [
          { day: 1, action: 'message', channel: 'email', template: 'overdue', fallback: 'whatsapp', ...step },
          { day: 8, action: 'message', channel: 'email', template: 'overdue-15' },
        ],
      },
      { id: 'legal', kind: 'legal', fromDay: 90, terminal: 'legal_handoff' },
    ],
    contact: { maxPerDay: 1, minHoursBetween: 24 },
  });

const refusal = (reason = 'opted_out'): EngineEvent => ({
  type: 'send_refused',
  key: 'early/0/1',
  channel: 'email',
  reason,
});

describe('a send refused at send time', () => {
  it('is recorded as a skip with the channel status, is no contact, and the step falls back at once', () => {
    const { ctx, state, commands } = opened(emailFirst());
    expect(commands).toEqual([
      { type: 'send_message', key: 'early/0/1', channel: 'email', template: 'overdue', stageId: 'early' },
    ]);
    const after = decide(ctx, state, refusal(), at('2026-03-03T07:00') + 2_000);
    expect(brief(after.timeline)).toEqual([
      '2026-03-03T07:00:02-06:00 skipped reason=opted_out channel=email',
      '2026-03-03T07:00:02-06:00 message channel=whatsapp template=overdue',
    ]);
    expect(after.timeline.map((e) => e.key)).toEqual(['early/0/1', 'early/0/1/whatsapp']);
    // maxPerDay 1 and minHoursBetween 24 did not hold the fallback back: the refused email was no contact.
    expect(after.commands).toEqual([
      { type: 'send_message', key: 'early/0/1/whatsapp', channel: 'whatsapp', template: 'overdue', stageId: 'early' },
    ]);
    expect(after.state.contacts.map((c) => c.channel)).toEqual(['whatsapp']);
    expect(after.state.unansweredContacts).toBe(1);
    // Later email steps know the channel failed.
    const later = decide(ctx, after.state, { type: 'tick' }, at('2026-03-10T07:00'));
    expect(brief(later.timeline)).toEqual(['2026-03-10T07:00:00-06:00 skipped reason=channel_failed channel=email']);
  });

  it('a fallback not allowed now is deferred and later sent under the fallback key', () => {
    // The step at 21:59; the refusal comes back after 22:00, when Mexico's window has closed.
    const { ctx, state } = opened(emailFirst({ time: '21:59' }));
    const decided = decide(ctx, state, { type: 'tick' }, at('2026-03-03T21:59'));
    expect(decided.commands).toEqual([expect.objectContaining({ channel: 'email', key: 'early/0/1' })]);
    const refused = decide(ctx, decided.state, refusal('invalid'), at('2026-03-03T22:00') + 5_000);
    expect(brief(refused.timeline)).toEqual([
      '2026-03-03T22:00:05-06:00 skipped reason=invalid channel=email',
      '2026-03-03T22:00:05-06:00 deferred reason=outside_window channel=whatsapp until=2026-03-04T07:00:00-06:00',
    ]);
    expect(refused.commands).toEqual([]);
    const next = decide(ctx, refused.state, { type: 'tick' }, at('2026-03-04T07:00'));
    expect(next.commands).toEqual([
      { type: 'send_message', key: 'early/0/1/whatsapp', channel: 'whatsapp', template: 'overdue', stageId: 'early' },
    ]);
  });

  it('without a usable fallback the step is skipped with the channel status; a repeat changes nothing', () => {
    const { ctx, state } = opened(emailFirst({ fallback: undefined }));
    const refused = decide(ctx, state, refusal('complained'), at('2026-03-03T07:00') + 1_000);
    expect(brief(refused.timeline)).toEqual(['2026-03-03T07:00:01-06:00 skipped reason=complained channel=email']);
    expect(refused.commands).toEqual([]);
    expect(refused.state.contacts).toEqual([]);
    expect(refused.state.unansweredContacts).toBe(0);
    const again = decide(ctx, refused.state, refusal('complained'), at('2026-03-03T07:00') + 2_000);
    expect(again.timeline).toEqual([]);
    expect(again.state.contacts).toEqual([]);
  });

  it('a refused fallback is only recorded: the step has nothing left to try', () => {
    const { ctx, state } = opened(emailFirst());
    const fellBack = decide(ctx, state, refusal(), at('2026-03-03T07:00') + 1_000);
    const refusedToo = decide(
      ctx,
      fellBack.state,
      { type: 'send_refused', key: 'early/0/1/whatsapp', channel: 'whatsapp', reason: 'opted_out' },
      at('2026-03-03T07:00') + 2_000,
    );
    expect(brief(refusedToo.timeline)).toEqual(['2026-03-03T07:00:02-06:00 skipped reason=opted_out channel=whatsapp']);
    expect(refusedToo.commands).toEqual([]);
    expect(refusedToo.state.contacts).toEqual([]);
  });

  it('an older send_failed (a bounce reported later) still only marks the channel', () => {
    const { ctx, state } = opened(emailFirst());
    const failed = decide(
      ctx,
      state,
      { type: 'send_failed', key: 'early/0/1', channel: 'email', reason: 'bounced' },
      at('2026-03-03T09:00'),
    );
    expect(failed.timeline).toEqual([]);
    expect(failed.commands).toEqual([]);
    expect(failed.state.unavailable).toEqual(['email']);
  });
});
