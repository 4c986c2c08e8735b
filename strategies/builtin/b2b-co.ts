// Built-in strategy for net-30 supplier (B2B) receivables in Colombia: email and calls to accounts
// payable, credit hold at day 45, legal hand-off at day 120. Ley 2300 allows one contact a day and
// one channel a calendar week, so emails and calls alternate by week.
import type { StrategyDefinition } from '../definition';
import { TEMPLATE_LIBRARY } from './template-library';

const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { ...TEMPLATE_LIBRARY[n] }]));

export const b2bCo: StrategyDefinition = {
  id: 'b2b-co',
  name: 'Proveedores B2B Colombia (neto 30)',
  description:
    'Supplier invoices on net-30 terms: reminders before due date, statement and calls after, credit hold from day 45.',
  jurisdiction: 'CO',
  contact: { maxPerWeek: { email: 2, call: 2 }, maxPerDay: 1, minHoursBetween: 48 },
  promise: { maxDaysAhead: 30, minPercent: 50, graceDays: 3 },
  plan: { maxInstallments: 4, minDownPaymentPercent: 25, monthlyInterestPercent: 1.5, graceDays: 5 },
  stages: [
    {
      id: 'reminder',
      kind: 'preventive',
      fromDay: -7,
      steps: [{ day: -5, action: 'message', channel: 'email', template: 'invoice-reminder' }],
    },
    {
      id: 'follow-up',
      kind: 'administrative',
      fromDay: 1,
      steps: [
        { day: 1, action: 'message', channel: 'email', template: 'invoice-overdue' },
        { day: 8, action: 'task', channel: 'call', priority: 'normal' },
        { day: 15, action: 'message', channel: 'email', template: 'statement-overdue' },
        { day: 22, action: 'task', channel: 'call', priority: 'high' },
      ],
    },
    {
      id: 'credit-hold',
      kind: 'prelegal',
      fromDay: 45,
      // At least 10 days of pre-legal collection before any hand-off: a backlog gets its notice first.
      minDays: 10,
      steps: [
        { day: 45, action: 'message', channel: 'email', template: 'credit-hold-notice' },
        { day: 52, action: 'task', channel: 'call', priority: 'urgent' },
        { day: 75, action: 'task', channel: 'visit', priority: 'high' },
      ],
    },
    { id: 'legal', kind: 'legal', fromDay: 120, terminal: 'legal_handoff' },
  ],
  escalations: [
    { when: { brokenPromises: 2 }, goTo: 'credit-hold' },
    { when: { unansweredContacts: 5 }, goTo: 'credit-hold' },
  ],
  templates: pick('invoice-reminder', 'invoice-overdue', 'statement-overdue', 'credit-hold-notice'),
};
