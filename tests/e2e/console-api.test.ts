// The API the console stands on, through the real servers: an agent's queue in working order with each
// task's reason (and a 500-task queue timed), the team, distribution rules (round robin, capacity, segment,
// dry run, idempotent, tasks follow the account), saved filters per person, and the strategy editor's
// simulations (one journey; a draft against the published version over one portfolio).
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../db/client';
import { accounts, agentTasks, workflowOutbox } from '../../db/schema';
import { consumerMx } from '../../strategies/builtin/consumer-mx';
import { caller, invoiceBody } from '../api/helpers';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { login, type Session } from '../support/session';

const handle = createDb(inject('databaseUrl'), { max: 2 });
const db = handle.db;
let app: TestApp;
let call: ReturnType<typeof caller>;
let admin: string;
let system: string;
let supervisor: string;
let strategist: string;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  [admin, system, supervisor, strategist] = await Promise.all([
    app.keyFor('admin'),
    app.keyFor('system'),
    app.keyFor('supervisor'),
    app.keyFor('strategist'),
  ]);
});

afterAll(async () => {
  await app?.stop();
  await handle.close();
});

async function person(role: string, extra: Record<string, unknown> = {}): Promise<Session> {
  const email = `${uniqueId(role)}@example.com`;
  const password = 'console api password';
  const made = await call('POST', '/v1/users', admin, { email, name: `Persona ${role}`, role, password, ...extra });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  return login(app.url, email, password);
}

async function openAccounts(n: number, debtor: (i: number) => Record<string, unknown> = () => ({})): Promise<string[]> {
  // Due next month: the accounts stay active, before their first stage, while the test looks at them.
  const dueDate = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const res = await call('POST', '/v1/invoices/batch', system, {
    invoices: Array.from({ length: n }, (_, i) => {
      const body = invoiceBody(uniqueId('F'), uniqueId('D'), `${100 + i}.00`, { dueDate });
      return { ...body, debtor: { ...body.debtor, name: `Deudor ${i}`, ...debtor(i) } };
    }),
  });
  expect(res.body.results.every((r: { status: number }) => r.status === 201)).toBe(true);
  return res.body.results.map((r: { accountId: string }) => r.accountId);
}

const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const RANK = { urgent: 0, high: 10, normal: 20, low: 30 } as const;

describe('GET /v1/me/queue', () => {
  it('lists the agent’s 500 open tasks overdue first, by priority then age, each with its reason and account', async () => {
    const agentId = uniqueId('agent');
    const agent = await person('agent', { agentId });
    const ids = await openAccounts(20);
    const assigned = await call('POST', '/v1/assignments', supervisor, {
      rule: 'round_robin',
      accountIds: ids,
      agents: [agentId],
    });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body.moved).toBe(20);
    const now = Date.now();
    const rows = Array.from({ length: 500 }, (_, i) => {
      const priority = PRIORITIES[i % 4]!;
      // 480 overdue (up to 2 days), 20 due later.
      const dueAt = new Date(i < 480 ? now - (i + 1) * 300_000 : now + (i - 479) * 3_600_000);
      const accountId = ids[i % ids.length]!;
      const key = i === 7 ? `portal/${accountId}/agent/${i}` : `${accountId}/v0/early/1/${i + 1}`;
      return {
        idempotencyKey: key,
        accountId,
        channel: 'call',
        priority,
        rank: RANK[priority],
        dueAt,
        assignedAgentId: agentId,
      };
    });
    await db.insert(agentTasks).values(rows);
    // Someone else's task and a done task are not in this queue.
    await db.insert(agentTasks).values([
      { ...rows[0]!, idempotencyKey: uniqueId('other'), assignedAgentId: uniqueId('agent') },
      { ...rows[1]!, idempotencyKey: uniqueId('done'), status: 'done' },
    ]);

    const timed = async () => {
      const t0 = performance.now();
      const res = await agent.call('GET', '/v1/me/queue?limit=500');
      return { res, ms: performance.now() - t0 };
    };
    const cold = await timed();
    const { res: full, ms } = await timed();
    console.log(
      `[console-api] GET /v1/me/queue, 500 tasks in one page: ${ms.toFixed(0)} ms (first call ${cold.ms.toFixed(0)} ms)`,
    );
    expect(full.status, JSON.stringify(full.body)).toBe(200);
    const items = full.body.items as any[];
    expect(items).toHaveLength(500);
    expect(full.body.nextCursor).toBeNull();
    const overdue = items.filter((t) => t.overdue);
    expect(overdue).toHaveLength(480);
    expect(items.slice(0, 480).every((t) => t.overdue)).toBe(true);
    // Within the overdue: by priority, then the longest overdue first.
    for (let i = 1; i < 480; i++) {
      const [a, b] = [items[i - 1], items[i]];
      const ra = RANK[a.priority as keyof typeof RANK];
      const rb = RANK[b.priority as keyof typeof RANK];
      expect(ra < rb || (ra === rb && a.dueAt <= b.dueAt)).toBe(true);
    }
    expect(items[0].priority).toBe('urgent');
    // Then the tasks not yet due, soonest first.
    const later = items.slice(480).map((t) => t.dueAt);
    expect(later).toEqual([...later].sort());
    const step = items.find((t) => t.reason.kind === 'strategy_step');
    expect(step.reason).toMatchObject({ kind: 'strategy_step', strategyVersion: 0, stageId: 'early', stepId: '1' });
    expect(items.find((t) => t.reason.kind === 'debtor_request').reason).toEqual({
      kind: 'debtor_request',
      source: 'portal',
    });
    expect(step.account).toMatchObject({
      debtorName: expect.stringMatching(/^Deudor \d+$/),
      stage: expect.any(String),
    });
    expect(step.account.balance.currency).toBe('MXN');
    expect(step.account.balance.amount).toMatch(/^\d+\.\d{2}$/);

    // Pages of 150 give the same order, no gaps, no repeats.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await agent.call('GET', `/v1/me/queue?limit=150${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...page.body.items.map((t: { id: string }) => t.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(items.map((t) => t.id));
    expect((await agent.call('GET', '/v1/me/queue?cursor=bm9wZQ')).status).toBe(400);
    expect((await call('GET', '/v1/me/queue', supervisor)).status).toBe(403);

    // The team: the agent's queue, and a task done today.
    const done = await agent.call('POST', `/v1/tasks/${items[0].id}/complete`, { outcome: 'no_answer' });
    expect(done.status).toBe(200);
    const team = await call('GET', '/v1/team', supervisor);
    expect(team.status, JSON.stringify(team.body)).toBe(200);
    const me = team.body.agents.find((a: { agentId: string }) => a.agentId === agentId);
    expect(me).toMatchObject({
      user: { id: agent.user.id, name: 'Persona agent' },
      queueSize: 499,
      overdue: 479,
      doneToday: 1,
      promisesObtained: 0,
      collected: [],
    });
    expect(team.body.from).toMatch(/^\d{4}-\d{2}-01$/);
    expect((await call('GET', '/v1/team?timezone=Mars/Olympus', supervisor)).body.errors).toEqual([
      expect.objectContaining({ field: 'querystring.timezone' }),
    ]);
  });
});

describe('POST /v1/assignments', () => {
  it('round robin: even shares, open tasks follow the account, the same request again moves nothing', async () => {
    const [a1, a2, a3] = [uniqueId('a1'), uniqueId('a2'), uniqueId('a3')];
    const ids = await openAccounts(10);
    await db.insert(agentTasks).values({
      idempotencyKey: uniqueId('task'),
      accountId: ids[0]!,
      channel: 'call',
      priority: 'high',
      rank: 10,
      dueAt: new Date(),
    });
    const body = { rule: 'round_robin', accountIds: ids, agents: [a1, a2, a3] };
    const dry = await call('POST', '/v1/assignments', supervisor, { ...body, dryRun: true });
    expect(dry.body).toMatchObject({ dryRun: true, selected: 10, moved: 10 });
    const still = await db.select().from(accounts).where(inArray(accounts.id, ids));
    expect(still.every((a) => a.assignedAgentId === null)).toBe(true);
    const first = await call('POST', '/v1/assignments', supervisor, body);
    expect(first.status).toBe(200);
    expect(first.body.agents.map((a: { accounts: number }) => a.accounts).sort()).toEqual([3, 3, 4]);
    expect(first.body.moves.map((m: { accountId: string }) => m.accountId).sort()).toEqual([...ids].sort());
    const [task] = await db.select().from(agentTasks).where(eq(agentTasks.accountId, ids[0]!));
    const [holder] = await db.select().from(accounts).where(eq(accounts.id, ids[0]!));
    expect(task?.assignedAgentId).toBe(holder?.assignedAgentId);
    const again = await call('POST', '/v1/assignments', supervisor, body);
    expect(again.body).toMatchObject({ moved: 0, unchanged: 10, moves: [] });
    // Rebalancing onto a fourth agent moves only what it takes: 10 → 3/3/2/2.
    const a4 = uniqueId('a4');
    const rebalance = await call('POST', '/v1/assignments', supervisor, { ...body, agents: [a1, a2, a3, a4] });
    expect(rebalance.body.moved).toBe(2);
    expect(rebalance.body.moves.every((m: { to: string }) => m.to === a4)).toBe(true);
    // By filter: the list's filters select (here, a4's accounts), and they are validated as the list does.
    const byFilter = await call('POST', '/v1/assignments', supervisor, {
      rule: 'round_robin',
      filter: { assignedAgentId: a4 },
      agents: [a1],
      dryRun: true,
    });
    expect(byFilter.body).toMatchObject({ selected: 2, moved: 2 });
    const badStage = await call('POST', '/v1/assignments', supervisor, {
      rule: 'round_robin',
      filter: { stage: 'nope' },
      agents: [a1],
    });
    expect(badStage.body.errors).toEqual([expect.objectContaining({ field: 'filter.stage' })]);
  });

  it('capacity: nobody holds more than their capacity; what does not fit is not assigned', async () => {
    const [small, big] = [uniqueId('small'), uniqueId('big')];
    const ids = await openAccounts(6);
    const res = await call('POST', '/v1/assignments', supervisor, {
      rule: 'capacity',
      accountIds: ids,
      agents: [small, big],
      capacity: { [small]: 1, [big]: 3 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.agents).toEqual([
      { agentId: small, accounts: 1 },
      { agentId: big, accounts: 3 },
    ]);
    expect(res.body.notAssigned).toHaveLength(2);
    expect(res.body.notAssigned.every((n: { reason: string }) => n.reason === 'capacity')).toBe(true);
    const missing = await call('POST', '/v1/assignments', supervisor, {
      rule: 'capacity',
      accountIds: ids,
      agents: [small, big],
      capacity: { [small]: 1 },
    });
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: `capacity.${big}` })]);
  });

  it('segment: each segment’s accounts go to its agents; an unmapped segment is not assigned', async () => {
    const [p1, p2, b1] = [uniqueId('p1'), uniqueId('p2'), uniqueId('b1')];
    const ids = await openAccounts(5, (i) => ({
      attributes: { segment: i < 4 ? (i % 2 ? 'premium' : 'basic') : 'other' },
    }));
    const res = await call('POST', '/v1/assignments', supervisor, {
      rule: 'segment',
      accountIds: ids,
      segmentBy: 'attribute',
      attribute: 'segment',
      segments: { premium: [p1, p2], basic: [b1] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const to = new Map(res.body.moves.map((m: { accountId: string; to: string }) => [m.accountId, m.to]));
    expect(to.get(ids[1]!)).toMatch(/^p[12]-/);
    expect(to.get(ids[3]!)).toMatch(/^p[12]-/);
    expect(to.get(ids[1]!)).not.toBe(to.get(ids[3]!));
    expect(to.get(ids[0]!)).toBe(b1);
    expect(to.get(ids[2]!)).toBe(b1);
    expect(res.body.notAssigned).toEqual([{ accountId: ids[4], reason: 'no_segment' }]);
    const both = await call('POST', '/v1/assignments', supervisor, {
      rule: 'segment',
      accountIds: ids,
      filter: {},
      segments: { premium: [p1] },
    });
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'accountIds' })]);
  });
});

describe('saved filters', () => {
  it('are each person’s own; the same name replaces; deleting another’s is a 404', async () => {
    const ana = await person('supervisor');
    const luis = await person('supervisor');
    const saved = await ana.call('POST', '/v1/saved-filters', {
      name: 'Morosos grandes',
      resource: 'accounts',
      query: { status: 'active', currency: 'MXN', minBalance: '1000.00' },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    const replaced = await ana.call('POST', '/v1/saved-filters', {
      name: 'Morosos grandes',
      resource: 'accounts',
      query: { status: 'active', currency: 'MXN', minBalance: '5000.00' },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.id).toBe(saved.body.id);
    const list = await ana.call('GET', '/v1/saved-filters');
    expect(list.body.items).toEqual([
      expect.objectContaining({
        name: 'Morosos grandes',
        query: { status: 'active', currency: 'MXN', minBalance: '5000.00' },
      }),
    ]);
    expect((await luis.call('GET', '/v1/saved-filters')).body.items).toEqual([]);
    expect((await luis.call('DELETE', `/v1/saved-filters/${saved.body.id}`)).status).toBe(404);
    const bad = await ana.call('POST', '/v1/saved-filters', {
      name: 'x',
      resource: 'accounts',
      query: { minBalance: '1.00' },
    });
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'query.currency' })]);
    expect((await ana.call('DELETE', `/v1/saved-filters/${saved.body.id}`)).status).toBe(204);
    expect((await ana.call('GET', '/v1/saved-filters')).body.items).toEqual([]);
  });
});

describe('strategy simulations', () => {
  const scenario = {
    start: '2026-03-02T08:00:00',
    until: '2026-04-20T00:00:00',
    strategy: 'consumer-mx',
    debtor: { externalId: 'D1', name: 'Ana Pérez', kind: 'person', country: 'MX', email: 'ana@example.com' },
    invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-03-05' }],
  };

  it('simulate: the journey under a draft; errors name the draft’s path', async () => {
    const res = await call('POST', '/v1/strategies/simulate', strategist, { scenario });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const stages = new Set(res.body.timeline.map((e: { stage: string }) => e.stage));
    expect(stages.has('early')).toBe(true);
    // A draft without the day-1 WhatsApp message: its timeline has no such send.
    const draft = {
      ...consumerMx,
      stages: consumerMx.stages.map((s) => (s.id === 'early' ? { ...s, steps: s.steps?.slice(1) } : s)),
    };
    const drafted = await call('POST', '/v1/strategies/simulate', strategist, { scenario, definition: draft });
    expect(drafted.status, JSON.stringify(drafted.body)).toBe(200);
    const sends = (body: any) =>
      body.timeline.filter((e: any) => e.stage === 'early' && e.channel === 'whatsapp').length;
    expect(sends(drafted.body)).toBeLessThan(sends(res.body));
    const broken = await call('POST', '/v1/strategies/simulate', strategist, {
      scenario,
      definition: { ...consumerMx, stages: [{ ...consumerMx.stages[0], kind: 'nope' }] },
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors[0].field).toMatch(/^definition\.stages\[0\]/);
    const unknown = await call('POST', '/v1/strategies/simulate', strategist, {
      scenario: { ...scenario, strategy: 'consumer-mx@99' },
    });
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'scenario.strategy' })]);
    expect((await call('POST', '/v1/strategies/simulate', supervisor, { scenario })).status).toBe(403);
  });

  it('portfolio simulation: draft against published over the same generated portfolio', async () => {
    const t0 = performance.now();
    const same = await call('POST', '/v1/strategies/consumer-mx/portfolio-simulation', strategist, {
      definition: consumerMx,
      sampleSize: 200,
      seed: 7,
    });
    console.log(
      `[console-api] portfolio simulation, 200 generated accounts × 2 versions: ${(performance.now() - t0).toFixed(0)} ms`,
    );
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body.portfolio).toMatchObject({ accounts: 200, generated: true, seed: 7 });
    expect(same.body.published.version).toBe(0);
    // The published definition as the draft: the very same KPIs (same accounts, same core).
    expect(same.body.draft.kpis).toEqual(same.body.published.kpis);
    expect(same.body.draft.kpis[0]).toMatchObject({ currency: 'MXN', accounts: 200 });
    const noCalls = {
      ...consumerMx,
      stages: consumerMx.stages.map((s) => ({ ...s, steps: s.steps?.filter((st) => st.action !== 'task') })),
    };
    const draft = await call('POST', '/v1/strategies/consumer-mx/portfolio-simulation', strategist, {
      definition: noCalls,
      sampleSize: 200,
      seed: 7,
    });
    expect(draft.body.published.kpis).toEqual(same.body.published.kpis);
    const tasks = (k: any) => Object.values(k.tasks as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(tasks(draft.body.draft.kpis[0])).toBe(0);
    expect(tasks(draft.body.published.kpis[0])).toBeGreaterThan(0);
    const none = await call('POST', `/v1/strategies/${uniqueId('nope')}/portfolio-simulation`, strategist, {});
    expect(none.status).toBe(404);
    const tooMany = await call('POST', '/v1/strategies/consumer-mx/portfolio-simulation', strategist, {
      sampleSize: 301,
    });
    expect(tooMany.body.errors).toEqual([expect.objectContaining({ field: 'sampleSize' })]);
  });

  it('rollout dry run: how many running accounts would move, by version, and nothing moves', async () => {
    const [id] = await openAccounts(1);
    // The account's workflow picks its strategy and version (the read model shows it soon after).
    let on: { strategyId: string | null; strategyVersion: number | null } | undefined;
    for (let i = 0; i < 100 && !on?.strategyId; i++) {
      [on] = await db.select().from(accounts).where(eq(accounts.id, id!));
      if (!on?.strategyId) await new Promise((r) => setTimeout(r, 200));
    }
    const strategyId = on!.strategyId!;
    const fromVersion = on!.strategyVersion ?? 0;
    const signals = async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(workflowOutbox)
          .where(eq(workflowOutbox.signalName, 'strategyVersionChanged'))
      )[0]?.n ?? 0;
    const onVersion = async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(accounts)
          .where(
            and(
              eq(accounts.strategyId, strategyId),
              eq(accounts.strategyVersion, fromVersion),
              isNull(accounts.closedAt),
            ),
          )
      )[0]?.n ?? 0;
    const before = await signals();
    let dry: any;
    let expected = -1;
    for (let i = 0; i < 20 && dry?.body.accounts !== expected; i++) {
      expected = await onVersion();
      dry = await call('POST', `/v1/strategies/${strategyId}/rollout`, strategist, {
        version: fromVersion,
        fromVersion,
        dryRun: true,
      });
      if (dry.body.accounts !== expected) await new Promise((r) => setTimeout(r, 250));
    }
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({ strategyId, version: fromVersion, dryRun: true, accounts: expected });
    expect(expected).toBeGreaterThan(0);
    expect(dry.body.byVersion).toEqual([{ version: fromVersion, accounts: expected }]);
    expect(await signals()).toBe(before);
  });
});
