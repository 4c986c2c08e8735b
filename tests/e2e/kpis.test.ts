// GET /v1/kpis over HTTP on the real servers: journeys run, then the ledger's figures equal the KPI
// function over the accounts' timelines (whole and grouped); bad input is a 400 naming the parameter.
import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../strategies/core/types';
import { kpis } from '../../strategies/kpis';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let call: ReturnType<typeof httpClient>;
let keys: Record<'system' | 'supervisor' | 'strategist' | 'agent', string>;

const zone = 'America/Mexico_City';
const today = () => DateTime.now().setZone(zone);
const day = (n: number) => today().plus({ days: n }).toISODate() ?? '';
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

const kpisPath = (query: Record<string, string>) => `/v1/kpis?${new URLSearchParams(query).toString()}`;

describe('GET /v1/kpis from the live ledger', () => {
  it('equals the KPI function over the timelines of the accounts, whole and grouped by stage', async () => {
    // A strategy of this test alone, so the figures of other tests' accounts stay apart (groupBy=strategy).
    const strategyId = uniqueId('kpis').toLowerCase();
    const strategy = {
      id: strategyId,
      name: 'KPI journeys',
      jurisdiction: 'MX',
      stages: [
        {
          id: 'early',
          kind: 'administrative',
          fromDay: 1,
          steps: [
            { day: 1, action: 'message', channel: 'email', template: 'overdue' },
            { day: 2, action: 'task', channel: 'call', priority: 'high' },
          ],
        },
      ],
    };
    expect((await call('PUT', `/v1/strategies/${strategyId}/draft`, strategy, keys.strategist)).status).toBe(200);
    expect((await call('POST', `/v1/strategies/${strategyId}/publish`, {}, keys.strategist)).status).toBeLessThan(300);

    const open = async (amount: string) => {
      const res = await call(
        'POST',
        '/v1/invoices',
        {
          externalId: uniqueId('F'),
          debtor: {
            externalId: uniqueId('D'),
            name: 'Eva Ruiz',
            kind: 'person',
            email: 'eva@example.com',
            country: 'MX',
          },
          amount,
          currency: 'MXN',
          dueDate: day(-10),
          strategyId,
        },
        keys.system,
      );
      expect(res.status).toBe(201);
      return res.body.accountId as string;
    };
    const [paying, promising, quiet] = [await open('1000.00'), await open('400.00'), await open('250.00')];
    const view = (id: string) => call('GET', `/v1/accounts/${id}`, undefined, keys.system);
    for (const id of [paying, promising, quiet])
      await eventually(
        () => view(id),
        (r) => (r.body.timeline ?? []).some((e: TimelineEntry) => e.type === 'stage_entered'),
      );
    const payment = { amount: '600.00', currency: 'MXN', reference: uniqueId('P') };
    expect((await call('POST', `/v1/accounts/${paying}/payments`, payment, keys.system)).status).toBe(202);
    const promise = { amount: '400.00', dueDate: day(3) };
    expect((await call('POST', `/v1/accounts/${promising}/promises`, promise, keys.system)).status).toBe(201);
    const outcome = { channel: 'call', outcome: 'right_party' };
    expect((await call('POST', `/v1/accounts/${promising}/contact-outcomes`, outcome, keys.system)).status).toBe(202);

    const timelines = async () =>
      Promise.all(
        [paying, promising, quiet].map(async (id) => ({
          currency: 'MXN',
          timeline: (await view(id)).body.timeline as TimelineEntry[],
        })),
      );
    const ours = (groups: { key: { strategy: string } }[]) => groups.filter((g) => g.key.strategy === strategyId);
    const withoutKey = ({ key: _key, ...k }: Record<string, unknown>) => k;

    // The ledger lands right after each decision: poll until it has caught up with the views.
    const settled = await eventually(
      async () => {
        const expected = kpis(await timelines(), period);
        const res = await call('GET', kpisPath({ ...period, groupBy: 'strategy' }), undefined, keys.supervisor);
        return { expected, res, groups: ours(res.body.groups ?? []) };
      },
      ({ expected, groups }) =>
        isDeepStrictEqual(groups.map(withoutKey), expected) &&
        expected[0]?.collected === '600.00' &&
        expected[0].rightPartyContacts === 1,
    );
    expect(settled.res.status).toBe(200);
    expect(settled.res.body).toMatchObject({ from: period.from, to: period.to, groupBy: ['strategy'] });
    expect(settled.groups.map(withoutKey)).toEqual(settled.expected);
    expect(settled.groups[0]).toMatchObject({
      key: { strategy: strategyId },
      currency: 'MXN',
      accounts: 3,
      opened: 3,
      placed: '1650.00',
      collected: '600.00',
      recovered: '600.00',
      recoveryRate: 600 / 1650,
      promises: 1,
      rightPartyContacts: 1,
    });

    // Grouped by stage too: each group is the KPI function over the entries of that stage.
    const all = await timelines();
    const byStage = await call(
      'GET',
      kpisPath({ ...period, groupBy: 'strategy,stage', currency: 'MXN' }),
      undefined,
      keys.strategist,
    );
    expect(byStage.status).toBe(200);
    const stageGroups = ours(byStage.body.groups) as unknown as { key: { stage: string } }[];
    expect(stageGroups.map((g) => g.key.stage).sort()).toEqual(['early', 'none']);
    for (const g of stageGroups) {
      const only = all.map((t) => ({ ...t, timeline: t.timeline.filter((e) => e.stage === g.key.stage) }));
      expect(withoutKey(g)).toEqual(kpis(only, period)[0]);
    }
  });

  it('a period with no activity answers zeros and nulls, never an error', async () => {
    const q = { from: '2031-01-01', to: '2031-01-31' };
    const none = await call('GET', kpisPath({ ...q, currency: 'MXN' }), undefined, keys.supervisor);
    expect(none.status).toBe(200);
    expect(none.body.groups).toEqual([
      expect.objectContaining({
        key: {},
        currency: 'MXN',
        accounts: 0,
        placed: '0.00',
        collected: '0.00',
        recoveryRate: null,
        keptRate: null,
        rpcRate: null,
        messages: {},
      }),
    ]);
    const grouped = await call('GET', kpisPath({ ...q, groupBy: 'day,channel' }), undefined, keys.supervisor);
    expect(grouped).toMatchObject({ status: 200, body: { groups: [] } });
  });

  it('bad input is a 400 naming the parameter; agents and systems may not ask', async () => {
    const fieldsOf = async (query: Record<string, string>) => {
      const res = await call('GET', kpisPath(query), undefined, keys.supervisor);
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      return (res.body.errors as { field: string; message: string }[]).map((e) => e.field);
    };
    expect(await fieldsOf({ from: '2026-03-10', to: '2026-03-01' })).toEqual(['querystring.from']);
    expect(await fieldsOf({ from: '2026-03-01', to: '2026-03-31', groupBy: 'strategy,colour' })).toEqual([
      'querystring.groupBy',
    ]);
    expect(await fieldsOf({ from: '2024-01-01', to: '2026-01-02' })).toEqual(['querystring.to']);
    expect(await fieldsOf({ from: '2026-02-30', to: '2026-03-31' })).toEqual(['querystring.from']);
    expect(await fieldsOf({ from: 'yesterday', to: '2026-03-31' })).toEqual(['querystring.from']);
    expect(await fieldsOf({ to: '2026-03-31' })).toEqual(['querystring.from']);
    expect(
      (await call('GET', kpisPath({ from: '2024-01-01', to: '2026-01-01' }), undefined, keys.supervisor)).status,
    ).toBe(200);
    for (const key of [keys.agent, keys.system])
      expect((await call('GET', kpisPath({ from: '2026-03-01', to: '2026-03-31' }), undefined, key)).status).toBe(403);
  });
});
