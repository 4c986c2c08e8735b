// Agreements, disputes, supervision and contact facts over HTTP, against the real servers.
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, debtorChannelStatus, strategyVersions } from '../../db/schema';
import { BUILTIN_STRATEGIES } from '../../strategies/builtin/index';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let keys: Record<'system' | 'supervisor' | 'strategist', string>;
let call: ReturnType<typeof httpClient>;

const zone = 'America/Mexico_City';
const today = () => DateTime.now().setZone(zone);

async function openAccount(amount = '1000.00', strategyId?: string) {
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: {
        externalId: uniqueId('D'),
        name: 'Luis Gómez',
        kind: 'person',
        email: 'luis@example.com',
        country: 'MX',
      },
      amount,
      currency: 'MXN',
      dueDate: today().minus({ days: 3 }).toISODate(),
      ...(strategyId ? { strategyId } : {}),
    },
    keys.system,
  );
  expect(res.status).toBe(201);
  const accountId = res.body.accountId as string;
  await eventually(
    () => call('GET', `/v1/accounts/${accountId}`, undefined, keys.system),
    (r) => r.body.stage === 'early',
  );
  return accountId;
}

const view = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, keys.system);

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  keys = {
    system: await app.keyFor('system'),
    supervisor: await app.keyFor('supervisor'),
    strategist: await app.keyFor('strategist'),
  };
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

describe('promises and plans', () => {
  it('accepts a promise within policy (201) and refuses what the policy refuses (422 with the reason)', async () => {
    const accountId = await openAccount();
    const tooSmall = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '100.00', dueDate: today().plus({ days: 5 }).toISODate() },
      keys.system,
    );
    expect(tooSmall.status).toBe(422);
    expect(tooSmall.body.reason).toBe('amount_too_low');
    const tooFar = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '500.00', dueDate: today().plus({ days: 40 }).toISODate() },
      keys.system,
    );
    expect(tooFar.body.reason).toBe('due_date_too_far');

    const ok = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '500.00', dueDate: today().plus({ days: 5 }).toISODate() },
      keys.system,
    );
    expect(ok.status).toBe(201);
    expect(ok.body.status).toBe('active');
    expect(ok.body.promiseId).toEqual(expect.any(String));
    const second = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '500.00', dueDate: today().plus({ days: 6 }).toISODate() },
      keys.system,
    );
    expect(second.status).toBe(422);
    expect(second.body.reason).toBe('promise_active');
    const plan = await call(
      'POST',
      `/v1/accounts/${accountId}/plans`,
      { installments: [{ amount: '1000.00', dueDate: today().plus({ days: 3 }).toISODate() }] },
      keys.system,
    );
    expect(plan.status).toBe(422);

    const after = await view(accountId);
    expect(after.body.promise).toMatchObject({ amount: '500.00', status: 'active' });
    const types = (after.body.timeline as { type: string; reason?: string }[]).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['promise_rejected', 'promise_accepted']));
  });

  it('accepts a payment plan that covers the balance and refuses a short one', async () => {
    const accountId = await openAccount('900.00');
    const d = (n: number) => today().plus({ days: n }).toISODate();
    const short = await call(
      'POST',
      `/v1/accounts/${accountId}/plans`,
      {
        installments: [
          { amount: '300.00', dueDate: d(5) },
          { amount: '300.00', dueDate: d(35) },
        ],
      },
      keys.system,
    );
    expect(short.status).toBe(422);
    expect(short.body.reason).toBe('total_too_low');
    const plan = await call(
      'POST',
      `/v1/accounts/${accountId}/plans`,
      {
        installments: [
          { amount: '300.00', dueDate: d(5) },
          { amount: '300.00', dueDate: d(35) },
          { amount: '300.00', dueDate: d(65) },
        ],
      },
      keys.system,
    );
    expect(plan.status).toBe(201);
    expect(plan.body.planId).toEqual(expect.any(String));
  });

  it('names the bad fields of a malformed agreement', async () => {
    const accountId = await openAccount();
    const res = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '12,34', dueDate: '2026-02-31', extra: true },
      keys.system,
    );
    expect(res.status).toBe(400);
    expect((res.body.errors as { field: string }[]).map((e) => e.field).sort()).toEqual(['amount', 'dueDate', 'extra']);
  });
});

describe('disputes, supervision and contact facts', () => {
  it('pauses collection during a dispute and applies an upheld adjustment', async () => {
    const accountId = await openAccount('1000.00');
    expect((await call('POST', `/v1/accounts/${accountId}/disputes`, { reason: 'ya pagué' }, keys.system)).status).toBe(
      202,
    );
    const disputed = await eventually(
      () => view(accountId),
      (r) => r.body.status === 'disputed',
    );
    expect(disputed.body.status).toBe('disputed');
    expect(disputed.body.nextAction).toBeNull();
    const wrongRole = await call(
      'POST',
      `/v1/accounts/${accountId}/disputes/resolution`,
      { outcome: 'upheld' },
      keys.strategist,
    );
    expect(wrongRole.status).toBe(403);
    const resolved = await call(
      'POST',
      `/v1/accounts/${accountId}/disputes/resolution`,
      { outcome: 'upheld', adjustment: '250.00' },
      keys.supervisor,
    );
    expect(resolved.status).toBe(202);
    const after = await eventually(
      () => view(accountId),
      (r) => r.body.balance?.amount === '750.00',
    );
    expect(after.body.balance.amount).toBe('750.00');
    expect(after.body.status).toBe('active');
  });

  it('lets a supervisor pause and resume, records opt-outs and outcomes', async () => {
    const accountId = await openAccount();
    expect((await call('POST', `/v1/accounts/${accountId}/pause`, {}, keys.system)).status).toBe(403);
    expect((await call('POST', `/v1/accounts/${accountId}/pause`, {}, keys.supervisor)).status).toBe(202);
    expect(
      (
        await eventually(
          () => view(accountId),
          (r) => r.body.status === 'paused',
        )
      ).body.status,
    ).toBe('paused');
    expect((await call('POST', `/v1/accounts/${accountId}/resume`, {}, keys.supervisor)).status).toBe(202);
    expect(
      (
        await eventually(
          () => view(accountId),
          (r) => r.body.status === 'active',
        )
      ).body.status,
    ).toBe('active');

    expect(
      (await call('POST', `/v1/accounts/${accountId}/opt-outs`, { channel: 'whatsapp' }, keys.system)).status,
    ).toBe(202);
    const [account] = await db.db.select().from(accounts).where(eq(accounts.id, accountId));
    const statuses = await db.db
      .select()
      .from(debtorChannelStatus)
      .where(eq(debtorChannelStatus.debtorId, account?.debtorId ?? ''));
    expect(statuses).toEqual([expect.objectContaining({ channel: 'whatsapp', status: 'opted_out' })]);
    expect(
      (
        await call(
          'POST',
          `/v1/accounts/${accountId}/contact-outcomes`,
          { channel: 'call', outcome: 'no_answer' },
          keys.system,
        )
      ).status,
    ).toBe(202);
    const bad = await call(
      'POST',
      `/v1/accounts/${accountId}/contact-outcomes`,
      { channel: 'pigeon', outcome: 'no_answer' },
      keys.system,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('channel');
  });

  it('lets agents act only on accounts assigned to them', async () => {
    const accountId = await openAccount();
    const agent = await app.keyFor('agent', uniqueId('agent'));
    const promise = { amount: '500.00', dueDate: today().plus({ days: 5 }).toISODate() };
    expect((await call('POST', `/v1/accounts/${accountId}/promises`, promise, agent)).status).toBe(404);
    expect((await call('GET', `/v1/accounts/${accountId}`, undefined, agent)).status).toBe(404);
    const agentId = uniqueId('agent');
    const assigned = await app.keyFor('agent', agentId);
    await db.db.update(accounts).set({ assignedAgentId: agentId }).where(eq(accounts.id, accountId));
    expect((await call('GET', `/v1/accounts/${accountId}`, undefined, assigned)).status).toBe(200);
    expect((await call('POST', `/v1/accounts/${accountId}/promises`, promise, assigned)).status).toBe(201);
  });

  it('moves an account to a published strategy version only', async () => {
    const accountId = await openAccount();
    const missing = await call(
      'PUT',
      `/v1/accounts/${accountId}/strategy`,
      { strategyId: 'consumer-mx', version: 99 },
      keys.strategist,
    );
    expect(missing.status).toBe(404);
    const ok = await call(
      'PUT',
      `/v1/accounts/${accountId}/strategy`,
      { strategyId: 'b2b-co', version: 0 },
      keys.strategist,
    );
    expect(ok.status).toBe(202);
    const moved = await eventually(
      () => view(accountId),
      (r) => r.body.strategy?.id === 'b2b-co',
    );
    expect(moved.body.strategy).toEqual({ id: 'b2b-co', version: 0 });
  });

  it('rolls every open account of a strategy onto a newly published version', async () => {
    const strategyId = uniqueId('consumer-test');
    const definition = { ...BUILTIN_STRATEGIES['consumer-mx'], id: strategyId };
    await db.db.insert(strategyVersions).values({ strategyId, version: 1, definition });
    const first = await openAccount('1000.00', strategyId);
    const second = await openAccount('1200.00', strategyId);
    for (const id of [first, second]) expect((await view(id)).body.strategy).toEqual({ id: strategyId, version: 1 });

    const unpublished = await call('POST', `/v1/strategies/${strategyId}/rollout`, { version: 2 }, keys.strategist);
    expect(unpublished.status).toBe(404);
    await db.db
      .insert(strategyVersions)
      .values({ strategyId, version: 2, definition: { ...definition, name: 'Consumo México v2' } });
    expect((await call('POST', `/v1/strategies/${strategyId}/rollout`, { version: 2 }, keys.supervisor)).status).toBe(
      403,
    );
    const rollout = await call('POST', `/v1/strategies/${strategyId}/rollout`, { version: 2 }, keys.strategist);
    expect(rollout.status).toBe(202);
    expect(rollout.body.accounts).toBe(2);
    for (const id of [first, second]) {
      const moved = await eventually(
        () => view(id),
        (r) => r.body.strategy?.version === 2,
        30_000,
      );
      expect(moved.body.strategy).toEqual({ id: strategyId, version: 2 });
    }
  });
});
