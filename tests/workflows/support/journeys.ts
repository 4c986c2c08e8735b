// Named journeys of 120+ days shared by the workflow tests and scripts/record-histories.ts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../../db/client';
import { BUILTIN_STRATEGIES } from '../../../strategies/builtin/index';
import { addDays, localInstant } from '../../../strategies/core/calendar';
import type { Scenario, ScenarioInput } from '../../../strategies/simulate';
import {
  parsed,
  planShift,
  prepareAccount,
  shiftScenario,
  type ChannelStatusWrite,
  type Journey,
  type VersionChange,
} from './scenario-journey';

export interface JourneySpec {
  name: string;
  raw: ScenarioInput;
  /** Strategy version changes, placed on the shifted scenario's calendar. */
  changes?: (scenario: Scenario) => VersionChange[];
  /** Channel statuses written to the database without a signal, placed on the shifted scenario's calendar. */
  channelStatuses?: (scenario: Scenario) => ChannelStatusWrite[];
}

const here = import.meta.dirname;
const readScenario = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as ScenarioInput;

export function fixtureJourney(name: string): JourneySpec {
  return { name, raw: readScenario(path.resolve(here, '../../fixtures/scenarios', `${name}.json`)) };
}

export function workflowJourney(name: string): JourneySpec {
  return { name, raw: readScenario(path.resolve(here, '../scenarios', `${name}.json`)) };
}

/**
 * Version 2 of the consumer strategy: an email on day 5, the call moved to day 10, pre-legal from
 * day 25 instead of 31, and escalation after 4 unanswered contacts instead of 6.
 */
export function consumerMxV2(): Record<string, unknown> {
  const v1 = structuredClone(BUILTIN_STRATEGIES['consumer-mx']) as unknown as {
    stages: Record<string, unknown>[];
    escalations: unknown[];
  } & Record<string, unknown>;
  return {
    ...v1,
    stages: v1.stages.map((stage) => {
      if (stage.id === 'early') {
        return {
          ...stage,
          steps: [
            { day: 1, action: 'message', channel: 'whatsapp', template: 'overdue' },
            { day: 5, action: 'message', channel: 'email', template: 'overdue' },
            { day: 10, action: 'task', channel: 'call', priority: 'high' },
            { day: 20, action: 'message', channel: 'email', template: 'overdue-15', when: { minBalance: '100.00' } },
          ],
        };
      }
      if (stage.id === 'prelegal') {
        return {
          ...stage,
          fromDay: 25,
          steps: [
            { day: 25, action: 'message', channel: 'email', template: 'prelegal-notice' },
            { day: 40, action: 'task', channel: 'visit' },
          ],
        };
      }
      return stage;
    }),
    escalations: [
      { when: { brokenPromises: 2 }, goTo: 'prelegal' },
      { when: { unansweredContacts: 4 }, goTo: 'prelegal' },
    ],
  };
}

/** A consumer account moved to version 2 of its strategy on day 3, with a partial promise kept at its deadline. */
export const versionChangeJourney: JourneySpec = {
  name: 'mx-version-change',
  raw: {
    start: '2026-05-04T10:15:00',
    strategy: 'consumer-mx',
    debtor: {
      externalId: 'D-VC',
      name: 'Jorge Ruiz',
      kind: 'person',
      country: 'MX',
      timezone: 'America/Mexico_City',
      email: 'jorge@example.com',
      phone: '+525533334444',
    },
    invoices: [{ externalId: 'F-VC', amount: '2000.00', currency: 'MXN', dueDate: '2026-05-08' }],
    events: [
      { at: '2026-05-17T11:20:00', type: 'promise', amount: '600.00', dueDate: '2026-05-22' },
      { at: '2026-05-21T15:45:00', type: 'payment', amount: '600.00', reference: 'VC-1' },
    ],
    until: '2026-09-20T00:00:00',
  },
  changes: (scenario) => {
    const due = scenario.invoices[0]?.dueDate ?? '';
    return [{ at: localInstant(addDays(due, 3), '11:35', scenario.zone), version: 2, definition: consumerMxV2() }];
  },
};

/** consumer-mx with an email-first overdue step that falls back to WhatsApp, and no preventive stage. */
export function emailFirstConsumerMx(): Record<string, unknown> {
  const mx = structuredClone(BUILTIN_STRATEGIES['consumer-mx']) as unknown as {
    stages: Record<string, unknown>[];
  } & Record<string, unknown>;
  return {
    ...mx,
    id: 'consumer-mx-email-first',
    stages: mx.stages
      .filter((stage) => stage.id !== 'preventive')
      .map((stage) =>
        stage.id === 'early'
          ? {
              ...stage,
              steps: [
                { day: 1, action: 'message', channel: 'email', template: 'overdue', fallback: 'whatsapp' },
                { day: 7, action: 'task', channel: 'call', priority: 'high' },
              ],
            }
          : stage,
      ),
  };
}

/**
 * The debtor opts out of email after the account opened, and the workflow is not told before its
 * email step is due (the status is in the database only): the send activity refuses the email at send
 * time, and the step falls back to WhatsApp. A payment closes the account two days later.
 */
export const optOutAtSendTimeJourney: JourneySpec = {
  name: 'mx-opt-out-at-send-time',
  raw: {
    start: '2026-05-12T10:15:00',
    strategy: emailFirstConsumerMx(),
    debtor: {
      externalId: 'D-OPT',
      name: 'Marta Salas',
      kind: 'person',
      country: 'MX',
      timezone: 'America/Mexico_City',
      email: 'marta@example.com',
      phone: '+525566667777',
    },
    invoices: [{ externalId: 'F-OPT', amount: '900.00', currency: 'MXN', dueDate: '2026-05-12' }],
    events: [{ at: '2026-05-15T12:40:00', type: 'payment', amount: '900.00', reference: 'OPT-1' }],
    until: '2026-05-20T00:00:00',
  },
  // The afternoon of the due date: day 1's email is due at 07:00 the next morning.
  channelStatuses: (scenario) => [
    {
      at: localInstant(scenario.invoices[0]?.dueDate ?? '', '15:30', scenario.zone),
      channel: 'email',
      status: 'opted_out',
    },
  ],
};

/** Shifts a journey into the server's future, writes its rows and returns it ready to drive. */
export async function prepareJourney(db: Db, spec: JourneySpec, notBefore: number): Promise<Journey> {
  const input = shiftScenario(spec.raw, planShift(spec.raw, notBefore, spec.changes ? { changes: spec.changes } : {}));
  const scenario = parsed(input);
  const account = await prepareAccount(db, input, scenario);
  return {
    name: spec.name,
    scenario,
    account,
    agreements: [],
    ...(spec.changes ? { changes: spec.changes(scenario) } : {}),
    ...(spec.channelStatuses ? { channelStatuses: spec.channelStatuses(scenario) } : {}),
  };
}
