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

  // consumer-mx: plan graceDays 3, promise graceDays 1, two broken promises (a broken plan counts as one)
  // escalate to pre-legal, whose visit comes 14 days after its notice. Invoice due 27 Feb: 21 Mar is day 22.
  const invoices = [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-02-27' }];
  const brokenBefore = { at: '2026-03-02T10:00:00', type: 'promise', amount: '450.00', dueDate: '2026-03-03' };

  it('a plan installment that falls due while paused is judged on its own day (+ plan graceDays); its escalation and later steps stay put', () => {
    const result = run({
      start,
      until: '2026-04-20T00:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices,
      events: [
        brokenBefore,
        {
          at: '2026-03-05T10:00:00',
          type: 'plan',
          installments: [
            { amount: '500.00', dueDate: '2026-03-10' },
            { amount: '500.00', dueDate: '2026-03-17' },
            { amount: '500.00', dueDate: '2026-04-30' },
          ],
        },
        { at: '2026-03-06T10:00:00', type: 'pause' },
        // Within the first installment's grace (checked at 00:00 of 10 + 3 + 1 = 14 Mar): kept, while paused.
        { at: '2026-03-13T12:00:00', type: 'payment', amount: '500.00', reference: 'P-1' },
        // After the second installment's check (00:00 of 17 + 3 + 1 = 21 Mar): too late for it.
        { at: '2026-03-21T09:00:00', type: 'payment', amount: '200.00', reference: 'P-2' },
        { at: '2026-03-30T10:00:00', type: 'resume' },
      ],
    });
    expect(brief(result.timeline).slice(6)).toEqual([
      '2026-03-06T10:00:00-06:00 paused',
      '2026-03-13T12:00:00-06:00 payment amount=500.00',
      // The first installment was kept on 14 Mar (no entry); the second is broken on its own day, not at the resumption.
      '2026-03-21T00:00:00-06:00 plan_broken',
      '2026-03-21T00:00:00-06:00 stage_entered reason=escalation',
      '2026-03-21T09:00:00-06:00 payment amount=200.00',
      '2026-03-30T10:00:00-06:00 resumed',
      // Nothing was sent while paused; the notice due on the escalation day is caught up at the resumption.
      '2026-03-30T10:00:00-06:00 message channel=email template=prelegal-notice',
      // Pre-legal played from 21 Mar: its visit is due 21 Mar + 14 days (a Saturday without a window), not 30 Mar + 14.
      '2026-04-04T00:00:00-06:00 deferred reason=outside_window channel=visit until=2026-04-06T07:00:00-06:00',
      '2026-04-06T07:00:00-06:00 task channel=visit',
    ]);
    expect(result.timeline.find((e) => e.type === 'plan_broken')).toMatchObject({
      day: 22,
      installment: 2,
      dueDate: '2026-03-17',
      expected: '1000.00',
      paid: '500.00',
    });
    expect(result.timeline.find((e) => e.reason === 'escalation')).toMatchObject({ stage: 'prelegal', day: 22 });
  });

  const promiseThenDispute = (payment: string) => ({
    start,
    until: '2026-04-20T00:00:00',
    strategy: 'consumer-mx',
    debtor: mxDebtor,
    invoices,
    events: [
      brokenBefore,
      { at: '2026-03-05T09:00:00', type: 'promise', amount: '450.00', dueDate: '2026-03-12' },
      { at: '2026-03-06T10:00:00', type: 'dispute', reason: 'not mine' },
      // Within the promise's grace day: it counts, dispute or not.
      { at: '2026-03-13T12:00:00', type: 'payment', amount: payment, reference: 'P-1' },
      { at: '2026-03-25T10:00:00', type: 'dispute_resolved', outcome: 'rejected' },
    ],
  });

  it('a promise that falls due while a dispute is open is kept on its own day (+ graceDays), not at the resolution', () => {
    const result = run(promiseThenDispute('450.00'));
    const lines = brief(result.timeline);
    expect(lines.slice(6, 10)).toEqual([
      '2026-03-06T10:00:00-06:00 dispute_opened reason=not mine',
      '2026-03-13T12:00:00-06:00 payment amount=450.00',
      '2026-03-14T00:00:00-06:00 promise_kept amount=450.00',
      '2026-03-25T10:00:00-06:00 dispute_resolved',
    ]);
    expect(result.timeline.filter((e) => e.type === 'stage_entered' && e.reason === 'escalation')).toEqual([]);
    const sentDuringDispute = result.timeline.filter(
      (e) => (e.type === 'message' || e.type === 'task') && e.at > '2026-03-06T10' && e.at < '2026-03-25T10',
    );
    expect(sentDuringDispute).toEqual([]);
  });

  it('a promise that falls due while a dispute is open is broken on its own day; its escalation and later steps stay put', () => {
    const result = run(promiseThenDispute('100.00'));
    expect(brief(result.timeline).slice(6)).toEqual([
      '2026-03-06T10:00:00-06:00 dispute_opened reason=not mine',
      '2026-03-13T12:00:00-06:00 payment amount=100.00',
      // 00:00 of 12 + 1 + 1 = 14 Mar (day 15): the second broken promise escalates that day, dispute or not.
      '2026-03-14T00:00:00-06:00 promise_broken amount=450.00',
      '2026-03-14T00:00:00-06:00 stage_entered reason=escalation',
      '2026-03-25T10:00:00-06:00 dispute_resolved',
      '2026-03-25T10:00:00-06:00 message channel=email template=prelegal-notice',
      // The visit is due 14 Mar + 14 days (Saturday 28 Mar: no window), not 25 Mar + 14.
      '2026-03-28T00:00:00-06:00 deferred reason=outside_window channel=visit until=2026-03-30T07:00:00-06:00',
      '2026-03-30T07:00:00-06:00 task channel=visit',
    ]);
    expect(result.timeline.find((e) => e.type === 'promise_broken' && e.at.startsWith('2026-03-14'))).toMatchObject({
      day: 15,
      paid: '100.00',
    });
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
