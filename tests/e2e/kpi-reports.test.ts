// The KPI reports over HTTP on the real servers, in a database of this file alone (it publishes a
// segmentation): aging, roll and cure rates, channel delivery and read rates, agent productivity and
// champion against challenger, each with hand-checked figures; bad input is a 400 naming the parameter.
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createChannelActivities } from '../../activities/channel.activities';
import { createDb, type DbHandle } from '../../db/client';
import { generateKey, hashKey } from '../../api/auth';
import { apiKeys, outboundMessages, type Role } from '../../db/schema';
import type { TimelineEntry } from '../../strategies/core/types';
import { kpis } from '../../strategies/kpis';
import { ratioEstimate, ratioInterval, twoProportionZTest, wilsonInterval } from '../../strategies/stats';
import { eventually, httpClient } from '../support/http';
import { testLinks } from '../support/links';
import { createWebhookSecret, emailEvent, signWebhook } from '../support/resend-server';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

const secret = createWebhookSecret();
let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let keys: Record<'system' | 'supervisor' | 'strategist', string>;

const zone = 'America/Mexico_City';
const day = (n: number) => DateTime.now().setZone(zone).plus({ days: n }).toISODate() ?? '';

async function freshDatabase(): Promise<string> {
  const url = new URL(inject('databaseUrl'));
  const name = `kpi_reports_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = createDb(url.toString(), { max: 1 });
  await admin.sql.unsafe(`create database ${name}`);
  await admin.close();
  url.pathname = `/${name}`;
  return url.toString();
}

/** Keys live in this file's database (the app's keyFor writes to the shared one). */
async function keyFor(role: Role, agentId?: string): Promise<string> {
  const key = generateKey();
  await db.db.insert(apiKeys).values({ name: uniqueId(role), role, agentId: agentId ?? null, keyHash: hashKey(key) });
  return key;
}

beforeAll(async () => {
  const databaseUrl = await freshDatabase();
  app = await startTestApp({ DATABASE_URL: databaseUrl, RESEND_WEBHOOK_SECRET: secret });
  db = createDb(databaseUrl, { max: 2 });
  call = httpClient(app.url);
  keys = {
    system: await keyFor('system'),
    supervisor: await keyFor('supervisor'),
    strategist: await keyFor('strategist'),
  };
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

const get = (path: string, query: Record<string, string>, key = keys.supervisor) =>
  call('GET', `${path}?${new URLSearchParams(query).toString()}`, undefined, key);

/** A published strategy whose only step comes long after these tests: accounts stay quiet. */
async function quietStrategy(prefix: string): Promise<string> {
  const id = uniqueId(prefix).toLowerCase();
  const strategy = {
    id,
    name: `KPI reports ${prefix}`,
    jurisdiction: 'MX',
    stages: [
      {
        id: 'early',
        kind: 'administrative',
        fromDay: 1,
        steps: [{ day: 300, action: 'message', channel: 'email', template: 'overdue' }],
      },
    ],
  };
  expect((await call('PUT', `/v1/strategies/${id}/draft`, strategy, keys.strategist)).status).toBe(200);
  expect((await call('POST', `/v1/strategies/${id}/publish`, {}, keys.strategist)).status).toBeLessThan(300);
  return id;
}

async function open(amount: string, dueDate: string, strategyId?: string): Promise<string> {
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: { externalId: uniqueId('D'), name: 'Eva Ruiz', kind: 'person', email: 'eva@example.com', country: 'MX' },
      amount,
      currency: 'MXN',
      dueDate,
      ...(strategyId ? { strategyId } : {}),
    },
    keys.system,
  );
  expect(res.status).toBe(201);
  return res.body.accountId as string;
}

const ledgerHas = (accountId: string, type: string, count = 1) =>
  eventually(
    () =>
      db.db.execute<{ n: number }>(
        sql`select count(*)::int as n from account_ledger where account_id = ${accountId} and type = ${type}`,
      ),
    (rows) => (rows[0]?.n ?? 0) >= count,
  );

const pay = async (accountId: string, amount: string) => {
  const payment = { amount, currency: 'MXN', reference: uniqueId('P') };
  expect((await call('POST', `/v1/accounts/${accountId}/payments`, payment, keys.system)).status).toBe(202);
};

async function message(
  accountId: string,
  channel: string,
  status: 'sent' | 'failed' | 'pending',
  deliveryStatus: string | null = null,
) {
  const [row] = await db.db
    .insert(outboundMessages)
    .values({
      idempotencyKey: uniqueId(`${accountId}/v1/early/0`),
      accountId,
      channel,
      template: 'overdue',
      locale: 'es',
      status,
      deliveryStatus,
      provider: channel === 'email' ? 'resend' : 'whatsapp',
      providerMessageId: crypto.randomUUID(),
    })
    .returning();
  if (!row) throw new Error('no row');
  return row;
}

async function receipt(m: { id: string; providerMessageId: string | null }, type: Parameters<typeof emailEvent>[0]) {
  const signed = signWebhook(
    emailEvent(type, { emailId: m.providerMessageId ?? '', tags: { message_id: m.id } }),
    secret,
  );
  const res = await fetch(`${app.url}/v1/webhooks/resend`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signed.headers },
    body: signed.body,
  });
  expect(res.status).toBe(200);
}

const bucket = (accounts: number, balance: string, accountShare: number | null, balanceShare: number | null) => ({
  accounts,
  balance,
  accountShare,
  balanceShare,
});

describe('GET /v1/kpis/aging', () => {
  it("buckets today's open and handed-off accounts by days past due, by count and balance", async () => {
    const strategy = await quietStrategy('aging');
    const notDue = await open('100.00', day(5), strategy);
    const ten = await open('200.00', day(-10), strategy);
    const forty = await open('300.00', day(-40), strategy);
    const ninetyFive = await open('400.00', day(-95), strategy);
    const paid = await open('500.00', day(-20), strategy);
    for (const id of [notDue, ten, forty, ninetyFive, paid]) await ledgerHas(id, 'opened');
    await pay(forty, '50.00');
    await pay(paid, '500.00');
    await ledgerHas(forty, 'payment');
    await ledgerHas(paid, 'closed');
    const expected = {
      key: { strategy },
      currency: 'MXN',
      accounts: 4,
      balance: '950.00',
      buckets: [
        { bucket: 'current', ...bucket(1, '100.00', 0.25, 100 / 950) },
        { bucket: '1-30', ...bucket(1, '200.00', 0.25, 200 / 950) },
        { bucket: '31-60', ...bucket(1, '250.00', 0.25, 250 / 950) },
        { bucket: '61-90', ...bucket(0, '0.00', 0, 0) },
        { bucket: '90+', ...bucket(1, '400.00', 0.25, 400 / 950) },
      ],
    };
    // The balance is the read model's, kept by the workflow's activity: poll until the payment is in it.
    const res = await eventually(
      () => get('/v1/kpis/aging', { groupBy: 'strategy', strategy }),
      (r) => r.body.groups?.[0]?.balance === '950.00',
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ asOf: null, groupBy: ['strategy'], groups: [expected] });
    const today = await get('/v1/kpis/aging', { asOf: day(0), strategy, currency: 'MXN' });
    expect(today.body.groups).toEqual([{ ...expected, key: {} }]);
    // The accounts did not exist yesterday: zeros and nulls.
    const before = await get('/v1/kpis/aging', { asOf: day(-1), strategy, currency: 'MXN' });
    expect(before.body.groups).toEqual([
      {
        key: {},
        currency: 'MXN',
        accounts: 0,
        balance: '0.00',
        buckets: ['current', '1-30', '31-60', '61-90', '90+'].map((b) => ({
          bucket: b,
          ...bucket(0, '0.00', null, null),
        })),
      },
    ]);
  });
});

describe('a recorded history: aging on a past date, roll and cure rates', () => {
  // Accounts of a season ago, written as the ledger projection writes them (the servers cannot go back in time).
  const D1 = '2025-01-31';
  const D2 = '2025-03-02';
  let strategy: string;

  beforeAll(async () => {
    strategy = uniqueId('history').toLowerCase();
    type Entry = { date: string; type: string; day: number; amount?: number; entry?: Record<string, unknown> };
    const account = async (
      balanceMinor: number,
      invoices: { amount: number; due: string; created: string }[],
      entries: Entry[],
    ) => {
      const [debtor] = await db.db.execute<{ id: string }>(sql`
        insert into debtors (external_id, kind, name, country, timezone)
        values (${uniqueId('D')}, 'person', 'Ana Díaz', 'MX', ${zone}) returning id`);
      const closed = entries.some((e) => e.type === 'closed');
      const [row] = await db.db.execute<{ id: string }>(sql`
        insert into accounts (debtor_id, currency, workflow_id, status, stage, strategy_id, strategy_version, balance_minor, opened_at, closed_at)
        values (${debtor?.id}, 'MXN', ${uniqueId('wf')}, ${closed ? 'closed' : 'active'}, 'early', ${strategy}, 1,
          ${balanceMinor}, ${`${entries[0]?.date}T09:00:00-06:00`}, ${closed ? '2025-02-20T09:00:00-06:00' : null})
        returning id`);
      for (const i of invoices)
        await db.db.execute(sql`
          insert into invoices (external_id, account_id, debtor_id, amount_minor, currency, due_date, content_hash, created_at)
          values (${uniqueId('F')}, ${row?.id}, ${debtor?.id}, ${i.amount}, 'MXN', ${i.due}, 'h', ${`${i.created}T09:00:00-06:00`})`);
      for (const [seq, e] of entries.entries())
        await db.db.execute(sql`
          insert into account_ledger (account_id, seq, at, local_date, type, stage, day, strategy_id, strategy_version,
            arm, country, currency, amount_minor, entry)
          values (${row?.id}, ${seq}, ${`${e.date}T09:00:00-06:00`}, ${e.date}, ${e.type}, 'early', ${e.day}, ${strategy}, 1,
            'assigned', 'MX', 'MXN', ${e.amount ?? null},
            ${JSON.stringify({ at: `${e.date}T09:00:00-06:00`, day: e.day, stage: 'early', type: e.type, ...e.entry })}::jsonb)`);
    };
    // Day 15 on D1 (1–30), a second invoice after D1, nothing else: day 45 on D2 (31–60).
    await account(
      125000,
      [
        { amount: 100000, due: '2025-01-16', created: '2025-01-21' },
        { amount: 25000, due: '2025-03-10', created: '2025-02-10' },
      ],
      [{ date: '2025-01-21', type: 'opened', day: 5, amount: 100000 }],
    );
    // Day 70 on D1 (61–90), paid in full on 2025-02-10: paid on D2 (cured).
    await account(
      0,
      [{ amount: 70000, due: '2024-11-22', created: '2025-01-01' }],
      [
        { date: '2025-01-01', type: 'opened', day: 40, amount: 70000 },
        { date: '2025-02-10', type: 'payment', day: 80, amount: 70000 },
        { date: '2025-02-10', type: 'closed', day: 80, entry: { status: 'paid' } },
      ],
    );
    // Not due on D1 (day −14, current); a payment plan with 30.00 interest on 2025-02-12; day 16 on D2 (1–30).
    await account(
      33000,
      [{ amount: 30000, due: '2025-02-14', created: '2025-01-25' }],
      [
        { date: '2025-01-25', type: 'opened', day: -20, amount: 30000 },
        {
          date: '2025-02-12',
          type: 'plan_accepted',
          day: -2,
          amount: 33000,
          entry: { total: '330.00', interest: '30.00' },
        },
      ],
    );
    // Day 31 on D1 (31–60); 200.00 paid on 2025-02-05 clears the oldest invoice (the next is 3 days due): day 28 on D2 (1–30, cured).
    await account(
      50000,
      [
        { amount: 20000, due: '2024-12-31', created: '2025-01-10' },
        { amount: 50000, due: '2025-02-02', created: '2025-01-10' },
      ],
      [
        { date: '2025-01-10', type: 'opened', day: 10, amount: 70000 },
        { date: '2025-02-05', type: 'payment', day: 36, amount: 20000 },
        { date: '2025-02-05', type: 'stage_entered', day: 3 },
      ],
    );
    // Opened after D1: neither in D1's aging nor followed.
    await account(
      90000,
      [{ amount: 90000, due: '2025-02-01', created: '2025-02-15' }],
      [{ date: '2025-02-15', type: 'opened', day: 14, amount: 90000 }],
    );
    // Day 126 on D1 (90+), written off on 2025-02-20: neither rolled nor cured.
    await account(
      0,
      [{ amount: 200000, due: '2024-09-27', created: '2025-01-05' }],
      [
        { date: '2025-01-05', type: 'opened', day: 100, amount: 200000 },
        { date: '2025-02-20', type: 'written_off', day: 146, amount: 200000, entry: { reason: 'uncollectable' } },
        { date: '2025-02-20', type: 'closed', day: 146, entry: { status: 'written_off' } },
      ],
    );
  });

  it('ages the accounts as they stood on a past date, with the balance they had then', async () => {
    const res = await get('/v1/kpis/aging', { asOf: D1, strategy });
    expect(res.status).toBe(200);
    expect(res.body.groups).toEqual([
      {
        key: {},
        currency: 'MXN',
        accounts: 5,
        balance: '4700.00',
        buckets: [
          { bucket: 'current', ...bucket(1, '300.00', 0.2, 300 / 4700) },
          { bucket: '1-30', ...bucket(1, '1000.00', 0.2, 1000 / 4700) },
          { bucket: '31-60', ...bucket(1, '700.00', 0.2, 700 / 4700) },
          { bucket: '61-90', ...bucket(1, '700.00', 0.2, 700 / 4700) },
          { bucket: '90+', ...bucket(1, '2000.00', 0.2, 2000 / 4700) },
        ],
      },
    ]);
    // On D2 the paid and written-off accounts are gone, the late one is in.
    const later = await get('/v1/kpis/aging', { asOf: D2, strategy });
    expect(later.body.groups[0]).toMatchObject({ accounts: 4, balance: '2980.00' });
  });

  it('follows the accounts open on from to their bucket on to: rolled, cured, paid, written off', async () => {
    const res = await get('/v1/kpis/roll-rates', { from: D1, to: D2, strategy });
    expect(res.status).toBe(200);
    const row = (
      b: string,
      accounts: number,
      to: Record<string, number>,
      rolled: number,
      next: number,
      cured: number,
    ) => ({
      bucket: b,
      accounts,
      to,
      rolled,
      rolledToNext: next,
      cured,
      rollRate: rolled / accounts,
      nextBucketRate: next / accounts,
      cureRate: cured / accounts,
    });
    expect(res.body).toEqual({
      from: D1,
      to: D2,
      groups: [
        {
          currency: 'MXN',
          accounts: 5,
          delinquent: 4,
          curedToCurrent: 1,
          cureRate: 0.25,
          buckets: [
            row('current', 1, { '1-30': 1 }, 1, 1, 0),
            row('1-30', 1, { '31-60': 1 }, 1, 1, 0),
            row('31-60', 1, { '1-30': 1 }, 0, 0, 1),
            row('61-90', 1, { paid: 1 }, 0, 0, 1),
            row('90+', 1, { written_off: 1 }, 0, 0, 0),
          ],
        },
      ],
    });
    const idle = await get('/v1/kpis/roll-rates', { from: '2031-01-01', to: '2031-02-01', currency: 'PEN' });
    expect(idle.body.groups).toEqual([
      {
        currency: 'PEN',
        accounts: 0,
        delinquent: 0,
        curedToCurrent: 0,
        cureRate: null,
        buckets: ['current', '1-30', '31-60', '61-90', '90+'].map((b) => ({
          bucket: b,
          accounts: 0,
          to: {},
          rolled: 0,
          rolledToNext: 0,
          cured: 0,
          rollRate: null,
          nextBucketRate: null,
          cureRate: null,
        })),
      },
    ]);
  });
});

describe('GET /v1/kpis/channels', () => {
  it('counts sent, delivered, read and failed messages per channel from their latest receipts', async () => {
    const strategy = await quietStrategy('channels');
    const accountId = await open('100.00', day(-3), strategy);
    const [opened, delivered, bounced] = [
      await message(accountId, 'email', 'sent'),
      await message(accountId, 'email', 'sent'),
      await message(accountId, 'email', 'sent'),
    ];
    await message(accountId, 'email', 'sent');
    await message(accountId, 'email', 'pending');
    await receipt(opened, 'email.delivered');
    await receipt(opened, 'email.opened');
    await receipt(delivered, 'email.delivered');
    await receipt(bounced, 'email.bounced');
    await message(accountId, 'whatsapp', 'sent', 'read');
    await message(accountId, 'whatsapp', 'failed');

    const res = await get('/v1/kpis/channels', { from: day(-1), to: day(1), strategy });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: day(-1),
      to: day(1),
      channels: [
        {
          channel: 'email',
          sent: 4,
          delivered: 2,
          read: 1,
          failed: 1,
          deliveryRate: 0.5,
          readRate: 0.5,
          failureRate: 0.25,
        },
        {
          channel: 'whatsapp',
          sent: 2,
          delivered: 1,
          read: 1,
          failed: 1,
          deliveryRate: 0.5,
          readRate: 1,
          failureRate: 0.5,
        },
      ],
    });
    const idle = await get('/v1/kpis/channels', { from: '2031-01-01', to: '2031-01-31' });
    expect(idle.body.channels).toEqual([]);
  });
});

describe('GET /v1/kpis/agents', () => {
  it("counts an agent's finished tasks, promises on their accounts and payments within N days of their contact", async () => {
    const strategy = await quietStrategy('agents');
    const agentId = uniqueId('agent');
    const agentKey = await keyFor('agent', agentId);
    const worked = await open('1000.00', day(-5), strategy);
    const untouched = await open('800.00', day(-5), strategy);
    for (const id of [worked, untouched]) {
      await ledgerHas(id, 'opened');
      expect((await call('PUT', `/v1/accounts/${id}/assignment`, { agentId }, keys.supervisor)).status).toBe(200);
    }
    const tasks = createChannelActivities({ db: db.db, email: null, links: testLinks });
    const task = await tasks.createAgentTask({
      accountId: worked,
      idempotencyKey: `${worked}/v1/early/1/1`,
      channel: 'call',
      priority: 'high',
      dueAt: Date.now(),
    });
    expect((await call('POST', `/v1/tasks/${task.taskId}/complete`, { outcome: 'right_party' }, agentKey)).status).toBe(
      200,
    );
    await ledgerHas(worked, 'contact_outcome');
    expect(
      (await call('POST', `/v1/accounts/${worked}/promises`, { amount: '300.00', dueDate: day(3) }, keys.system))
        .status,
    ).toBe(201);
    await ledgerHas(worked, 'promise_accepted');
    await pay(worked, '300.00');
    // A payment on an account of theirs they never contacted (a delivery receipt is no contact) is not theirs.
    await receipt(await message(untouched, 'email', 'sent'), 'email.delivered');
    await ledgerHas(untouched, 'contact_outcome');
    await pay(untouched, '100.00');
    await ledgerHas(worked, 'payment');
    await ledgerHas(untouched, 'payment');

    const res = await get('/v1/kpis/agents', { from: day(-1), to: day(1), strategy }, keys.strategist);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: day(-1),
      to: day(1),
      withinDays: 7,
      agents: [
        { agentId, tasksDone: 1, promisesObtained: 1, collected: [{ currency: 'MXN', amount: '300.00', payments: 1 }] },
      ],
    });
    // Within 0 days: the payment came after the contact, so it no longer counts.
    const none = await get('/v1/kpis/agents', { from: day(-1), to: day(1), strategy, withinDays: '0' });
    expect(none.body.agents).toEqual([{ agentId, tasksDone: 1, promisesObtained: 1, collected: [] }]);
  });
});

describe('GET /v1/kpis/champion-challenger', () => {
  it('compares the arms of a split with intervals and says whether they differ', async () => {
    const champion = await quietStrategy('champion');
    const challenger = await quietStrategy('challenger');
    const segmentation = {
      rules: [],
      default: { strategy: champion, challenger: { strategy: challenger, percent: 50 } },
    };
    expect((await call('PUT', '/v1/segmentation', segmentation, keys.strategist)).status).toBe(200);

    // Accounts until each arm has three (the split is a hash of the account id).
    const arms: Record<'champion' | 'challenger', string[]> = { champion: [], challenger: [] };
    for (let i = 0; i < 30 && (arms.champion.length < 3 || arms.challenger.length < 3); i++) {
      const id = await open('1000.00', day(-5));
      await ledgerHas(id, 'opened');
      const [row] = await db.db.execute<{ arm: 'champion' | 'challenger' }>(
        sql`select strategy_arm as arm from accounts where id = ${id}`,
      );
      arms[row?.arm ?? 'champion'].push(id);
    }
    expect(arms.champion.length).toBeGreaterThanOrEqual(3);
    expect(arms.challenger.length).toBeGreaterThanOrEqual(3);
    // Champion: every account pays in full after a right-party contact; challenger: the first pays half.
    for (const id of arms.champion) {
      expect(
        (
          await call(
            'POST',
            `/v1/accounts/${id}/contact-outcomes`,
            { channel: 'call', outcome: 'right_party' },
            keys.system,
          )
        ).status,
      ).toBe(202);
      await ledgerHas(id, 'contact_outcome');
      await pay(id, '1000.00');
      await ledgerHas(id, 'closed');
    }
    await pay(arms.challenger[0] ?? '', '500.00');
    await ledgerHas(arms.challenger[0] ?? '', 'payment');

    const period = { from: day(-1), to: day(1) };
    const res = await get('/v1/kpis/champion-challenger', { strategy: challenger, ...period }, keys.strategist);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ strategy: challenger, ...period });
    expect(res.body.splits).toHaveLength(1);
    const split = res.body.splits[0];
    expect(split).toMatchObject({ champion, challenger, rules: [{ rule: 'default', versions: [expect.any(Number)] }] });
    expect(split.currencies).toHaveLength(1);
    const [c, h] = split.currencies[0].arms;
    const nc = arms.champion.length;
    const nh = arms.challenger.length;

    // Hand-checked: the champion recovered everything placed, the challenger 500 of 1000·nh.
    const timelines = async (ids: string[]) =>
      Promise.all(
        ids.map(async (id) => ({
          currency: 'MXN',
          timeline: (await call('GET', `/v1/accounts/${id}`, undefined, keys.system)).body.timeline as TimelineEntry[],
        })),
      );
    const [kc] = kpis(await timelines(arms.champion), period);
    const [kh] = kpis(await timelines(arms.challenger), period);
    const hEstimate = ratioEstimate({
      n: nh,
      sumX: 100000 * nh,
      sumY: 50000,
      sumXX: 100000 * 100000 * nh,
      sumYY: 50000 * 50000,
      sumXY: 100000 * 50000,
    });
    expect(c).toMatchObject({
      arm: 'champion',
      strategy: champion,
      accounts: nc,
      opened: nc,
      placed: `${nc * 1000}.00`,
      recovered: `${nc * 1000}.00`,
      recoveryRate: 1,
      // Every account recovered all: no spread, a zero-width interval.
      recoveryRateInterval: { low: 1, high: 1 },
      promisesKept: 0,
      keptRate: null,
      keptRateInterval: null,
      rightPartyContacts: nc,
      attempts: kc?.attempts,
      rpcRate: kc?.rpcRate,
      rpcRateInterval: wilsonInterval(Math.min(nc, kc?.attempts ?? 0), kc?.attempts ?? 0),
    });
    expect(h).toMatchObject({
      arm: 'challenger',
      strategy: challenger,
      accounts: nh,
      placed: `${nh * 1000}.00`,
      recovered: '500.00',
      recoveryRate: 0.5 / nh,
      rightPartyContacts: 0,
      attempts: kh?.attempts,
      rpcRate: kh?.rpcRate,
    });
    // Var = Σ(yᵢ − R·xᵢ)² ÷ ((n − 1)·n·x̄²) with one account at 500 of 1000 and the rest at 0 of 1000.
    const r = 0.5 / nh;
    const variance = ((500 - r * 1000) ** 2 + (nh - 1) * (r * 1000) ** 2) / ((nh - 1) * nh * 1000 ** 2);
    expect(hEstimate.variance).toBeCloseTo(variance, 12);
    expect(h.recoveryRateInterval.low).toBeCloseTo(Math.max(0, r - 1.959963984540054 * Math.sqrt(variance)), 9);
    expect(h.recoveryRateInterval.high).toBeCloseTo(ratioInterval(hEstimate)?.high ?? NaN, 9);
    const z = (1 - r) / Math.sqrt(variance);
    expect(split.currencies[0].difference.recoveryRate.z).toBeCloseTo(z, 6);
    expect(split.currencies[0].difference.recoveryRate.significant).toBe(true);
    expect(split.currencies[0].difference.keptRate).toBeNull();
    expect(split.currencies[0].difference.rpcRate).toEqual(
      twoProportionZTest(Math.min(nc, kc?.attempts ?? 0), kc?.attempts ?? 0, 0, kh?.attempts ?? 0),
    );

    // The champion's id finds the same split; a strategy no split names is a 400 naming it.
    const byChampion = await get('/v1/kpis/champion-challenger', { strategy: champion, ...period });
    expect(byChampion.body.splits).toEqual(res.body.splits);
    const unsplit = await get('/v1/kpis/champion-challenger', { strategy: await quietStrategy('alone'), ...period });
    expect(unsplit.status).toBe(400);
    expect(unsplit.body.errors.map((e: { field: string }) => e.field)).toEqual(['querystring.strategy']);
  });
});

describe('bad input', () => {
  it('is a 400 naming the parameter; agents and systems may not ask', async () => {
    const fieldsOf = async (path: string, query: Record<string, string>) => {
      const res = await get(path, query);
      expect(res.status).toBe(400);
      expect(res.type).toContain('application/problem+json');
      return (res.body.errors as { field: string }[]).map((e) => e.field);
    };
    expect(await fieldsOf('/v1/kpis/aging', { groupBy: 'strategy,colour' })).toEqual(['querystring.groupBy']);
    expect(await fieldsOf('/v1/kpis/aging', { groupBy: 'day' })).toEqual(['querystring.groupBy']);
    expect(await fieldsOf('/v1/kpis/aging', { asOf: '2026-02-30' })).toEqual(['querystring.asOf']);
    expect(await fieldsOf('/v1/kpis/roll-rates', { from: '2026-03-10', to: '2026-03-01' })).toEqual([
      'querystring.from',
    ]);
    expect(await fieldsOf('/v1/kpis/roll-rates', { from: '2024-01-01', to: '2026-01-02' })).toEqual(['querystring.to']);
    expect(await fieldsOf('/v1/kpis/channels', { to: '2026-03-01' })).toEqual(['querystring.from']);
    expect(await fieldsOf('/v1/kpis/agents', { from: '2026-03-01', to: '2026-03-02', withinDays: '-1' })).toEqual([
      'querystring.withinDays',
    ]);
    expect(await fieldsOf('/v1/kpis/champion-challenger', { from: '2026-03-01', to: '2026-03-02' })).toEqual([
      'querystring.strategy',
    ]);
    const agent = await keyFor('agent', uniqueId('agent'));
    for (const key of [agent, keys.system]) expect((await get('/v1/kpis/aging', {}, key)).status).toBe(403);
  });
});
