// payment_reversed through the real account workflow (its paymentReversed signal) on the time-skipping server,
// checked entry by entry against the simulator: a payment that kept a promise is charged back, so the
// promise breaks on its deadline (it counts net payments) and the account is collected again until paid.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioInput } from '../../strategies/simulate';
import { prepareJourney } from '../workflows/support/journeys';
import { driveJourneys, simulateJourney, type Journey } from '../workflows/support/scenario-journey';
import { startTimeSkippingRig, type TimeSkippingRig } from '../workflows/support/time-skipping';
import { rigConfig } from '../workflows/support/vitest-rig';

const chargeback: ScenarioInput = {
  start: '2026-04-01T09:30:00',
  until: '2026-05-20T00:00:00',
  strategy: 'consumer-mx',
  debtor: {
    externalId: 'D-CB',
    name: 'Elena Ruiz',
    kind: 'person',
    country: 'MX',
    timezone: 'America/Mexico_City',
    email: 'elena@example.com',
  },
  invoices: [{ externalId: 'F-CB', amount: '1000.00', currency: 'MXN', dueDate: '2026-04-03' }],
  events: [
    { at: '2026-04-08T11:15:00', type: 'promise', amount: '600.00', dueDate: '2026-04-15' },
    { at: '2026-04-09T16:40:00', type: 'payment', amount: '600.00', reference: 'stripe:pi_cb' },
    {
      at: '2026-04-11T10:05:00',
      type: 'payment_reversed',
      amount: '600.00',
      reference: 'stripe:pi_cb',
      reversalId: 'stripe:dp_cb',
    },
    // The same chargeback told twice changes nothing.
    {
      at: '2026-04-11T12:25:00',
      type: 'payment_reversed',
      amount: '600.00',
      reference: 'stripe:pi_cb',
      reversalId: 'stripe:dp_cb',
    },
    { at: '2026-05-04T13:35:00', type: 'payment', amount: '1000.00', reference: 'mercadopago:77' },
  ],
};

let rig: TimeSkippingRig;
let journey: Journey;

beforeAll(async () => {
  rig = await startTimeSkippingRig(rigConfig());
  const notBefore = (await rig.env.currentTimeMs()) + 86_400_000;
  journey = await prepareJourney(rig.db.db, { name: 'chargeback', raw: chargeback }, notBefore);
  await driveJourneys(rig.env, rig.taskQueue, [journey], rig.db.db);
}, 150_000);

afterAll(async () => {
  await rig?.stop();
});

describe('payment_reversed in the account workflow', () => {
  it('breaks the promise the charged-back payment had kept, and matches the simulator entry by entry', () => {
    const view = journey.view;
    if (!view) throw new Error('the journey did not run');
    const money = view.timeline
      .filter((e) => ['payment', 'payment_reversed', 'promise_accepted', 'promise_broken', 'closed'].includes(e.type))
      .map(
        (e) =>
          `${e.type} ${typeof e.amount === 'string' ? e.amount : ''}${typeof e.status === 'string' ? e.status : ''}`,
      );
    expect(money).toEqual([
      'promise_accepted 600.00',
      'payment 600.00',
      'payment_reversed 600.00',
      'promise_broken 600.00',
      'payment 1000.00',
      'closed paid',
    ]);
    expect(view.timeline.find((e) => e.type === 'promise_broken')).toMatchObject({ paid: '0.00' });
    expect(view).toMatchObject({ status: 'paid', balanceMinor: 0, brokenPromises: 1 });
    expect(view.timeline).toEqual(simulateJourney(journey.scenario).timeline);
  });
});
