// The per-debtor contact budget through the real account workflow on the time-skipping server: ONE
// debtor with TWO open accounts (one per currency), each its own workflow on the same strategy, whose
// steps make both want to contact the debtor on the same days, under the CO pack (1 contact a day,
// one channel per calendar week) and the CL pack (written 2 a week, 2 days apart; calls 1 a week).
// From the real timelines (accountViewQuery), the contact_decisions ledger, outbound_messages,
// agent_tasks and GET /v1/debtors/{externalId}/contact-decisions: across both accounts the debtor
// never gets more than the pack allows, the account that lost a race shows `deferred` with the rule
// and `until` (in its timeline and in the ledger), and every message left exactly once.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContactBudgetActivities } from '../../activities/contact-budget.activities';
import { generateKey, hashKey } from '../../api/auth';
import { agentTasks, apiKeys, contactDecisions, outboundMessages } from '../../db/schema';
import { addDays, daysBetween, localDate, localInstant, weekStart } from '../../strategies/core/calendar';
import type { TimelineEntry } from '../../strategies/core/types';
import { startRuntime, type Runtime } from '../../workers/runtime';
import { httpClient } from '../support/http';
import { testConfig, uniqueId } from '../support/runtime';
import {
  clBudgetJourney,
  coBudgetJourney,
  prepareDebtorJourneys,
  type DebtorJourneys,
} from './support/debtor-journeys';
import { driveJourneys } from './support/scenario-journey';
import { startTimeSkippingRig, type TimeSkippingRig } from './support/time-skipping';
import { rigConfig } from './support/vitest-rig';

let rig: TimeSkippingRig;
let api: Runtime;
let co: DebtorJourneys;
let cl: DebtorJourneys;
let notBefore: number;

beforeAll(async () => {
  rig = await startTimeSkippingRig(rigConfig());
  notBefore = (await rig.env.currentTimeMs()) + 86_400_000;
  co = await prepareDebtorJourneys(rig.db.db, coBudgetJourney, notBefore);
  cl = await prepareDebtorJourneys(rig.db.db, clBudgetJourney, notBefore);
  await driveJourneys(rig.env, rig.taskQueue, [...co.journeys, ...cl.journeys], rig.db.db);
  api = await startRuntime(testConfig(), { api: true, worker: false }, () => undefined);
}, 120_000);

afterAll(async () => {
  await api?.stop();
  await rig?.stop();
});

interface Contact {
  accountId: string;
  key: string;
  channel: string;
  at: number;
}

const isContact = (e: TimelineEntry) => e.type === 'message' || e.type === 'task';

function viewsOf(d: DebtorJourneys) {
  return d.journeys.map((j) => {
    if (!j.view) throw new Error(`${j.name} did not run`);
    return { journey: j, accountId: j.account.accountId, timeline: j.view.timeline, status: j.view.status };
  });
}

/** Every contact the debtor received, as the two accounts' own timelines tell it. */
function timelineContacts(d: DebtorJourneys): Contact[] {
  return viewsOf(d)
    .flatMap(({ accountId, timeline }) =>
      timeline.filter(isContact).map((e) => ({
        accountId,
        key: `${accountId}/v1/${String(e.key)}`,
        channel: String(e.channel),
        at: Date.parse(e.at),
      })),
    )
    .sort((a, b) => a.at - b.at);
}

const ledgerOf = (d: DebtorJourneys) =>
  rig.db.db
    .select()
    .from(contactDecisions)
    .where(eq(contactDecisions.debtorId, d.debtorId))
    .orderBy(contactDecisions.id);

const zoneOf = (d: DebtorJourneys) => d.journeys[0]?.scenario.zone ?? '';
/** Local instant of day `n` past due (the shifted scenario's calendar) at "HH:mm". */
function dayAt(d: DebtorJourneys, n: number, hhmm: string): number {
  const due = d.journeys[0]?.scenario.invoices[0]?.dueDate ?? '';
  return localInstant(addDays(due, n), hhmm, zoneOf(d));
}

function groupBy<T>(items: T[], keyOf: (t: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

/**
 * At `at` both accounts wanted `channel`: exactly one made the contact, the other shows `deferred`
 * with `rule` and `until`, in its timeline and in the ledger. Returns the loser's account id.
 */
async function expectRace(
  d: DebtorJourneys,
  at: number,
  channel: string,
  rule: string,
  until: number,
): Promise<string> {
  const atThen = viewsOf(d).map(({ accountId, timeline }) => ({
    accountId,
    entries: timeline.filter((e) => Date.parse(e.at) === at && e.channel === channel),
  }));
  const winners = atThen.filter((a) => a.entries.some(isContact));
  const losers = atThen.filter((a) => a.entries.some((e) => e.type === 'deferred'));
  expect(winners, `one account contacts on ${channel} at ${new Date(at).toISOString()}`).toHaveLength(1);
  expect(losers).toHaveLength(1);
  const loser = losers[0];
  if (!loser) throw new Error('no loser');
  expect(winners[0]?.accountId).not.toBe(loser.accountId);
  const deferred = loser.entries.find((e) => e.type === 'deferred');
  expect(deferred).toMatchObject({ reason: rule });
  expect(Date.parse(String(deferred?.until))).toBe(until);
  const rows = (await ledgerOf(d)).filter(
    (r) => r.accountId === loser.accountId && r.decision === 'deferred' && r.decidedAt.getTime() === at,
  );
  expect(rows.map((r) => ({ channel: r.channel, rule: r.rule, until: r.deferredUntil?.getTime() }))).toEqual([
    { channel, rule, until },
  ]);
  return loser.accountId;
}

/** The ledger, the timelines and the outbound tables agree: each contact made and recorded exactly once. */
async function expectExactlyOnce(d: DebtorJourneys): Promise<void> {
  for (const { status } of viewsOf(d)) expect(status).toBe('legal_handoff');
  const contacts = timelineContacts(d);
  const ledger = await ledgerOf(d);
  const sent = ledger.filter((r) => r.decision === 'sent');
  // Each contact reserved once under its idempotency key, at the instant the timeline shows.
  expect(
    sent.map((r) => ({ accountId: r.accountId, key: r.attemptKey, channel: r.channel, at: r.decidedAt.getTime() })),
  ).toEqual(contacts);
  expect(new Set(sent.map((r) => r.packVersion))).toEqual(new Set([`${d.journeys[0]?.scenario.country}@1`]));

  for (const { accountId, timeline } of viewsOf(d)) {
    const keyOf = (e: TimelineEntry) => `${accountId}/v1/${String(e.key)}`;
    const messages = timeline.filter((e) => e.type === 'message');
    const rows = await rig.db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, accountId));
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(messages.map(keyOf).sort());
    for (const m of messages) {
      expect(rows.find((r) => r.idempotencyKey === keyOf(m))).toMatchObject({
        channel: m.channel,
        template: m.template,
        status: m.channel === 'email' ? 'sent' : 'captured',
      });
      const requests = rig.resend.received.filter((r) => r.idempotencyKey === keyOf(m));
      expect(requests.map((r) => r.replayed)).toEqual(m.channel === 'email' ? [false] : []);
    }
    const tasks = await rig.db.db.select().from(agentTasks).where(eq(agentTasks.accountId, accountId));
    expect(tasks.map((t) => t.idempotencyKey).sort()).toEqual(
      timeline
        .filter((e) => e.type === 'task')
        .map(keyOf)
        .sort(),
    );

    // Every deferral and skip of the timeline is in the ledger with its rule (and `until`), once.
    const decided = timeline.filter((e) => e.type === 'deferred' || e.type === 'skipped');
    const recorded = ledger.filter((r) => r.accountId === accountId && r.decision !== 'sent');
    const asRow = (e: TimelineEntry) => ({
      decision: e.type,
      channel: e.channel,
      rule: e.reason,
      at: Date.parse(e.at),
      until: typeof e.until === 'string' ? Date.parse(e.until) : null,
    });
    expect(
      recorded.map((r) => ({
        decision: r.decision,
        channel: r.channel,
        rule: r.rule,
        at: r.decidedAt.getTime(),
        until: r.deferredUntil?.getTime() ?? null,
      })),
    ).toEqual(decided.map(asRow));
  }
}

const WRITTEN = new Set(['email', 'sms', 'whatsapp', 'letter']);
const VOICE_AND_VISIT = new Set(['call', 'visit']);

describe('contact budget across one debtor’s two accounts (real workflows, time-skipping server)', () => {
  it('CO: never more than one contact a day, nor two channels in a calendar week, across COP and USD', async () => {
    const zone = zoneOf(co);
    const contacts = timelineContacts(co);
    const byDay = groupBy(contacts, (c) => localDate(c.at, zone));
    for (const [date, same] of byDay) expect(same, `contacts on ${date}`).toHaveLength(1);
    const byWeek = groupBy(contacts, (c) => weekStart(localDate(c.at, zone)));
    for (const [week, same] of byWeek)
      expect(new Set(same.map((c) => c.channel)), `channels in the week of ${week}`).toHaveProperty('size', 1);
    // Both accounts did reach the debtor, in five different weeks.
    expect(new Set(contacts.map((c) => c.accountId)).size).toBe(2);
    expect(byWeek.size).toBe(5);
    await expectExactlyOnce(co);
  });

  it('CO: the account that lost a race is deferred with max_per_day / one_channel_per_week and until', async () => {
    // Day 1 (a Tuesday): both want WhatsApp at the window's opening; one waits for Wednesday.
    await expectRace(co, dayAt(co, 1, '07:00'), 'whatsapp', 'max_per_day', dayAt(co, 2, '07:00'));
    // Day 9 (Wednesday): USD wants WhatsApp, COP emailed on Tuesday. USD made no contact that week,
    // so only the ledger can have told it: deferred to next Monday.
    const usdTimeline = viewsOf(co)[1]?.timeline ?? [];
    expect(
      usdTimeline.filter(
        (e) => isContact(e) && weekStart(e.at.slice(0, 10)) === weekStart(localDate(dayAt(co, 9, '07:00'), zoneOf(co))),
      ),
    ).toEqual([]);
    const day9 = usdTimeline.find((e) => Date.parse(e.at) === dayAt(co, 9, '07:00'));
    expect(day9).toMatchObject({ type: 'deferred', channel: 'whatsapp', reason: 'one_channel_per_week' });
    expect(Date.parse(String(day9?.until))).toBe(dayAt(co, 14, '07:00'));
    // Day 15 at 20:00 (Tuesday, after the window): COP's email, after USD's Monday WhatsApp. It is
    // deferred, and not to Wednesday: the week's channel is WhatsApp, so the email waits for Monday.
    const copTimeline = viewsOf(co)[0]?.timeline ?? [];
    const late = copTimeline.find((e) => Date.parse(e.at) === dayAt(co, 15, '20:00'));
    expect(late).toMatchObject({ type: 'deferred', channel: 'email' });
    expect(Date.parse(String(late?.until))).toBe(dayAt(co, 21, '07:00'));
    expect(
      copTimeline.find(
        (e) => e.type === 'message' && e.channel === 'email' && Date.parse(e.at) === dayAt(co, 21, '07:00'),
      ),
    ).toBeDefined();
    // Day 24 (Thursday, pre-legal): both want WhatsApp in a week COP opened by email.
    const thursday = dayAt(co, 24, '07:00');
    for (const timeline of [copTimeline, usdTimeline]) {
      const entry = timeline.find((e) => Date.parse(e.at) === thursday);
      expect(entry).toMatchObject({ type: 'deferred', channel: 'whatsapp', reason: 'one_channel_per_week' });
      expect(Date.parse(String(entry?.until))).toBe(dayAt(co, 28, '07:00'));
    }
    // …and then both come due at Monday's opening: one goes, the other waits a day.
    await expectRace(co, dayAt(co, 28, '07:00'), 'whatsapp', 'max_per_day', dayAt(co, 29, '07:00'));
  });

  it('CL: written contacts at most 2 a week and 2 days apart, calls 1 a week, across CLP and USD', async () => {
    const zone = zoneOf(cl);
    const contacts = timelineContacts(cl);
    const written = contacts.filter((c) => WRITTEN.has(c.channel));
    for (const [week, same] of groupBy(written, (c) => weekStart(localDate(c.at, zone))))
      expect(same.length, `written in the week of ${week}`).toBeLessThanOrEqual(2);
    for (let i = 1; i < written.length; i++) {
      expect(
        daysBetween(localDate(written[i - 1]?.at ?? 0, zone), localDate(written[i]?.at ?? 0, zone)),
      ).toBeGreaterThanOrEqual(2);
    }
    const voice = contacts.filter((c) => VOICE_AND_VISIT.has(c.channel));
    for (const [week, same] of groupBy(voice, (c) => weekStart(localDate(c.at, zone))))
      expect(same, `calls in the week of ${week}`).toHaveLength(1);
    expect(voice).toHaveLength(1);
    expect(written).toHaveLength(6);
    expect(new Set(contacts.map((c) => c.accountId)).size).toBe(2);
    await expectExactlyOnce(cl);
  });

  it('CL: the account that lost a race is deferred with min_days_between / max_per_week and until', async () => {
    // Day 1 (Monday): both email at 08:00; the other waits two days.
    await expectRace(cl, dayAt(cl, 1, '08:00'), 'email', 'min_days_between', dayAt(cl, 3, '08:00'));
    // Day 4 (Thursday): both want a call; calls are 1 a week per debtor.
    await expectRace(cl, dayAt(cl, 4, '08:00'), 'call', 'max_per_week', dayAt(cl, 8, '08:00'));
    // Day 5 (Friday): the week's two written contacts are used up (one by each account), so both
    // accounts' WhatsApp waits for Monday, including the one that only sent on Monday itself.
    const friday = dayAt(cl, 5, '08:00');
    for (const { accountId, timeline } of viewsOf(cl)) {
      const entry = timeline.find((e) => Date.parse(e.at) === friday && e.channel === 'whatsapp');
      expect(entry, accountId).toMatchObject({ type: 'deferred', reason: 'max_per_week' });
      expect(Date.parse(String(entry?.until))).toBe(dayAt(cl, 8, '08:00'));
    }
    // Monday: both come due again; one sends, the other waits two days.
    await expectRace(cl, dayAt(cl, 8, '08:00'), 'whatsapp', 'min_days_between', dayAt(cl, 10, '08:00'));
    // Pre-legal (day 15, Monday): both email again.
    await expectRace(cl, dayAt(cl, 15, '08:00'), 'email', 'min_days_between', dayAt(cl, 17, '08:00'));
  });

  it('GET /v1/debtors/{externalId}/contact-decisions lists the ledger of both accounts with each rule', async () => {
    const key = generateKey();
    await rig.db.db
      .insert(apiKeys)
      .values({ name: uniqueId('system'), role: 'system', agentId: null, keyHash: hashKey(key) });
    const call = httpClient(api.api?.url ?? '');
    for (const d of [co, cl]) {
      const res = await call('GET', `/v1/debtors/${d.debtorExternalId}/contact-decisions?limit=500`, undefined, key);
      expect(res.status).toBe(200);
      const ledger = await ledgerOf(d);
      const items = res.body.items as {
        accountId: string;
        decision: string;
        rule: string | null;
        decidedAt: string;
        deferredUntil: string | null;
      }[];
      expect(
        items.map((i) => [
          i.accountId,
          i.decision,
          i.rule,
          Date.parse(i.decidedAt),
          i.deferredUntil && Date.parse(i.deferredUntil),
        ]),
      ).toEqual(
        ledger
          .reverse()
          .map((r) => [r.accountId, r.decision, r.rule, r.decidedAt.getTime(), r.deferredUntil?.getTime() ?? null]),
      );
      expect(new Set(items.map((i) => i.accountId))).toEqual(new Set(d.journeys.map((j) => j.account.accountId)));
    }
  });
});

describe('contact ledger (reserveContacts)', () => {
  it('hands back another account’s contact even to a reservation that only defers, so the next attempt cannot ignore it', async () => {
    const d = await prepareDebtorJourneys(rig.db.db, coBudgetJourney, notBefore);
    const [a, b] = d.journeys.map((j) => j.account.accountId);
    if (!a || !b) throw new Error('two accounts expected');
    const budget = createContactBudgetActivities({ db: rig.db.db });
    const t = notBefore;
    expect(
      await budget.reserveContacts({
        accountId: a,
        knownUpTo: 0,
        attempts: [{ key: `${a}/v1/x/0/1`, channel: 'whatsapp', at: t }],
        decisions: [],
        packVersion: 'CO@1',
      }),
    ).toMatchObject({ ok: true });
    const deferral = {
      key: `${b}/deferred/x`,
      channel: 'email',
      decision: 'deferred' as const,
      rule: 'outside_window',
      at: t + 1000,
      until: t + 3_600_000,
    };
    const onlyDefers = await budget.reserveContacts({
      accountId: b,
      knownUpTo: 0,
      attempts: [],
      decisions: [deferral],
      packVersion: 'CO@1',
    });
    expect(onlyDefers).toMatchObject({ ok: false, contacts: [{ at: t, channel: 'whatsapp' }] });
    // Nothing was recorded for the refused reservation; once the contacts are known it goes through.
    expect(
      await rig.db.db
        .select()
        .from(contactDecisions)
        .where(and(eq(contactDecisions.accountId, b))),
    ).toEqual([]);
    const again = await budget.reserveContacts({
      accountId: b,
      knownUpTo: onlyDefers.knownUpTo,
      attempts: [],
      decisions: [deferral],
      packVersion: 'CO@1',
    });
    expect(again).toEqual({ ok: true, knownUpTo: onlyDefers.knownUpTo });
    const attempt = await budget.reserveContacts({
      accountId: b,
      knownUpTo: again.knownUpTo,
      attempts: [{ key: `${b}/v1/x/0/1`, channel: 'email', at: t + 3_600_000 }],
      decisions: [],
      packVersion: 'CO@1',
    });
    expect(attempt.ok).toBe(true);
    const rows = await rig.db.db
      .select()
      .from(contactDecisions)
      .where(inArray(contactDecisions.accountId, [a, b]));
    expect(rows.map((r) => [r.accountId, r.decision, r.rule]).sort()).toEqual(
      [
        [a, 'sent', null],
        [b, 'deferred', 'outside_window'],
        [b, 'sent', null],
      ].sort(),
    );
  });
});

/** The activity types of a recorded history's local-activity markers (their bookkeeping is plain JSON). */
function localActivityTypes(file: string): string[] {
  const history = JSON.parse(readFileSync(file, 'utf8')) as {
    events: { markerRecordedEventAttributes?: { details?: { data?: { payloads?: { data?: string }[] } } } }[];
  };
  return history.events.flatMap((e) => {
    const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
    if (!data) return [];
    const marker = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { activity_type?: string };
    return marker.activity_type ? [marker.activity_type] : [];
  });
}

describe('recorded histories for the replay test', () => {
  it('hold the two debtors whose accounts reserve contacts in the debtor-wide ledger', () => {
    const dir = path.resolve(import.meta.dirname, '../fixtures/histories');
    const withBudget = readdirSync(dir)
      .filter((f) => f.endsWith('.json') && localActivityTypes(path.join(dir, f)).includes('reserveContacts'))
      .map((f) => f.replace(/\.run\d+\.json$/, ''));
    expect([...new Set(withBudget)].sort()).toEqual(
      expect.arrayContaining([
        'contact-budget-cl-clp',
        'contact-budget-cl-usd',
        'contact-budget-co-cop',
        'contact-budget-co-usd',
      ]),
    );
  });
});
