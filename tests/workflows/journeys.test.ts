// Journeys of 120+ days through the real account workflow on the time-skipping server: promises kept
// and broken, a payment plan, a dispute, a pause, escalation by broken promises and by unanswered
// contacts, and a move to a new strategy version through strategyVersionChangedSignal. Each test
// states the business story on the workflow's own timeline, then checks it against the simulator.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, outboundMessages } from '../../db/schema';
import { daysBetween } from '../../strategies/core/calendar';
import type { TimelineEntry } from '../../strategies/core/types';
import { prepareJourney, versionChangeJourney, workflowJourney } from './support/journeys';
import { driveJourneys, simulateJourney, type Journey } from './support/scenario-journey';
import { startTimeSkippingRig, type TimeSkippingRig } from './support/time-skipping';
import { rigConfig } from './support/vitest-rig';

let rig: TimeSkippingRig;
const journeys = new Map<string, Journey>();

beforeAll(async () => {
  rig = await startTimeSkippingRig(rigConfig());
  const notBefore = (await rig.env.currentTimeMs()) + 86_400_000;
  for (const spec of [
    workflowJourney('mx-plan-broken-opt-out'),
    workflowJourney('co-promises-dispute-pause'),
    versionChangeJourney,
  ]) {
    journeys.set(spec.name, await prepareJourney(rig.db.db, spec, notBefore));
  }
  await driveJourneys(rig.env, rig.taskQueue, [...journeys.values()], rig.db.db);
}, 150_000);

afterAll(async () => {
  await rig?.stop();
});

function ran(name: string): Journey & { view: NonNullable<Journey['view']> } {
  const journey = journeys.get(name);
  if (!journey?.view) throw new Error(`${name} did not run`);
  return journey as Journey & { view: NonNullable<Journey['view']> };
}

/** "type" or "type:detail" per entry: the business story without timestamps. */
function story(timeline: readonly TimelineEntry[]): string[] {
  return timeline.map((e) => {
    const detail =
      e.type === 'stage_entered'
        ? `${e.stage}/${String(e.reason)}`
        : [e.template, e.reason, e.status, e.channel].find((v) => typeof v === 'string');
    return detail === undefined ? e.type : `${e.type}:${detail}`;
  });
}

const between = (timeline: readonly TimelineEntry[], from: string, to: string) =>
  timeline.slice(
    timeline.findIndex((e) => e.type === from),
    timeline.findIndex((e) => e.type === to) + 1,
  );

describe('journeys through the account workflow', () => {
  it('a plan broken after its first installment, then a promise kept by paying in full (MX, 120+ days)', () => {
    const { view, scenario, agreements } = ran('mx-plan-broken-opt-out');
    expect(agreements.map((a) => a.status)).toEqual(['active', 'active']);
    expect(story(view.timeline)).toEqual([
      'opened',
      'stage_entered:preventive/schedule',
      'message:upcoming',
      'message:due-today',
      'reply:whatsapp',
      'stage_entered:early/schedule',
      // The debtor answered "BAJA" on WhatsApp: its overdue step has no fallback.
      'skipped:opted_out',
      'task:call',
      'message:overdue-15',
      'plan_accepted',
      'payment',
      'stage_entered:prelegal/schedule',
      'plan_broken',
      'skipped:catch_up',
      'task:visit',
      'contact_outcome:call',
      'promise_accepted',
      'payment',
      'promise_kept',
      'closed:paid',
    ]);
    expect(view.timeline.find((e) => e.type === 'plan_broken')).toMatchObject({
      installment: 2,
      expected: '2250.00',
      paid: '1000.00',
    });
    expect(view).toMatchObject({ status: 'paid', balanceMinor: 0, brokenPromises: 1 });
    expect(
      daysBetween(view.timeline[0]?.at.slice(0, 10) ?? '', new Date(scenario.until).toISOString().slice(0, 10)),
    ).toBeGreaterThanOrEqual(120);
    expect(view.timeline).toEqual(simulateJourney(scenario).timeline);
  });

  it('two broken promises escalate a B2B account; a dispute and a pause hold it; legal hand-off at day 120 (CO)', () => {
    const { view, scenario } = ran('co-promises-dispute-pause');
    const s = story(view.timeline);
    expect(s.filter((x) => x === 'promise_broken')).toHaveLength(2);
    expect(s).toContain('stage_entered:credit-hold/escalation');
    expect(s.indexOf('stage_entered:credit-hold/escalation')).toBe(s.lastIndexOf('promise_broken') + 1);
    // Nothing is sent while the dispute is open or the account is paused.
    for (const [from, to] of [
      ['dispute_opened', 'dispute_resolved'],
      ['paused', 'resumed'],
    ] as const) {
      expect(between(view.timeline, from, to).filter((e) => e.type === 'message' || e.type === 'task')).toEqual([]);
    }
    expect(view.timeline.at(-1)).toMatchObject({ type: 'closed', status: 'legal_handoff', day: 120 });
    expect(view).toMatchObject({ status: 'legal_handoff', balanceMinor: 300_000_000, brokenPromises: 2 });
    expect(view.timeline).toEqual(simulateJourney(scenario).timeline);
  });

  it('moves to strategy version 2 mid-journey: new steps and escalation rule apply from then on, under v2 idempotency keys', async () => {
    const { view, scenario, changes, account } = ran('mx-version-change');
    const changedAt = changes?.[0]?.at ?? 0;
    expect(view.strategy).toEqual({ id: account.strategyId, version: 2 });
    // Version 2's day-5 email exists only there; its 4th unanswered contact escalates (v1 waited for 6).
    expect(story(view.timeline)).toEqual([
      'opened',
      'stage_entered:preventive/schedule',
      'message:upcoming',
      'message:due-today',
      'stage_entered:early/schedule',
      'deferred:outside_window',
      'message:overdue',
      'message:overdue',
      'stage_entered:prelegal/escalation',
      'deferred:max_per_day',
      'message:prelegal-notice',
      'promise_accepted',
      'payment',
      'promise_kept',
      'task:visit',
      'stage_entered:legal/schedule',
      'closed:legal_handoff',
    ]);
    expect(view.timeline.find((e) => e.type === 'promise_kept')).toMatchObject({ amount: '600.00', paid: '600.00' });
    const rows = await rig.db.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.accountId, account.accountId));
    const expectedKeys = view.timeline
      .filter((e) => e.type === 'message')
      .map((e) => `${account.accountId}/v${Date.parse(e.at) < changedAt ? 1 : 2}/${String(e.key)}`);
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(expectedKeys.sort());
    expect(expectedKeys.filter((k) => k.includes('/v2/'))).toHaveLength(2);
    const [row] = await rig.db.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.id, account.accountId)));
    expect(row).toMatchObject({ strategyId: account.strategyId, strategyVersion: 2, status: 'legal_handoff' });
    expect(view.timeline).toEqual(simulateJourney(scenario, changes).timeline);
  });
});
