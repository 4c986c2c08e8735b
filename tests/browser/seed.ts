// What the browser journeys start from: one user per role (through POST /v1/users, as an admin would),
// accounts opened through POST /v1/invoices, assigned to the agents, and open tasks in their queues.
import { eq } from 'drizzle-orm';
import { generateKey, hashKey } from '../../api/auth';
import { DateTime } from 'luxon';
import type { Db } from '../../db/client';
import { accounts, apiKeys } from '../../db/schema';
import { createAgentTask } from '../../lib/agent-tasks';

export interface Login {
  email: string;
  password: string;
  name: string;
  agentId?: string;
}

export interface ConsoleFixture {
  runId: string;
  users: { admin: Login; agent: Login; queueAgent: Login; supervisor: Login; strategist: Login };
  agentAccountId: string;
  agentTaskId: string;
  debtorPhone: string;
  queueTasks: number;
  portfolioAccountIds: string[];
  /** A strategy of this run, published once (v1) from the built-in consumer-mx: the strategist edits it. */
  strategyId: string;
  /** Running accounts opened on that strategy. */
  strategyAccounts: number;
}

interface SeedOptions {
  apiUrl: string;
  db: Db;
  systemKey: string;
  adminKey: string;
  admin: { email: string; password: string };
  runId: string;
  log: (line: string) => void;
}

/** The 500-task queue the render budget is measured on. */
export const QUEUE_TASKS = 500;

export async function seedConsole(o: SeedOptions): Promise<ConsoleFixture> {
  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const res = await fetch(`${o.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, any>;
  };
  const user = async (role: string, name: string, agentId?: string): Promise<Login> => {
    const login = { email: `${agentId ?? role}-${o.runId}@e2e.test`, password: `pw-${crypto.randomUUID()}`, name };
    await call('POST', '/v1/users', o.adminKey, { ...login, role, ...(agentId ? { agentId } : {}), locale: 'es' });
    return agentId ? { ...login, agentId } : login;
  };
  const agentId = `${o.runId}-agent`;
  const queueAgentId = `${o.runId}-agent500`;
  const users = {
    admin: { ...o.admin, name: 'Admin' },
    agent: await user('agent', 'Ana Agente', agentId),
    queueAgent: await user('agent', 'Quino Cola', queueAgentId),
    supervisor: await user('supervisor', 'Sofía Supervisora'),
    strategist: await user('strategist', 'Esteban Estratega'),
  };

  const due = DateTime.now().setZone('America/Mexico_City').minus({ days: 12 }).toISODate() ?? '';
  const debtorPhone = '+525512345678';
  const open = async (i: number, phone?: string) => {
    const answer = await call('POST', '/v1/invoices', o.systemKey, {
      externalId: `${o.runId}-F${i}`,
      debtor: {
        externalId: `${o.runId}-D${i}`,
        name: `Deudora ${i} Ruiz`,
        kind: 'person',
        email: `deudora${i}@example.com`,
        ...(phone ? { phone } : {}),
        country: 'MX',
      },
      amount: `${800 + i * 10}.00`,
      currency: 'MXN',
      dueDate: due,
    });
    return answer.accountId as string;
  };
  const agentAccountId = await open(0, debtorPhone);
  const queueAccountId = await open(1);
  const portfolioAccountIds: string[] = [];
  for (let i = 2; i < 8; i++) portfolioAccountIds.push(await open(i));
  await o.db.update(accounts).set({ assignedAgentId: agentId }).where(eq(accounts.id, agentAccountId));
  await o.db.update(accounts).set({ assignedAgentId: queueAgentId }).where(eq(accounts.id, queueAccountId));

  const now = Date.now();
  const { taskId: agentTaskId } = await createAgentTask(o.db, {
    idempotencyKey: `${o.runId}/agent/call`,
    accountId: agentAccountId,
    channel: 'call',
    priority: 'high',
    // Before any task the account's own strategy creates for it (call steps are due from today).
    dueAt: new Date(now - 2 * 86_400_000),
  });
  await createAgentTask(o.db, {
    idempotencyKey: `${o.runId}/agent/visit`,
    accountId: agentAccountId,
    channel: 'visit',
    priority: 'low',
    dueAt: new Date(now + 86_400_000),
  });
  const priorities = ['urgent', 'high', 'normal', 'low'];
  for (let i = 0; i < QUEUE_TASKS; i++) {
    await createAgentTask(o.db, {
      idempotencyKey: `${o.runId}/queue/${i}`,
      accountId: queueAccountId,
      channel: i % 3 === 0 ? 'visit' : 'call',
      priority: priorities[i % 4] ?? 'normal',
      dueAt: new Date(now + (i - 250) * 60_000),
    });
  }
  // The strategist's strategy: consumer-mx's definition under an id of this run, published as v1.
  const strategistKey = generateKey();
  await o.db
    .insert(apiKeys)
    .values({ name: `${o.runId} strategist`, role: 'strategist', keyHash: hashKey(strategistKey) });
  const strategies = await call('GET', '/v1/strategies', strategistKey);
  const builtin = (strategies.items as { id: string; latestVersion: number }[]).find((s) => s.id === 'consumer-mx');
  const source = await call('GET', `/v1/strategies/consumer-mx/versions/${builtin?.latestVersion ?? 1}`, strategistKey);
  const strategyId = `e2e-${o.runId}`;
  await call('PUT', `/v1/strategies/${strategyId}/draft`, strategistKey, {
    ...(source.definition as object),
    id: strategyId,
    name: 'Estrategia E2E',
  });
  await call('POST', `/v1/strategies/${strategyId}/publish`, strategistKey, {});
  // Running accounts on it (v1, due in 20 days: nothing is sent to them meanwhile) for the rollout to move.
  const strategyDue = DateTime.now().setZone('America/Mexico_City').plus({ days: 20 }).toISODate() ?? '';
  const strategyAccounts = 2;
  for (let i = 0; i < strategyAccounts; i++)
    await call('POST', '/v1/invoices', o.systemKey, {
      externalId: `${o.runId}-S${i}`,
      debtor: { externalId: `${o.runId}-SD${i}`, name: `Deudor ${i} Estrategia`, kind: 'person', country: 'MX' },
      amount: '900.00',
      currency: 'MXN',
      dueDate: strategyDue,
      strategyId,
    });

  o.log(`seeded 4 users, ${portfolioAccountIds.length + 2} accounts and ${QUEUE_TASKS + 2} tasks`);
  return {
    runId: o.runId,
    users,
    agentAccountId,
    agentTaskId,
    debtorPhone,
    queueTasks: QUEUE_TASKS,
    portfolioAccountIds,
    strategyId,
    strategyAccounts,
  };
}
