// `npm run bench -- ingest`: accounts opened per second through POST /v1/invoices/batch (rows committed
// and account workflows running, all confirmed) vs. bare starts of an empty workflow, same client
// factory, same server, same worker, same concurrency, confirmed the same way.
import { sql } from 'drizzle-orm';
import { accountWorkflowType } from '../../workflows/account.messages';
import { benchBaselineWorkflowType } from '../../workflows/bench-baseline.workflow';
import { cpuMeter } from './cpu';
import { jsonClient } from './http';
import type { BenchEnv } from './servers';
import { pool, round, seconds, sleep, until } from './stats';

export interface IngestOptions {
  accounts: number;
  batchSize: number;
  /** Batches in flight at once. */
  inflight: number;
  /** Bare starts in flight at once; default: inflight × the batch route's per-request ingest concurrency (16). */
  baselineConcurrency: number;
  warmup: number;
  settleMs: number;
  timeoutMs: number;
}

export interface IngestResult {
  bench: 'ingest';
  accounts: number;
  rate: number;
  baseline_rate: number;
  ratio: number;
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

function invoice(prefix: string, i: number, dueDate: string) {
  return {
    externalId: `${prefix}-F${i}`,
    debtor: {
      externalId: `${prefix}-D${i}`,
      name: `Bench Debtor ${i}`,
      kind: 'person',
      email: `d${i}@example.com`,
      country: 'MX',
    },
    amount: '1500.00',
    currency: 'MXN',
    // Overdue by a few days: the usual case of a collections portfolio.
    dueDate,
  };
}

interface BatchAnswer {
  results?: { status: number; accountId?: string; error?: { detail?: string } }[];
}

/** Opens `count` accounts through the batch route; resolves when rows and running workflows are all confirmed. */
export async function openAccounts(
  env: BenchEnv,
  prefix: string,
  count: number,
  opts: Pick<IngestOptions, 'batchSize' | 'inflight' | 'timeoutMs'>,
  log: (line: string) => void,
): Promise<{ seconds: number; httpSeconds: number; accountIds: string[] }> {
  const dueDate = isoDay(-5);
  const batches: string[] = [];
  for (let start = 0; start < count; start += opts.batchSize) {
    const items = [];
    for (let i = start; i < Math.min(count, start + opts.batchSize); i += 1) items.push(invoice(prefix, i, dueDate));
    batches.push(JSON.stringify({ invoices: items }));
  }
  const http = jsonClient(env.apiUrl, env.apiKey, opts.inflight, opts.timeoutMs);
  const before = await runningCount(env, accountWorkflowType);
  const accountIds: string[] = [];
  const failures: string[] = [];

  const cpu = cpuMeter();
  const t0 = performance.now();
  await pool(batches.length, opts.inflight, async (b) => {
    const answer = await http.post('/v1/invoices/batch', batches[b] ?? '');
    const results = (answer.body as BatchAnswer).results;
    if (answer.status !== 200 || !results) {
      failures.push(`batch ${b}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      return;
    }
    for (const r of results) {
      if (r.status === 201 && r.accountId) accountIds.push(r.accountId);
      else failures.push(`batch ${b}: item status ${r.status} ${r.error?.detail ?? ''}`);
    }
  });
  const httpSeconds = seconds(t0);
  http.close();
  if (failures.length > 0)
    throw new Error(`${failures.length} invoice(s) were not accepted, e.g. ${failures.slice(0, 3).join('; ')}`);

  const like = `${prefix}-%`;
  await until(
    `${count} accounts, invoices and running account workflows`,
    async () => {
      const [rows] = await env.db.db.execute<{ accounts: number; invoices: number }>(sql`
        select (select count(*)::int from accounts a join debtors d on d.id = a.debtor_id where d.external_id like ${like}) as accounts,
               (select count(*)::int from invoices where external_id like ${like}) as invoices`);
      if (!rows || rows.accounts < count || rows.invoices < count) return false;
      return (await runningCount(env, accountWorkflowType)) >= before + count;
    },
    opts.timeoutMs,
  );
  const total = seconds(t0);
  log(
    `  ${count} accounts: HTTP answered in ${httpSeconds.toFixed(2)} s, all confirmed in ${total.toFixed(2)} s; CPU: ${cpu.report()}`,
  );
  return { seconds: total, httpSeconds, accountIds };
}

/** Starts `count` empty workflows, `concurrency` in flight; resolves when all are confirmed running. */
export async function bareStarts(
  env: BenchEnv,
  prefix: string,
  count: number,
  concurrency: number,
  timeoutMs: number,
  log: (line: string) => void,
) {
  const before = await runningCount(env, benchBaselineWorkflowType);
  const cpu = cpuMeter();
  const t0 = performance.now();
  await pool(count, concurrency, async (i) => {
    await env.temporal.workflow.start(benchBaselineWorkflowType, {
      workflowId: `${prefix}-${i}`,
      taskQueue: env.config.temporal.taskQueue,
      args: [],
    });
  });
  const startSeconds = seconds(t0);
  await until(
    `${count} running baseline workflows`,
    async () => (await runningCount(env, benchBaselineWorkflowType)) >= before + count,
    timeoutMs,
  );
  const total = seconds(t0);
  log(
    `  ${count} bare starts: answered in ${startSeconds.toFixed(2)} s, all confirmed in ${total.toFixed(2)} s; CPU: ${cpu.report()}`,
  );
  return { seconds: total };
}

export async function runningCount(env: BenchEnv, workflowType: string): Promise<number> {
  const { count } = await env.temporal.workflow.count(
    `TaskQueue = '${env.config.temporal.taskQueue}' AND WorkflowType = '${workflowType}' AND ExecutionStatus = 'Running'`,
  );
  return count;
}

export async function runIngest(
  env: BenchEnv,
  opts: IngestOptions,
  log: (line: string) => void,
): Promise<IngestResult> {
  log(
    `ingest: ${opts.accounts} accounts, batches of ${opts.batchSize}, ${opts.inflight} in flight; baseline: ${opts.baselineConcurrency} starts in flight`,
  );
  if (opts.warmup > 0) {
    log('warm-up');
    await bareStarts(env, `${env.runId}-warm-base`, opts.warmup, opts.baselineConcurrency, opts.timeoutMs, log);
    await openAccounts(env, `${env.runId}-warm`, opts.warmup, opts, log);
    await sleep(opts.settleMs);
  }
  // The baseline first: the account workflows opened below keep the worker busy for a while after.
  log('baseline: bare starts of the empty workflow');
  const base = await bareStarts(env, `${env.runId}-base`, opts.accounts, opts.baselineConcurrency, opts.timeoutMs, log);
  await sleep(opts.settleMs);
  log('POST /v1/invoices/batch');
  const ours = await openAccounts(env, `${env.runId}-main`, opts.accounts, opts, log);
  const rate = opts.accounts / ours.seconds;
  const baselineRate = opts.accounts / base.seconds;
  return {
    bench: 'ingest',
    accounts: opts.accounts,
    rate: round(rate, 1),
    baseline_rate: round(baselineRate, 1),
    ratio: round(rate / baselineRate, 3),
  };
}
