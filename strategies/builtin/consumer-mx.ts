// Built-in strategy for consumer telco/retail debt in Mexico (the CONTRACT §3 example, with its templates).
import type { StrategyDefinition } from '../definition';
import { TEMPLATE_LIBRARY } from './template-library';

const pick = (...names: string[]) => Object.fromEntries(names.map((n) => [n, { ...TEMPLATE_LIBRARY[n] }]));

export const consumerMx: StrategyDefinition = {
  id: 'consumer-mx',
  name: 'Consumo México',
  description:
    'Telco and retail consumer accounts: WhatsApp first, email as backup, call at day 7, pre-legal from day 31.',
  jurisdiction: 'MX',
  contact: { maxPerWeek: { whatsapp: 2, email: 3 }, maxPerDay: 1, minHoursBetween: 24 },
  promise: { maxDaysAhead: 15, minPercent: 30, graceDays: 1 },
  plan: { maxInstallments: 6, minDownPaymentPercent: 10, monthlyInterestPercent: 0, graceDays: 3 },
  stages: [
    {
      id: 'preventive',
      kind: 'preventive',
      fromDay: -5,
      steps: [
        { day: -3, action: 'message', channel: 'email', template: 'upcoming' },
        { day: 0, action: 'message', channel: 'whatsapp', template: 'due-today', fallback: 'email' },
      ],
    },
    {
      id: 'early',
      kind: 'administrative',
      fromDay: 1,
      steps: [
        { day: 1, action: 'message', channel: 'whatsapp', template: 'overdue' },
        { day: 7, action: 'task', channel: 'call', priority: 'high' },
        { day: 15, action: 'message', channel: 'email', template: 'overdue-15', when: { minBalance: '100.00' } },
      ],
    },
    {
      id: 'prelegal',
      kind: 'prelegal',
      fromDay: 31,
      // At least 10 days of pre-legal collection before any hand-off: a backlog gets its notice first.
      minDays: 10,
      steps: [
        { day: 31, action: 'message', channel: 'email', template: 'prelegal-notice' },
        { day: 45, action: 'task', channel: 'visit' },
      ],
    },
    { id: 'legal', kind: 'legal', fromDay: 90, terminal: 'legal_handoff' },
  ],
  escalations: [
    { when: { brokenPromises: 2 }, goTo: 'prelegal' },
    { when: { unansweredContacts: 6 }, goTo: 'prelegal' },
  ],
  templates: pick('upcoming', 'due-today', 'overdue', 'overdue-15', 'prelegal-notice'),
};
