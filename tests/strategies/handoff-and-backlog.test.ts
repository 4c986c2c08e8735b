// What a real portfolio broke: invoices that arrive together, backlogs, hand-offs that lost money,
// promise deadlines during a pause, and one promise id. Each journey is checked against CONTRACT §3.
import { describe, expect, it } from 'vitest';
import { validateStrategy } from '../../strategies/definition';
import { brief, mxDebtor, run } from './helpers';

const start = '2026-03-02T08:00:00';

describe('invoices that arrive together', () => {
  it('all count in the balance and the oldest one sets the day, before any stage is chosen', () => {
    const result = run({
      start,
      until: '2026-03-02T12:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices: [
        { externalId: 'F-1', amount: '1000.00', currency: 'MXN', dueDate: '2026-02-27' },
        { externalId: 'F-2', amount: '2374.97', currency: 'MXN', dueDate: '2025-08-14' },
        { externalId: 'F-3', amount: '500.03', currency: 'MXN', dueDate: '2026-01-10' },
        { externalId: 'F-4', amount: '125.00', currency: 'MXN', dueDate: '2026-03-01' },
      ],
    });
    expect(result.balance).toBe('4000.00');
    // 200 days past due of F-2: the first decision already knows it (no "early" message for F-1 first).
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=4000.00',
      '2026-03-02T08:00:00-06:00 stage_entered reason=schedule',
      '2026-03-02T08:00:00-06:00 message channel=email template=prelegal-notice',
    ]);
    expect(result.timeline[1]).toMatchObject({ day: 200, stage: 'prelegal' });
  });
});

describe('a backlog gets its notice before any hand-off (minDays)', () => {
  it('a 200-day invoice enters pre-legal, gets the notice, and is handed off 10 days later; money still counts', () => {
    const result = run({
      start,
      until: '2026-04-01T00:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2025-08-14' }],
      events: [
        { at: '2026-03-15T10:00:00', type: 'payment', amount: '500.00', reference: 'P-1' },
        {
          at: '2026-03-16T10:00:00',
          type: 'invoice',
          externalId: 'F-2',
          amount: '200.00',
          currency: 'MXN',
          dueDate: '2026-03-01',
        },
        { at: '2026-03-17T10:00:00', type: 'dispute', reason: 'wrong amount', invoiceExternalId: 'F-2' },
        { at: '2026-03-18T10:00:00', type: 'dispute_resolved', outcome: 'upheld', adjustment: '200.00' },
        { at: '2026-03-20T10:00:00', type: 'payment', amount: '1000.00', reference: 'P-2' },
      ],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=1500.00',
      '2026-03-02T08:00:00-06:00 stage_entered reason=schedule',
      '2026-03-02T08:00:00-06:00 message channel=email template=prelegal-notice',
      '2026-03-12T00:00:00-06:00 stage_entered reason=schedule',
      '2026-03-12T00:00:00-06:00 closed status=legal_handoff',
      '2026-03-15T10:00:00-06:00 payment amount=500.00',
      '2026-03-17T10:00:00-06:00 dispute_opened reason=wrong amount',
      '2026-03-18T10:00:00-06:00 dispute_resolved',
      '2026-03-20T10:00:00-06:00 payment amount=1000.00',
      '2026-03-20T10:00:00-06:00 closed status=paid',
    ]);
    expect(result.status).toBe('paid');
    expect(result.balance).toBe('0.00');
  });

  it('a handed-off account stays handed off with a partial payment and takes new invoices into its balance', () => {
    const result = run({
      start,
      until: '2026-04-01T00:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2025-08-14' }],
      events: [
        { at: '2026-03-15T10:00:00', type: 'payment', amount: '500.00', reference: 'P-1' },
        {
          at: '2026-03-16T10:00:00',
          type: 'invoice',
          externalId: 'F-2',
          amount: '200.00',
          currency: 'MXN',
          dueDate: '2026-03-01',
        },
        { at: '2026-03-17T10:00:00', type: 'promise', amount: '1200.00', dueDate: '2026-03-20' },
      ],
    });
    expect(result.status).toBe('legal_handoff');
    expect(result.balance).toBe('1200.00');
    // No automated contact after the hand-off, and no promise over it.
    const after = result.timeline.filter((e) => e.at > '2026-03-12');
    expect(after.filter((e) => e.type === 'message' || e.type === 'task')).toEqual([]);
    expect(after.at(-1)).toMatchObject({ type: 'promise_rejected', reason: 'handed_off' });
  });

  it('a stage without minDays is passed over by a backlog; one with minDays is entered', () => {
    const result = run({
      start,
      until: '2026-03-03T00:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-01-20' }],
    });
    // Day 41: early (no minDays) is passed over; pre-legal holds (minDays) and is played from its start.
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=1500.00',
      '2026-03-02T08:00:00-06:00 stage_entered reason=schedule',
      '2026-03-02T08:00:00-06:00 message channel=email template=prelegal-notice',
    ]);
    expect(result.timeline[1]).toMatchObject({ stage: 'prelegal', day: 41 });
  });

  it('refuses minDays on a terminal stage, naming its path', () => {
    const checked = validateStrategy({
      id: 'x',
      name: 'X',
      jurisdiction: 'MX',
      stages: [
        { id: 'early', kind: 'administrative', fromDay: 1, minDays: 5 },
        { id: 'legal', kind: 'legal', fromDay: 90, terminal: 'legal_handoff', minDays: 3 },
      ],
    });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.errors.map((e) => e.path)).toEqual(['stages[1].minDays']);
  });
});

describe('write-off and recall', () => {
  const handedOff = {
    start,
    strategy: 'consumer-mx',
    debtor: mxDebtor,
    invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2025-08-14' }],
  };

  it('a write-off reduces the balance; writing off the rest closes the account written_off', () => {
    const result = run({
      ...handedOff,
      until: '2026-04-01T00:00:00',
      events: [
        { at: '2026-03-14T10:00:00', type: 'write_off', amount: '300.00', reason: 'settlement discount' },
        { at: '2026-03-15T10:00:00', type: 'payment', amount: '1000.00', reference: 'P-1' },
        { at: '2026-03-16T10:00:00', type: 'write_off', amount: '9999.00', reason: 'uncollectable' },
      ],
    });
    expect(brief(result.timeline).slice(5)).toEqual([
      '2026-03-14T10:00:00-06:00 written_off reason=settlement discount amount=300.00',
      '2026-03-15T10:00:00-06:00 payment amount=1000.00',
      '2026-03-16T10:00:00-06:00 written_off reason=uncollectable amount=200.00',
      '2026-03-16T10:00:00-06:00 closed status=written_off',
    ]);
    expect(result.status).toBe('written_off');
    expect(result.balance).toBe('0.00');
  });

  it('a recall takes a handed-off account back to pre-legal, plays it from its start, and holds it there', () => {
    const result = run({
      ...handedOff,
      until: '2026-04-15T00:00:00',
      events: [{ at: '2026-03-16T09:00:00', type: 'recall' }],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=1500.00',
      '2026-03-02T08:00:00-06:00 stage_entered reason=schedule',
      '2026-03-02T08:00:00-06:00 message channel=email template=prelegal-notice',
      '2026-03-12T00:00:00-06:00 stage_entered reason=schedule',
      '2026-03-12T00:00:00-06:00 closed status=legal_handoff',
      '2026-03-16T09:00:00-06:00 stage_entered reason=recall',
      // 16 March 2026 is a Mexican public holiday (Benito Juárez): the notice goes at the next window.
      '2026-03-17T07:00:00-06:00 message channel=email template=prelegal-notice',
      '2026-03-26T00:00:00-06:00 stage_entered reason=schedule',
      '2026-03-26T00:00:00-06:00 closed status=legal_handoff',
    ]);
    expect(result.timeline[5]).toMatchObject({ stage: 'prelegal' });
  });
});

describe('promise deadlines during a pause or dispute', () => {
  it('a promise that falls due while paused is broken on its own day; contact waits for the resumption', () => {
    const result = run({
      start,
      until: '2026-04-10T00:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-02-27' }],
      events: [
        { at: '2026-03-03T10:00:00', type: 'promise', amount: '1500.00', dueDate: '2026-03-10' },
        { at: '2026-03-05T10:00:00', type: 'pause' },
        { at: '2026-03-25T10:00:00', type: 'resume' },
      ],
    });
    const lines = brief(result.timeline);
    // Judged at the start of dueDate + graceDays (1) + 1 = 2026-03-12, not at the resumption.
    expect(lines).toContain('2026-03-12T00:00:00-06:00 promise_broken amount=1500.00');
    const broken = lines.findIndex((l) => l.includes('promise_broken'));
    const resumed = lines.findIndex((l) => l.includes('resumed'));
    expect(broken).toBeLessThan(resumed);
    // Nothing is sent between the pause and the resumption.
    const sentWhilePaused = result.timeline.filter(
      (e) => (e.type === 'message' || e.type === 'task') && e.at > '2026-03-05T10' && e.at < '2026-03-25T10',
    );
    expect(sentWhilePaused).toEqual([]);
    expect(result.timeline.find((e) => e.type === 'promise_broken')).toMatchObject({ at: '2026-03-12T00:00:00-06:00' });
  });
});

describe('one promise id', () => {
  it('the accepted entry carries the id; a refusal for a low amount says the minimum', () => {
    const result = run({
      start,
      until: '2026-03-04T00:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-02-27' }],
      events: [
        { at: '2026-03-02T10:00:00', type: 'promise', amount: '100.00', dueDate: '2026-03-10' },
        { at: '2026-03-02T11:00:00', type: 'promise', amount: '450.00', dueDate: '2026-03-10' },
      ],
    });
    const rejected = result.timeline.find((e) => e.type === 'promise_rejected');
    expect(rejected).toMatchObject({ reason: 'amount_too_low', minimum: '450.00' });
    const accepted = result.timeline.find((e) => e.type === 'promise_accepted');
    expect(accepted?.promiseId).toBe(`promise-${Date.parse('2026-03-02T11:00:00-06:00')}`);
  });
});
