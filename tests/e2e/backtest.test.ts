// POST /v1/strategies/{id}/versions/{v}/backtest on the real servers: accounts run through their workflows
// (payments, a promise, a contact outcome), then a second version is backtested over them. `actual` is the
// KPI function over the accounts' real timelines, `simulated` the KPI function over a simulator run of the
// same events under that version; the version they ran under reproduces what happened.
import { DateTime } from 'luxon';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb } from '../../db/client';
import { backtestJobs } from '../../db/schema';
import { createBacktestJob, createBacktestRunner } from '../../lib/backtest/jobs';
import type { TimelineEntry } from '../../strategies/core/types';
import { kpis } from '../../strategies/kpis';
import { parseScenario, simulate } from '../../strategies/simulate';
import { eventually, httpClient, type HttpAnswer } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let call: ReturnType<typeof httpClient>;
let keys: Record<'system' | 'supervisor' | 'strategist' | 'agent', string>;

const zone = 'America/Mexico_City';
const day = (n: number) => DateTime.now().setZone(zone).plus({ days: n }).toISODate() ?? '';
const period = { from: day(-2), to: day(2) };

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  keys = {
    system: await app.keyFor('system'),
    supervisor: await app.keyFor('supervisor'),
    strategist: await app.keyFor('strategist'),
    agent: await app.keyFor('agent', uniqueId('agent')),
  };
});

afterAll(async () => {
  await app?.stop();
});

const definition = (id: string, v2: boolean) => ({
  id,
  name: 'Backtest',
  jurisdiction: 'MX',
  // The challenger refuses half-balance promises and writes instead of calling.
  promise: { maxDaysAhead: 15, minPercent: v2 ? 60 : 30, graceDays: 1 },
  stages: [
    {
      id: 'early',
      kind: 'administrative',
      fromDay: 1,
      steps: v2
        ? [{ day: 1, action: 'message', channel: 'email', template: 'overdue' }]
        : [
            { day: 1, action: 'message', channel: 'email', template: 'overdue' },
            { day: 2, action: 'task', channel: 'call', priority: 'high' },
          ],
    },
  ],
});

interface Opened {
  accountId: string;
  debtor: { externalId: string; name: string; kind: 'person'; email: string; phone: string; country: 'MX' };
  invoice: { externalId: string; amount: string; currency: 'MXN'; dueDate: string };
}

async function publish(id: string, v2: boolean): Promise<number> {
  expect((await call('PUT', `/v1/strategies/${id}/draft`, definition(id, v2), keys.strategist)).status).toBe(200);
  const res = await call('POST', `/v1/strategies/${id}/publish`, {}, keys.strategist);
  expect(res.status).toBeLessThan(300);
  return res.body.version as number;
}

async function backtest(id: string, version: number, extra: { sample?: number } = {}): Promise<HttpAnswer> {
  const body = { ...period, collectedUnder: id, ...extra };
  const started = await call('POST', `/v1/strategies/${id}/versions/${version}/backtest`, body, keys.strategist);
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ status: 'queued', strategy: { id, version }, ...period });
  const done = await eventually(
    () => call('GET', `/v1/backtests/${started.body.jobId}`, undefined, keys.supervisor),
    (r) => r.body.status === 'completed' || r.body.status === 'failed',
  );
  expect(done.body.status).toBe('completed');
  const total = extra.sample ?? 3;
  expect(done.body.progress).toEqual({ accountsDone: total, accountsTotal: total });
  return done;
}

describe('backtest over HTTP', () => {
  it('answers actual beside simulated: the KPI function over the real timelines and over the replay', async () => {
    const strategyId = uniqueId('backtest').toLowerCase();
    expect(await publish(strategyId, false)).toBe(1);

    const open = async (amount: string): Promise<Opened> => {
      const debtor = {
        externalId: uniqueId('D'),
        name: 'Eva Ruiz',
        kind: 'person' as const,
        email: 'eva@example.com',
        phone: '+525512345678',
        country: 'MX' as const,
      };
      const invoice = { externalId: uniqueId('F'), amount, currency: 'MXN' as const, dueDate: day(-10) };
      const res = await call('POST', '/v1/invoices', { ...invoice, debtor, strategyId }, keys.system);
      expect(res.status).toBe(201);
      return { accountId: res.body.accountId as string, debtor, invoice };
    };
    const accounts = [await open('1000.00'), await open('400.00'), await open('250.00')];
    const [paying, promising] = accounts as [Opened, Opened, Opened];
    const view = async (a: Opened) =>
      (await call('GET', `/v1/accounts/${a.accountId}`, undefined, keys.system)).body.timeline as TimelineEntry[];
    for (const a of accounts)
      await eventually(
        () => view(a),
        (t) => t.some((e) => e.type === 'stage_entered'),
      );
    const payment = { amount: '600.00', currency: 'MXN', reference: uniqueId('P') };
    expect((await call('POST', `/v1/accounts/${paying.accountId}/payments`, payment, keys.system)).status).toBe(202);
    const promise = { amount: '200.00', dueDate: day(3) };
    expect((await call('POST', `/v1/accounts/${promising.accountId}/promises`, promise, keys.system)).status).toBe(201);
    const outcome = { channel: 'call', outcome: 'right_party' };
    const outcomeAt = `/v1/accounts/${promising.accountId}/contact-outcomes`;
    expect((await call('POST', outcomeAt, outcome, keys.system)).status).toBe(202);

    // Every entry of the views in the ledger (what the backtest reads).
    const ledgerLength = async (a: Opened) =>
      (
        (await call('GET', `/v1/debtors/${a.debtor.externalId}/timeline?limit=500`, undefined, keys.supervisor)).body
          .items ?? []
      ).length as number;
    const real = await eventually(
      async () =>
        Promise.all(accounts.map(async (a) => ({ a, timeline: await view(a), ledger: await ledgerLength(a) }))),
      (all) =>
        all.every(({ timeline, ledger }) => timeline.length === ledger) &&
        all[0]?.timeline.some((e) => e.type === 'payment') === true &&
        all[1]?.timeline.some((e) => e.type === 'contact_outcome') === true,
    );
    const timelines = real.map(({ timeline }) => ({ currency: 'MXN', timeline }));

    const v2 = await publish(strategyId, true);
    const challenger = (await backtest(strategyId, v2)).body.result;
    expect(challenger.accounts).toBe(3);
    expect(challenger.actual.kpis).toEqual(kpis(timelines, period));

    // The same events through the simulator, written as scenarios (CONTRACT §4) from what the test did.
    const atOf = (t: TimelineEntry[], type: string) => t.find((e) => e.type === type)?.at ?? '';
    const simulated = real.map(({ a, timeline }) => {
      const events: Record<string, unknown>[] = [];
      if (a === paying)
        events.push({ at: atOf(timeline, 'payment'), type: 'payment', ...payment, currency: undefined });
      if (a === promising) {
        const requested = timeline.find((e) => e.type === 'promise_accepted' || e.type === 'promise_rejected');
        events.push({ at: requested?.at, type: 'promise', ...promise });
        events.push({ at: atOf(timeline, 'contact_outcome'), type: 'contact_outcome', ...outcome });
      }
      const parsed = parseScenario({
        start: atOf(timeline, 'opened'),
        until: challenger.replayedUntil,
        strategy: definition(strategyId, true),
        debtor: a.debtor,
        invoices: [a.invoice],
        events: events.map((e) => JSON.parse(JSON.stringify(e)) as unknown),
      });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      return { currency: 'MXN', timeline: simulate(parsed.scenario).timeline };
    });
    expect(challenger.simulated.kpis).toEqual(kpis(simulated, period));

    // What the challenger changes: e-mails instead of calls (sent or held back by the contact window, by the
    // hour the test runs), and the half-balance promise refused.
    expect(challenger.actual.kpis[0]).toMatchObject({ accounts: 3, promises: 1, collected: '600.00' });
    expect(challenger.simulated.kpis[0]).toMatchObject({ accounts: 3, promises: 0, collected: '600.00' });
    const actions = (all: { timeline: TimelineEntry[] }[]) =>
      all.map(({ timeline }) => timeline.filter((e) => ['message', 'task', 'deferred'].includes(e.type)));
    const channels = (all: { timeline: TimelineEntry[] }[]) => [
      ...new Set(
        actions(all)
          .flat()
          .map((e) => e.channel),
      ),
    ];
    expect(channels(timelines).filter((c) => c !== 'call')).toEqual([]);
    expect(channels(simulated).filter((c) => c !== 'email')).toEqual([]);
    expect(challenger.actual.skipped).toEqual({ catch_up: 3 });
    expect(challenger.simulated.skipped).toEqual({});
    const contacts = (entries: TimelineEntry[]) => entries.filter((e) => e.type === 'message' || e.type === 'task');
    const firstDays = simulated.flatMap(({ timeline }) =>
      contacts(timeline)
        .slice(0, 1)
        .map((e) => e.day),
    );
    expect(challenger.simulated.contacts.accounts).toBe(firstDays.length);
    expect(challenger.simulated.timing.medianDayOfFirstContact).toBe(firstDays.length > 0 ? firstDays[0] : null);
    const differing = actions(timelines).filter((a, i) => {
      const b = actions(simulated)[i] ?? [];
      return (
        JSON.stringify(contacts(a).map((e) => [e.at, e.type, e.channel])) !==
        JSON.stringify(contacts(b).map((e) => [e.at, e.type, e.channel]))
      );
    });
    expect(challenger.accountsWithOtherContacts).toBe(differing.length);

    // The version the accounts ran under, replayed, is what happened.
    const champion = (await backtest(strategyId, 1)).body.result;
    expect(champion.simulated).toEqual(champion.actual);
    expect(champion.accountsWithOtherContacts).toBe(0);

    // A sample is the same accounts every time.
    const [first, again] = [
      await backtest(strategyId, v2, { sample: 2 }),
      await backtest(strategyId, v2, { sample: 2 }),
    ];
    expect(first.body.result.accounts).toBe(2);
    const figures = ({ replayedUntil: _at, ...rest }: Record<string, unknown>) => rest;
    expect(figures(again.body.result)).toEqual(figures(first.body.result));
  });

  it('bad input is a 400 naming the field, an unknown version a 404 naming it; agents may not ask', async () => {
    const strategyId = uniqueId('backtest-bad').toLowerCase();
    await publish(strategyId, false);
    const path = (v: number | string, id = strategyId) => `/v1/strategies/${id}/versions/${v}/backtest`;
    const fieldsOf = (res: HttpAnswer, status: number) => {
      expect(res.status).toBe(status);
      expect(res.type).toContain('application/problem+json');
      return (res.body.errors as { field: string }[]).map((e) => e.field);
    };
    const post = (body: unknown, v: number | string = 1, id?: string) =>
      call('POST', path(v, id), body, keys.supervisor);
    expect(fieldsOf(await post({ from: '2026-03-10', to: '2026-03-01' }), 400)).toEqual(['from']);
    expect(fieldsOf(await post({ from: '2024-01-01', to: '2026-01-02' }), 400)).toEqual(['to']);
    expect(fieldsOf(await post({ from: '2026-02-30', to: '2026-03-31' }), 400)).toEqual(['from']);
    expect(fieldsOf(await post({ to: '2026-03-31' }), 400)).toEqual(['from']);
    expect(fieldsOf(await post({ from: '2026-03-01', to: '2026-03-31', sample: 0 }), 400)).toEqual(['sample']);
    expect(fieldsOf(await post({ from: '2026-03-01', to: '2026-03-31', colour: 'red' }), 400)).toEqual(['colour']);
    const month = { from: '2026-03-01', to: '2026-03-31' };
    expect(fieldsOf(await post(month, 7), 404)).toEqual(['params.version']);
    expect(fieldsOf(await post(month, 1, `${strategyId}-none`), 404)).toEqual(['params.id']);
    expect((await call('POST', path(1), month, keys.agent)).status).toBe(403);
    expect((await call('POST', path(1), month, keys.system)).status).toBe(403);
    const unknownJob = await call('GET', `/v1/backtests/${crypto.randomUUID()}`, undefined, keys.strategist);
    expect(unknownJob.status).toBe(404);
  });

  it('a job left queued or running by a stopped process is marked failed, one still owned is not', async () => {
    const handle = createDb(inject('databaseUrl'), { max: 2 });
    try {
      const scope = {
        from: period.from,
        to: period.to,
        strategyId: 'consumer-mx',
        strategyVersion: 0,
        createdBy: null,
      };
      const orphan = await createBacktestJob(handle.db, scope);
      await handle.db.update(backtestJobs).set({ status: 'running' }).where(eq(backtestJobs.id, orphan.id));
      const runner = createBacktestRunner({ db: handle.db, log: { error: () => undefined } });
      expect(await runner.recoverInterrupted()).toBeGreaterThanOrEqual(1);
      const res = await call('GET', `/v1/backtests/${orphan.id}`, undefined, keys.supervisor);
      expect(res.body).toMatchObject({ status: 'failed', error: { message: expect.stringContaining('interrupted') } });
      // A fresh job run by a live process: its lock keeps it from being taken for an orphan.
      const live = await call(
        'POST',
        '/v1/strategies/consumer-mx/versions/0/backtest',
        { ...period, sample: 1 },
        keys.strategist,
      );
      expect(live.status).toBe(202);
      await runner.recoverInterrupted();
      const done = await eventually(
        () => call('GET', `/v1/backtests/${live.body.jobId}`, undefined, keys.supervisor),
        (r) => r.body.status === 'completed' || r.body.status === 'failed',
      );
      expect(done.body.status).toBe('completed');
    } finally {
      await handle.close();
    }
  });
});
