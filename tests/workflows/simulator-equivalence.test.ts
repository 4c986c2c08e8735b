// The account workflow and the simulator are one engine: every scenario fixture (and the journeys
// under tests/workflows/scenarios) runs through the real workflow on the time-skipping server, with
// the real activities against PostgreSQL and the real `resend` SDK against the local Resend stand-in,
// and its timeline must equal the simulator's entry by entry. Each message in that timeline must have
// left exactly one outbound_messages row and, for email, exactly one accepted request to Resend
// carrying the message's idempotency key. Scenarios are shifted by whole weeks into the server's
// future (see support/scenario-journey.ts for why and how) and all run side by side on one clock.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountLedger, agentTasks, outboundMessages } from '../../db/schema';
import { addDays, localInstant } from '../../strategies/core/calendar';
import type { ScenarioInput } from '../../strategies/simulate';
import { prepareJourney } from './support/journeys';
import { driveJourneys, simulateJourney, type Journey } from './support/scenario-journey';
import { startTimeSkippingRig, type TimeSkippingRig } from './support/time-skipping';
import { rigConfig } from './support/vitest-rig';

const dirs = [
  path.resolve(import.meta.dirname, '../fixtures/scenarios'),
  path.resolve(import.meta.dirname, 'scenarios'),
];
const files = dirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
    .map((f) => path.join(dir, f)),
);
const nameOf = (file: string) => path.basename(file, '.json');

/** The journey whose promises fall due during supervisor pauses (issue 8 item 5). */
const PAUSED = 'mx-promises-due-while-paused';
let rig: TimeSkippingRig;
const journeys = new Map<string, Journey>();

beforeAll(async () => {
  rig = await startTimeSkippingRig(rigConfig());
  // A day of margin: the server's clock runs in real time while the accounts are being written.
  const notBefore = (await rig.env.currentTimeMs()) + 86_400_000;
  for (const file of files) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as ScenarioInput;
    journeys.set(nameOf(file), await prepareJourney(rig.db.db, { name: nameOf(file), raw }, notBefore));
  }
  // An hour after the second promise's deadline, still paused: the workflow has judged it by then.
  const paused = journeys.get(PAUSED);
  const second = paused?.scenario.events.filter((e) => e.event.type === 'promise')[1]?.event;
  if (!paused || second?.type !== 'promise') throw new Error(`${PAUSED}: no second promise`);
  paused.probes = [{ at: localInstant(addDays(second.dueDate, 2), '01:00', paused.scenario.zone) }];
  await driveJourneys(rig.env, rig.taskQueue, [...journeys.values()], rig.db.db);
}, 150_000);

afterAll(async () => {
  await rig?.stop();
});

describe('simulator ≡ account workflow', () => {
  it('covers every scenario fixture and the workflow journeys', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(journeys.size).toBe(files.length);
  });

  it(`${PAUSED}: the workflow judges each promise on its own day inside the pause, not at the resumption`, () => {
    const journey = journeys.get(PAUSED);
    const timeline = journey?.view?.timeline;
    if (!timeline) throw new Error(`${PAUSED} did not run`);
    // Asked during the second pause, after that promise's deadline: broken, escalated, nothing sent.
    expect(journey.probes?.[0]?.view).toMatchObject({
      status: 'paused',
      stage: 'prelegal',
      promise: null,
      brokenPromises: 2,
    });
    const types = timeline.map((e) => e.type);
    const broken = timeline.flatMap((e, i) => (e.type === 'promise_broken' ? [i] : []));
    expect(broken).toHaveLength(2);
    for (const i of broken) {
      // At 00:00 local of dueDate + graceDays (1) + 1, between the pause and its resumption.
      const entry = timeline[i];
      const promise = timeline.slice(0, i).findLast((e) => e.type === 'promise_accepted');
      expect(entry?.at.slice(0, 10)).toBe(addDays(String(promise?.dueDate), 2));
      expect(entry?.at.slice(11, 19)).toBe('00:00:00');
      expect(types.lastIndexOf('paused', i)).toBeGreaterThan(types.lastIndexOf('resumed', i));
      expect(types.indexOf('resumed', i)).toBeGreaterThan(i);
    }
    // The second broken promise escalates at that instant, still paused; nothing is sent until the resumption.
    const second = broken[1] ?? -1;
    expect(timeline[second + 1]).toMatchObject({ type: 'stage_entered', reason: 'escalation', stage: 'prelegal' });
    expect(timeline[second + 1]?.at).toBe(timeline[second]?.at);
    const resumed = types.indexOf('resumed', second);
    expect(types.slice(second, resumed).filter((t) => t === 'message' || t === 'task')).toEqual([]);
  });

  describe.each(files.map(nameOf))('%s', (name) => {
    it('has the same timeline and status as the simulator', () => {
      const journey = journeys.get(name);
      if (!journey?.view) throw new Error(`${name} did not run`);
      const simulated = simulateJourney(journey.scenario);
      expect(journey.view.timeline).toEqual(simulated.timeline);
      expect(journey.view.status).toBe(simulated.status);
      expect(journey.view.timeline.length).toBeGreaterThan(5);
    });

    it('sent each message exactly once, email through Resend under its idempotency key', async () => {
      const journey = journeys.get(name);
      if (!journey?.view) throw new Error(`${name} did not run`);
      const { accountId } = journey.account;
      const keyOf = (stepKey: unknown) => `${accountId}/v1/${String(stepKey)}`;
      const messages = journey.view.timeline.filter((e) => e.type === 'message');
      const rows = await rig.db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, accountId));
      expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(messages.map((m) => keyOf(m.key)).sort());
      for (const m of messages) {
        const row = rows.find((r) => r.idempotencyKey === keyOf(m.key));
        expect(row).toMatchObject({
          channel: m.channel,
          template: m.template,
          status: m.channel === 'email' ? 'sent' : 'captured',
        });
        const requests = rig.resend.received.filter((r) => r.idempotencyKey === keyOf(m.key));
        if (m.channel === 'email') {
          expect(requests).toHaveLength(1);
          expect(requests[0]).toMatchObject({ status: 200, replayed: false });
          expect(row?.providerMessageId).toBe(requests[0]?.emailIds[0]);
        } else {
          expect(requests).toHaveLength(0);
        }
      }
      const tasks = await rig.db.db.select().from(agentTasks).where(eq(agentTasks.accountId, accountId));
      const taskEntries = journey.view.timeline.filter((e) => e.type === 'task');
      expect(tasks.map((t) => t.idempotencyKey).sort()).toEqual(taskEntries.map((t) => keyOf(t.key)).sort());
    });

    it('wrote every timeline entry to the ledger once, in order, with its columns', async () => {
      const journey = journeys.get(name);
      if (!journey?.view) throw new Error(`${name} did not run`);
      const rows = await rig.db.db
        .select()
        .from(accountLedger)
        .where(eq(accountLedger.accountId, journey.account.accountId))
        .orderBy(asc(accountLedger.seq));
      expect(rows.map((r) => r.seq)).toEqual(journey.view.timeline.map((_e, i) => i));
      expect(rows.map((r) => r.entry)).toEqual(journey.view.timeline);
      for (const [i, row] of rows.entries()) {
        const e = journey.view.timeline[i];
        expect(row).toMatchObject({ type: e?.type, stage: e?.stage, localDate: e?.at.slice(0, 10) });
        expect(row.strategyId).toBe(journey.account.strategyId);
        if (e?.type === 'payment') expect(row.amountMinor).toBeGreaterThan(0);
        if (e?.type === 'message') expect(row.channel).toBe(e.channel);
      }
    });
  });
});
