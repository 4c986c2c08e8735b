import { describe, expect, it } from 'vitest';
import { brief, mxDebtor, run, strategyWith } from './helpers';

// Each journey was worked out by hand from CONTRACT §3 and DOMAIN.md before being pinned here.
describe('journeys', () => {
  it('Santiago: a stage entered on the spring-forward day starts at 01:00, Sunday defers, written contacts stay 2 days apart', () => {
    const result = run({
      start: '2026-09-01T09:00:00',
      until: '2026-09-20T00:00:00',
      strategy: {
        id: 'cl',
        name: 'CL',
        jurisdiction: 'CL',
        stages: [
          {
            id: 'early',
            kind: 'administrative',
            fromDay: 1,
            steps: [
              { day: 1, action: 'message', channel: 'whatsapp', template: 'overdue' },
              { day: 3, action: 'message', channel: 'email', template: 'overdue', time: '19:30' },
            ],
          },
        ],
      },
      debtor: { externalId: 'C', name: 'Jo', kind: 'person', country: 'CL', email: 'j@x.cl', phone: '+569' },
      invoices: [{ externalId: 'F', amount: '90000', currency: 'CLP', dueDate: '2026-09-05' }],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-09-01T09:00:00-04:00 opened amount=90000',
      '2026-09-06T01:00:00-03:00 stage_entered reason=schedule',
      '2026-09-06T01:00:00-03:00 deferred reason=outside_window channel=whatsapp until=2026-09-07T08:00:00-03:00',
      '2026-09-07T08:00:00-03:00 message channel=whatsapp template=overdue',
      '2026-09-08T19:30:00-03:00 deferred reason=min_days_between channel=email until=2026-09-09T08:00:00-03:00',
      '2026-09-09T08:00:00-03:00 message channel=email template=overdue',
    ]);
  });

  it('opt-out uses the fallback channel, else the step is skipped', () => {
    const result = run({
      start: '2026-03-02T08:00:00',
      until: '2026-03-20T00:00:00',
      strategy: 'consumer-mx',
      debtor: mxDebtor,
      invoices: [{ externalId: 'F', amount: '1500.00', currency: 'MXN', dueDate: '2026-03-05' }],
      events: [{ at: '2026-03-03T09:00:00', type: 'opt_out', channel: 'whatsapp' }],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=1500.00',
      '2026-03-02T08:00:00-06:00 stage_entered reason=schedule',
      '2026-03-02T08:00:00-06:00 message channel=email template=upcoming',
      '2026-03-05T07:00:00-06:00 message channel=email template=due-today',
      '2026-03-06T00:00:00-06:00 stage_entered reason=schedule',
      '2026-03-06T07:00:00-06:00 skipped reason=opted_out channel=whatsapp',
      '2026-03-12T07:00:00-06:00 task channel=call',
    ]);
  });

  it('a terminal stage waits for an active promise and is entered when it breaks', () => {
    const result = run({
      start: '2026-01-05T09:00:00',
      until: '2026-04-20T00:00:00',
      strategy: strategyWith(),
      debtor: mxDebtor,
      invoices: [{ externalId: 'F', amount: '1000.00', currency: 'MXN', dueDate: '2026-01-01' }],
      events: [{ at: '2026-03-25T10:00:00', type: 'promise', amount: '1000.00', dueDate: '2026-04-08' }],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-01-05T09:00:00-06:00 opened amount=1000.00',
      '2026-01-05T09:00:00-06:00 stage_entered reason=schedule',
      '2026-01-05T09:00:00-06:00 message channel=email template=overdue',
      '2026-01-08T07:00:00-06:00 task channel=call',
      '2026-02-01T00:00:00-06:00 stage_entered reason=schedule',
      '2026-02-01T00:00:00-06:00 deferred reason=outside_window channel=email until=2026-02-03T07:00:00-06:00',
      '2026-02-03T07:00:00-06:00 message channel=email template=prelegal-notice',
      '2026-03-25T10:00:00-06:00 promise_accepted amount=1000.00',
      '2026-04-10T00:00:00-06:00 promise_broken amount=1000.00',
      '2026-04-10T00:00:00-06:00 stage_entered reason=schedule',
      '2026-04-10T00:00:00-06:00 closed status=legal_handoff',
    ]);
  });

  it('unanswered contacts escalate and shift the target stage steps to the escalation day', () => {
    const result = run({
      start: '2026-03-02T08:00:00',
      until: '2026-04-20T00:00:00',
      strategy: strategyWith({ escalations: [{ when: { unansweredContacts: 2 }, goTo: 'prelegal' }] }),
      debtor: mxDebtor,
      invoices: [{ externalId: 'F', amount: '1000.00', currency: 'MXN', dueDate: '2026-03-02' }],
      events: [],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=1000.00',
      '2026-03-03T00:00:00-06:00 stage_entered reason=schedule',
      '2026-03-03T07:00:00-06:00 message channel=email template=overdue',
      '2026-03-09T07:00:00-06:00 task channel=call',
      '2026-03-09T07:00:00-06:00 stage_entered reason=escalation',
      '2026-03-09T07:00:00-06:00 message channel=email template=prelegal-notice',
    ]);
  });

  it('minHoursBetween defers, same-instant steps supersede in listed order, when-conditions skip', () => {
    const result = run({
      start: '2026-03-02T08:00:00',
      until: '2026-03-25T00:00:00',
      strategy: strategyWith({
        contact: { maxPerDay: 1, minHoursBetween: 24 },
        stages: [
          {
            id: 'early',
            kind: 'administrative',
            fromDay: 1,
            steps: [
              { day: 1, action: 'message', channel: 'email', template: 'overdue', time: '20:00' },
              { day: 2, action: 'message', channel: 'whatsapp', template: 'overdue' },
              { day: 2, action: 'task', channel: 'call' },
              { day: 5, action: 'message', channel: 'email', template: 'overdue-15', when: { minBalance: '100.00' } },
            ],
          },
        ],
      }),
      debtor: mxDebtor,
      invoices: [{ externalId: 'F', amount: '80.00', currency: 'MXN', dueDate: '2026-03-02' }],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=80.00',
      '2026-03-03T00:00:00-06:00 stage_entered reason=schedule',
      '2026-03-03T20:00:00-06:00 message channel=email template=overdue',
      '2026-03-04T07:00:00-06:00 deferred reason=min_hours_between channel=whatsapp until=2026-03-04T20:00:00-06:00',
      '2026-03-04T07:00:00-06:00 skipped reason=superseded channel=whatsapp',
      '2026-03-04T07:00:00-06:00 deferred reason=min_hours_between channel=call until=2026-03-04T20:00:00-06:00',
      '2026-03-04T20:00:00-06:00 task channel=call',
      '2026-03-07T00:00:00-06:00 skipped reason=condition_not_met channel=email',
    ]);
  });

  it('payments go to the oldest invoice, day counting follows the oldest unpaid one, promise policy rejects', () => {
    const result = run({
      start: '2026-03-02T08:00:00',
      until: '2026-04-20T00:00:00',
      strategy: strategyWith(),
      debtor: mxDebtor,
      invoices: [
        { externalId: 'F1', amount: '100.00', currency: 'MXN', dueDate: '2026-03-01' },
        { externalId: 'F2', amount: '300.00', currency: 'MXN', dueDate: '2026-03-20' },
      ],
      events: [
        { at: '2026-03-04T10:00:00', type: 'payment', amount: '150.00', reference: 'R1' },
        { at: '2026-03-05T10:00:00', type: 'promise', amount: '50.00', dueDate: '2026-03-10' },
        { at: '2026-03-05T10:01:00', type: 'promise', amount: '100.00', dueDate: '2026-04-30' },
        { at: '2026-04-10T10:00:00', type: 'payment', amount: '250.00', reference: 'R2' },
      ],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=400.00',
      '2026-03-02T08:00:00-06:00 stage_entered reason=schedule',
      '2026-03-02T08:00:00-06:00 message channel=email template=overdue',
      '2026-03-04T10:00:00-06:00 payment amount=150.00',
      '2026-03-05T10:00:00-06:00 promise_rejected reason=amount_too_low amount=50.00',
      '2026-03-05T10:01:00-06:00 promise_rejected reason=due_date_too_far amount=100.00',
      '2026-03-27T07:00:00-06:00 task channel=call',
      '2026-04-10T10:00:00-06:00 payment amount=250.00',
      '2026-04-10T10:00:00-06:00 closed status=paid',
    ]);
  });

  it('US: no call within 7 days after a conversation', () => {
    const result = run({
      start: '2026-03-02T08:00:00',
      until: '2026-03-25T00:00:00',
      strategy: {
        id: 'us',
        name: 'US',
        jurisdiction: 'US',
        stages: [
          {
            id: 'early',
            kind: 'administrative',
            fromDay: 1,
            steps: [
              { day: 1, action: 'task', channel: 'call' },
              { day: 3, action: 'task', channel: 'call' },
              { day: 6, action: 'message', channel: 'email', template: 'overdue' },
            ],
          },
        ],
      },
      debtor: {
        externalId: 'U',
        name: 'Bob',
        kind: 'person',
        country: 'US',
        timezone: 'America/Chicago',
        email: 'b@x.us',
        phone: '+1312',
      },
      invoices: [{ externalId: 'F', amount: '100.00', currency: 'USD', dueDate: '2026-03-07' }],
      events: [{ at: '2026-03-08T10:00:00', type: 'contact_outcome', channel: 'call', outcome: 'right_party' }],
    });
    expect(brief(result.timeline)).toEqual([
      '2026-03-02T08:00:00-06:00 opened amount=100.00',
      '2026-03-08T00:00:00-06:00 stage_entered reason=schedule',
      '2026-03-08T08:00:00-05:00 task channel=call',
      '2026-03-08T10:00:00-05:00 contact_outcome channel=call',
      '2026-03-10T08:00:00-05:00 deferred reason=after_conversation channel=call until=2026-03-15T10:00:00-05:00',
      '2026-03-13T08:00:00-05:00 skipped reason=superseded channel=call',
      '2026-03-13T08:00:00-05:00 message channel=email template=overdue',
    ]);
  });
});
