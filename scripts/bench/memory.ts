// `npm run bench -- memory --accounts N`: N open accounts asleep on their timers (opened through the
// import, one invoice each); measured once they are all running and the app is idle: the app process's
// RSS (worker + API; the worker's cache holds WORKER_MAX_CACHED_WORKFLOWS runs, the rest live only in
// Temporal), Temporal's database size (the dev server's SQLite file), and the history events per account
// (a sample of runs). The baseline is the same app and server before the accounts were opened.
import { readdirSync, statSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import path from 'node:path';
import { accountWorkflowType } from '../../workflows/account.messages';
import { cpuMeter } from './cpu';
import { portfolioCsv, rssMb } from './import';
import { runningCount } from './ingest';
import type { BenchEnv } from './servers';
import { round, seconds, sleep } from './stats';

export interface MemoryOptions {
  accounts: number;
  /** History events are counted on this many runs. */
  sample: number;
  timeoutMs: number;
}

export interface MemoryResult {
  bench: 'memory';
  accounts: number;
  running: number;
  max_cached_workflows: number;
  app_rss_mb: number;
  baseline_app_rss_mb: number;
  temporal_db_mb: number;
  baseline_temporal_db_mb: number;
  temporal_db_kb_per_account: number;
  history_events_per_account: number;
  history_events_max: number;
}

/** The SQLite file and its WAL/SHM companions, in MB. */
function fileMb(file: string | undefined): number {
  if (!file) return 0;
  let bytes = 0;
  for (const name of readdirSync(path.dirname(file)))
    if (name.startsWith(path.basename(file))) bytes += statSync(path.join(path.dirname(file), name)).size;
  return round(bytes / 2 ** 20, 1);
}

export async function runMemory(
  env: BenchEnv,
  opts: MemoryOptions,
  log: (line: string) => void,
): Promise<MemoryResult> {
  log(`memory: ${opts.accounts} open accounts, cache of ${env.config.temporal.worker.maxCachedWorkflows} workflows`);
  const baseRss = rssMb(env.appPid);
  const baseDb = fileMb(env.temporalDbFile);
  const prefix = env.runId.slice(-8);
  const csv = portfolioCsv(prefix, opts.accounts, opts.accounts);
  const auth = { authorization: `Bearer ${env.apiKey}` };
  const cpu = cpuMeter();
  const t0 = performance.now();
  const res = await fetch(`${env.apiUrl}/v1/imports?country=MX&currency=MXN&filename=memory.csv`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'text/csv' },
    body: csv,
  });
  if (res.status !== 202) throw new Error(`upload answered ${res.status}`);
  let running = 0;
  let lastLog = 0;
  let changedAt = Date.now();
  for (;;) {
    const now = await runningCount(env, accountWorkflowType);
    if (now !== running) changedAt = Date.now();
    running = now;
    if (running >= opts.accounts) break;
    // The last few may wait out task timeouts of an overloaded worker: measured with what runs.
    if (performance.now() - t0 > opts.timeoutMs || (running > 0 && Date.now() - changedAt > 60_000)) {
      log(`  warning: ${running}/${opts.accounts} running; measuring these`);
      break;
    }
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      log(`  ${running}/${opts.accounts} running at ${seconds(t0).toFixed(0)} s, app RSS ${rssMb(env.appPid)} MB`);
    }
    await sleep(2000);
  }
  log(`  ${running} running after ${seconds(t0).toFixed(1)} s; waiting for their first decisions`);
  // Running is not decided: every account's first workflow task loads its strategy (the account row says so).
  const like = `${prefix}D%`;
  for (let last = -1, since = Date.now(); ;) {
    const [row] = await env.db.db.execute<{ n: number }>(sql`
      select count(*)::int as n from accounts a join debtors d on d.id = a.debtor_id
      where d.external_id like ${like} and a.strategy_version is not null`);
    const n = row?.n ?? 0;
    if (n !== last) [last, since] = [n, Date.now()];
    if (n >= running || Date.now() - since > 60_000 || performance.now() - t0 > opts.timeoutMs) {
      log(`  ${n} decided after ${seconds(t0).toFixed(1)} s; CPU: ${cpu.report()}`);
      break;
    }
    await sleep(2000);
  }
  // Idle: the last first decisions and read-model writes are done, the cache settles.
  await sleep(30_000);
  const rss = rssMb(env.appPid);
  const db = fileMb(env.temporalDbFile);

  const events: number[] = [];
  for await (const wf of env.temporal.workflow.list({
    query: `TaskQueue = '${env.config.temporal.taskQueue}' AND WorkflowType = '${accountWorkflowType}' AND ExecutionStatus = 'Running'`,
    pageSize: opts.sample,
  })) {
    events.push((await env.temporal.workflow.getHandle(wf.workflowId).fetchHistory()).events?.length ?? 0);
    if (events.length >= opts.sample) break;
  }
  const perAccount = events.reduce((a, b) => a + b, 0) / Math.max(1, events.length);
  log(`  app RSS ${rss} MB (before: ${baseRss} MB), Temporal DB ${db} MB (before: ${baseDb} MB)`);
  return {
    bench: 'memory',
    accounts: opts.accounts,
    running,
    max_cached_workflows: env.config.temporal.worker.maxCachedWorkflows,
    app_rss_mb: rss,
    baseline_app_rss_mb: baseRss,
    temporal_db_mb: db,
    baseline_temporal_db_mb: baseDb,
    temporal_db_kb_per_account: round(((db - baseDb) * 1024) / Math.max(1, running), 2),
    history_events_per_account: round(perAccount, 1),
    history_events_max: Math.max(0, ...events),
  };
}
