// `npm run bench -- storm --accounts N`: the 7 a.m. storm. N accounts whose next step (an email at a fixed
// local time) comes due at the same instant T; measured: the time from T until every one of them has been
// decided and handed to its channel (its outbound_messages row written), against the same server firing
// N bare timers in empty workflows at an instant of their own (time until every one has completed).
//
// The baseline's timers fire first, the accounts' `--gap-s` later, so the two never overlap. The instants
// are chosen ahead (`--lead-s`) so that every workflow is started and asleep when its timer fires.
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { apiKeys } from '../../db/schema';
import { generateKey, hashKey } from '../../api/auth';
import { consumerMx } from '../../strategies/builtin/consumer-mx';
import { accountWorkflowType } from '../../workflows/account.messages';
import { benchTimerWorkflowType } from '../../workflows/bench-baseline.workflow';
import { cpuMeter } from './cpu';
import { jsonClient } from './http';
import { runningCount } from './ingest';
import type { BenchEnv } from './servers';
import { pool, round, seconds, sleep, until } from './stats';

export interface StormOptions {
  accounts: number;
  /** Seconds from now to the baseline's instant; the accounts' instant is `gapS` after it. */
  leadS: number;
  gapS: number;
  timeoutMs: number;
}

export interface StormResult {
  bench: 'storm';
  accounts: number;
  storm_seconds: number;
  rate: number;
  baseline_seconds: number;
  baseline_rate: number;
  ratio: number;
}

const ZONE = 'America/Mexico_City';

/** A whole minute at least `afterMs` from now (step times are HH:MM). */
const minuteAfter = (afterMs: number) => Math.ceil((Date.now() + afterMs) / 60_000) * 60_000;

async function publishStormStrategy(env: BenchEnv, at: number): Promise<string> {
  const local = DateTime.fromMillis(at, { zone: ZONE });
  const id = `storm-${env.runId.slice(-8)}`;
  const definition = {
    ...consumerMx,
    id,
    name: 'Storm bench',
    escalations: [],
    stages: [
      {
        id: 'storm',
        kind: 'administrative',
        fromDay: 0,
        steps: [{ day: 0, time: local.toFormat('HH:mm'), action: 'message', channel: 'email', template: 'overdue' }],
      },
    ],
  };
  const key = generateKey();
  await env.db.db
    .insert(apiKeys)
    .values({ name: `${env.runId} strategist`, role: 'strategist', keyHash: hashKey(key) });
  const http = jsonClient(env.apiUrl, key, 1);
  const put = await http.put(`/v1/strategies/${id}/draft`, JSON.stringify(definition));
  if (put.status !== 200) throw new Error(`draft: HTTP ${put.status} ${JSON.stringify(put.body).slice(0, 300)}`);
  const pub = await http.post(`/v1/strategies/${id}/publish`, '{}');
  http.close();
  if (pub.status !== 201) throw new Error(`publish: HTTP ${pub.status} ${JSON.stringify(pub.body).slice(0, 300)}`);
  return id;
}

async function openStormAccounts(env: BenchEnv, prefix: string, count: number, strategyId: string, due: string) {
  const http = jsonClient(env.apiUrl, env.apiKey, 3);
  const batches: string[] = [];
  for (let start = 0; start < count; start += 1000) {
    const invoices = [];
    for (let i = start; i < Math.min(count, start + 1000); i += 1)
      invoices.push({
        externalId: `${prefix}-F${i}`,
        debtor: {
          externalId: `${prefix}-D${i}`,
          name: 'Storm',
          kind: 'person',
          email: `s${i}@example.com`,
          country: 'MX',
          timezone: ZONE,
        },
        amount: '1500.00',
        currency: 'MXN',
        dueDate: due,
        strategyId,
      });
    batches.push(JSON.stringify({ invoices }));
  }
  const failures: string[] = [];
  await pool(batches.length, 3, async (b) => {
    const answer = await http.post('/v1/invoices/batch', batches[b] ?? '');
    const results = (answer.body as { results?: { status: number }[] }).results;
    if (answer.status !== 200 || !results) failures.push(`HTTP ${answer.status}`);
    else for (const r of results) if (r.status !== 201) failures.push(`item ${r.status}`);
  });
  http.close();
  if (failures.length > 0)
    throw new Error(`${failures.length} invoices refused, e.g. ${failures.slice(0, 3).join('; ')}`);
}

async function messagesSent(env: BenchEnv, prefix: string): Promise<number> {
  const [row] = await env.db.db.execute<{ n: number }>(sql`
    select count(*)::int as n from outbound_messages m join accounts a on a.id = m.account_id
    join debtors d on d.id = a.debtor_id
    where d.external_id like ${`${prefix}-D%`} and m.template = 'overdue'`);
  return row?.n ?? 0;
}

async function completedTimers(env: BenchEnv): Promise<number> {
  const { count } = await env.temporal.workflow.count(
    `TaskQueue = '${env.config.temporal.taskQueue}' AND WorkflowType = '${benchTimerWorkflowType}' AND ExecutionStatus = 'Completed'`,
  );
  return count;
}

export async function runStorm(env: BenchEnv, opts: StormOptions, log: (line: string) => void): Promise<StormResult> {
  const baseAt = minuteAfter(opts.leadS * 1000);
  const stormAt = baseAt + Math.ceil(opts.gapS / 60) * 60_000;
  const iso = (t: number) => new Date(t).toISOString();
  log(`storm: ${opts.accounts} accounts due at ${iso(stormAt)}; ${opts.accounts} bare timers at ${iso(baseAt)}`);
  const prefix = `${env.runId}-storm`;
  const strategyId = await publishStormStrategy(env, stormAt);
  const due = DateTime.fromMillis(stormAt, { zone: ZONE }).toISODate() ?? '';

  let cpu = cpuMeter();
  const t0 = performance.now();
  await pool(opts.accounts, 48, async (i) => {
    await env.temporal.workflow.start(benchTimerWorkflowType, {
      workflowId: `${env.runId}-timer-${i}`,
      taskQueue: env.config.temporal.taskQueue,
      args: [baseAt],
    });
  });
  log(`  ${opts.accounts} timer workflows started in ${seconds(t0).toFixed(1)} s; CPU: ${cpu.report()}`);
  cpu = cpuMeter();
  const t1 = performance.now();
  await openStormAccounts(env, prefix, opts.accounts, strategyId, due);
  await until(
    `${opts.accounts} running account workflows`,
    async () => (await runningCount(env, accountWorkflowType)) >= opts.accounts,
    opts.timeoutMs,
    500,
  );
  log(`  ${opts.accounts} accounts opened in ${seconds(t1).toFixed(1)} s; CPU: ${cpu.report()}`);
  if (Date.now() > baseAt - 5000)
    throw new Error(`opening took past the baseline's instant: run again with a larger --lead-s (now ${opts.leadS})`);
  if ((await messagesSent(env, prefix)) > 0) throw new Error('messages went out before the storm');

  const measure = async (what: string, at: number, done: () => Promise<number>) => {
    await sleep(Math.max(0, at - Date.now()));
    const meter = cpuMeter();
    let n = 0;
    for (;;) {
      n = await done();
      if (n >= opts.accounts) break;
      if (Date.now() - at > opts.timeoutMs) throw new Error(`${what}: ${n}/${opts.accounts} after the timeout`);
      await sleep(200);
    }
    const s = (Date.now() - at) / 1000;
    log(`  ${what}: all ${n} in ${s.toFixed(2)} s after the instant; CPU: ${meter.report()}`);
    return s;
  };
  const baseSeconds = await measure('bare timers fired and completed', baseAt, () => completedTimers(env));
  if (Date.now() > stormAt - 2000) log('  warning: the baseline ran into the storm instant (raise --gap-s)');
  const stormSeconds = await measure('accounts decided and handed to email', stormAt, () => messagesSent(env, prefix));
  return {
    bench: 'storm',
    accounts: opts.accounts,
    storm_seconds: round(stormSeconds, 2),
    rate: round(opts.accounts / stormSeconds, 1),
    baseline_seconds: round(baseSeconds, 2),
    baseline_rate: round(opts.accounts / baseSeconds, 1),
    ratio: round(stormSeconds / baseSeconds, 3),
  };
}
