// Journeys of ONE debtor with several open accounts (one per currency, as api/invoices/ingest.ts opens
// them), each its own account workflow on the same strategy, so the debtor-wide contact budget
// (workflows/account.ledger.ts, activities/contact-budget.activities.ts) is exercised end to end.
// Shared by tests/workflows/contact-budget-journey.test.ts and scripts/record-histories.ts.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../../db/client';
import { debtors, strategyVersions } from '../../../db/schema';
import type { ScenarioInput } from '../../../strategies/simulate';
import { parsed, planShift, seedAccount, shiftScenario, type Journey } from './scenario-journey';

export interface DebtorJourneySpec {
  name: string;
  start: string;
  until: string;
  debtor: ScenarioInput['debtor'];
  strategy: Record<string, unknown>;
  /** One account per entry (its invoices share a currency). */
  accounts: { label: string; invoices: ScenarioInput['invoices'] }[];
}

export interface DebtorJourneys {
  name: string;
  debtorId: string;
  debtorExternalId: string;
  strategyId: string;
  /** Same order as the spec's accounts; each drives like any other journey (driveJourneys). */
  journeys: Journey[];
}

const written = (day: number, channel: string, extra: Record<string, unknown> = {}) => ({
  day,
  action: 'message',
  channel,
  template: 'overdue',
  ...extra,
});
/** The COP balance is in the millions, the USD one in the hundreds: `when` gives each account its own step. */
const copOnly = { when: { minBalance: '1000.00' } };
const usdOnly = { when: { maxBalance: '999.99' } };

/**
 * CO (Ley 2300): at most 1 contact a day per debtor, one channel per calendar week. Due on a Monday,
 * so day 1 is a Tuesday. Week 1: both accounts want WhatsApp on Tuesday (max_per_day). Week 2: COP
 * emails on Tuesday, USD wants WhatsApp on Wednesday (one_channel_per_week). Week 3: USD's WhatsApp
 * goes out on Monday; COP's email comes due at 20:00 on Tuesday (outside the window, so it is first
 * deferred without contacting anyone) and must still respect USD's channel of the week. Week 4: both
 * want WhatsApp on Thursday after COP's Monday email. Legal hand-off at day 35.
 */
export const coBudgetJourney: DebtorJourneySpec = {
  name: 'co-two-accounts-budget',
  start: '2026-02-02T05:10:00',
  until: '2026-03-10T03:17:00',
  debtor: {
    externalId: 'NIT-BUDGET-CO',
    name: 'Comercial Andina S.A.S.',
    kind: 'company',
    country: 'CO',
    timezone: 'America/Bogota',
    email: 'cartera@example.com',
    phone: '+573001234567',
  },
  strategy: {
    id: 'budget-co',
    name: 'Presupuesto de contacto CO',
    jurisdiction: 'CO',
    stages: [
      {
        id: 'early',
        kind: 'administrative',
        fromDay: 1,
        steps: [
          written(1, 'whatsapp'),
          written(8, 'email', copOnly),
          written(9, 'whatsapp', usdOnly),
          written(15, 'email', { ...copOnly, time: '20:00' }),
        ],
      },
      {
        id: 'prelegal',
        kind: 'prelegal',
        fromDay: 20,
        steps: [{ day: 24, action: 'message', channel: 'whatsapp', template: 'prelegal-notice' }],
      },
      { id: 'legal', kind: 'legal', fromDay: 35, terminal: 'legal_handoff' },
    ],
  },
  accounts: [
    {
      label: 'COP',
      invoices: [{ externalId: 'F-CO-COP', amount: '2500000.00', currency: 'COP', dueDate: '2026-02-02' }],
    },
    { label: 'USD', invoices: [{ externalId: 'F-CO-USD', amount: '800.00', currency: 'USD', dueDate: '2026-02-02' }] },
  ],
};

/**
 * CL (Ley 19.496 art. 37): written contacts 2 a week, at least 2 days apart; calls and visits 1 a
 * week, per debtor. Due on a Sunday, so day 1 is a Monday. Week 1: both email on Monday
 * (min_days_between), both want a call on Thursday (max_per_week for calls), both want WhatsApp on
 * Friday when the week's two written contacts are used up (max_per_week). Legal hand-off at day 21.
 */
export const clBudgetJourney: DebtorJourneySpec = {
  name: 'cl-two-accounts-budget',
  start: '2026-02-01T05:10:00',
  until: '2026-02-23T03:17:00',
  debtor: {
    externalId: 'RUT-BUDGET-CL',
    name: 'Camila Rojas',
    kind: 'person',
    country: 'CL',
    timezone: 'America/Santiago',
    email: 'camila@example.com',
    phone: '+56912345678',
  },
  strategy: {
    id: 'budget-cl',
    name: 'Presupuesto de contacto CL',
    jurisdiction: 'CL',
    stages: [
      {
        id: 'early',
        kind: 'administrative',
        fromDay: 1,
        steps: [
          written(1, 'email'),
          { day: 4, action: 'task', channel: 'call', priority: 'high' },
          written(5, 'whatsapp'),
        ],
      },
      {
        id: 'prelegal',
        kind: 'prelegal',
        fromDay: 14,
        steps: [{ day: 15, action: 'message', channel: 'email', template: 'prelegal-notice' }],
      },
      { id: 'legal', kind: 'legal', fromDay: 21, terminal: 'legal_handoff' },
    ],
  },
  accounts: [
    { label: 'CLP', invoices: [{ externalId: 'F-CL-CLP', amount: '1500000', currency: 'CLP', dueDate: '2026-02-01' }] },
    { label: 'USD', invoices: [{ externalId: 'F-CL-USD', amount: '800.00', currency: 'USD', dueDate: '2026-02-01' }] },
  ],
};

function scenarioInputOf(spec: DebtorJourneySpec, account: DebtorJourneySpec['accounts'][number]): ScenarioInput {
  return {
    start: spec.start,
    until: spec.until,
    strategy: spec.strategy,
    debtor: spec.debtor,
    invoices: account.invoices,
  };
}

/**
 * Shifts the journey into the server's future (by whole weeks, the same for every account), writes
 * one debtor, the strategy (under a unique id, as version 1) and one account per currency.
 */
export async function prepareDebtorJourneys(
  db: Db,
  spec: DebtorJourneySpec,
  notBefore: number,
): Promise<DebtorJourneys> {
  const tag = randomUUID().slice(0, 8);
  const inputs = spec.accounts.map((a) => scenarioInputOf(spec, a));
  // Every account's own decision instants must stay clear of the external instants (start, until).
  const shift = Math.max(...inputs.map((input) => planShift(input, notBefore)));
  const shifted = inputs.map((input) => shiftScenario(input, shift));
  const scenarios = shifted.map((input) => parsed(input));
  const first = scenarios[0];
  if (!first) throw new Error(`${spec.name}: no account`);

  const strategyId = `${String(spec.strategy.id)}-${tag}`;
  await db.insert(strategyVersions).values({ strategyId, version: 1, definition: spec.strategy });
  const d = spec.debtor;
  const debtorExternalId = `${d.externalId}-${tag}`;
  const [debtor] = await db
    .insert(debtors)
    .values({
      externalId: debtorExternalId,
      kind: d.kind,
      name: d.name,
      email: d.email ?? null,
      phone: d.phone ?? null,
      country: d.country,
      timezone: first.zone,
      locale: d.locale ?? 'es',
    })
    .returning({ id: debtors.id });
  if (!debtor) throw new Error('debtor not written');

  const journeys: Journey[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const account = await seedAccount(db, {
      debtorId: debtor.id,
      kind: d.kind,
      locale: d.locale,
      scenario,
      strategyId,
      tag,
      invoices: scenario.invoices,
    });
    journeys.push({ name: `${spec.name}/${spec.accounts[i]?.label ?? i}`, scenario, account, agreements: [] });
  }
  return { name: spec.name, debtorId: debtor.id, debtorExternalId, strategyId, journeys };
}
