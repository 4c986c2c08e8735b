// `npm run bench -- import --invoices N --debtors D`: a generated portfolio file (N lines, D debtors, N/D
// invoices each) through POST /v1/imports, against the same server's baselines:
//   - rows committed per second vs a raw idempotent COPY of the same file (COPY into a staging table, then
//     insert … on conflict do nothing into a table keyed by invoice number), on the same PostgreSQL;
//   - the time until every account's workflow is running vs the bare start rate of the same Temporal;
//   - the app's RSS over the import (the file is held once; the lines stream through in chunks).
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { accountWorkflowType } from '../../workflows/account.messages';
import { cpuMeter } from './cpu';
import { bareStarts, runningCount } from './ingest';
import type { BenchEnv } from './servers';
import { round, seconds, sleep } from './stats';

export interface ImportOptions {
  invoices: number;
  debtors: number;
  /** Bare starts measured for the baseline start rate (a sample: the rate, not the count, is compared). */
  baselineStarts: number;
  /** Longest wait for every account's workflow to run (the import's figures are kept either way). */
  workflowsTimeoutMs: number;
  timeoutMs: number;
}

export interface ImportResult {
  bench: 'import';
  invoices: number;
  debtors: number;
  file_mb: number;
  rows_seconds: number;
  rows_per_s: number;
  baseline_copy_rows_per_s: number;
  ratio: number;
  job_seconds: number;
  workflows_running: number;
  workflows_seconds: number;
  workflow_rate: number;
  baseline_start_rate: number;
  start_ratio: number;
  app_rss_mb_before: number;
  app_rss_mb_streaming_min: number;
  app_rss_mb_streaming_max: number;
  app_rss_mb_after_rows: number;
}

/** Resident set of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return round(kb / 1024, 1);
  } catch {
    return 0;
  }
}

/** The file an integrator's export would be: `;`-separated, decimal comma, dd/mm/yyyy, as the imports take. */
export function portfolioCsv(prefix: string, invoices: number, debtors: number): Buffer {
  const lines = ['Factura;RFC;Cliente;Tipo;Monto;Vencimiento'];
  const due = new Date(Date.now() - 10 * 86_400_000);
  const dd = `${String(due.getUTCDate()).padStart(2, '0')}/${String(due.getUTCMonth() + 1).padStart(2, '0')}/${due.getUTCFullYear()}`;
  for (let i = 0; i < invoices; i += 1) lines.push(`${prefix}F${i};${prefix}D${i % debtors};Ana;persona;1500,00;${dd}`);
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}

/** COPY of the same file into a staging table, then one idempotent insert keyed by invoice number; one commit. */
async function rawCopy(env: BenchEnv, csv: Buffer): Promise<number> {
  const sql = env.db.sql;
  await sql`create unlogged table if not exists bench_copy_invoices (
    external_id text primary key, debtor text not null, name text, kind text, amount text, due text)`;
  const t0 = performance.now();
  await sql.begin(async (tx) => {
    await tx`create temp table bench_copy_staging (external_id text, debtor text, name text, kind text, amount text, due text) on commit drop`;
    const sink = await tx`copy bench_copy_staging from stdin with (format csv, delimiter ';', header true)`.writable();
    await pipeline(Readable.from([csv]), sink);
    await tx`insert into bench_copy_invoices select * from bench_copy_staging on conflict (external_id) do nothing`;
  });
  return seconds(t0);
}

interface Job {
  status: string;
  totalLines: number | null;
  processedLines: number;
  failedLines: number;
  newLines: number;
  error: unknown;
}

export async function runImport(
  env: BenchEnv,
  opts: ImportOptions,
  log: (line: string) => void,
): Promise<ImportResult> {
  const prefix = env.runId.slice(-8);
  log(`import: ${opts.invoices} invoices of ${opts.debtors} debtors`);
  const csv = portfolioCsv(prefix, opts.invoices, opts.debtors);
  const fileMb = round(csv.length / 2 ** 20, 1);
  log(`  generated file: ${fileMb} MB`);

  log('baseline: raw idempotent COPY of the same file');
  let cpu = cpuMeter();
  const copySeconds = await rawCopy(env, csv);
  const copyRate = opts.invoices / copySeconds;
  log(`  COPY + merge: ${copySeconds.toFixed(2)} s (${Math.round(copyRate)} rows/s); CPU: ${cpu.report()}`);

  log(`baseline: ${opts.baselineStarts} bare starts`);
  const base = await bareStarts(env, `${env.runId}-base`, opts.baselineStarts, 48, opts.timeoutMs, log);
  const startRate = opts.baselineStarts / base.seconds;
  await sleep(2000);

  log('POST /v1/imports');
  const auth = { authorization: `Bearer ${env.apiKey}` };
  const before = await runningCount(env, accountWorkflowType);
  const rssBefore = rssMb(env.appPid);
  cpu = cpuMeter();
  const t0 = performance.now();
  const res = await fetch(`${env.apiUrl}/v1/imports?country=MX&currency=MXN&filename=bench.csv`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'text/csv' },
    body: csv,
  });
  const created = (await res.json()) as { jobId?: string };
  if (res.status !== 202 || !created.jobId) throw new Error(`upload answered ${res.status} ${JSON.stringify(created)}`);
  const streaming: number[] = [];
  let rowsSeconds = 0;
  let job: Job | undefined;
  const deadline = Date.now() + opts.timeoutMs;
  let lastLog = 0;
  for (;;) {
    const r = await fetch(`${env.apiUrl}/v1/imports/${created.jobId}`, { headers: auth });
    job = (await r.json()) as Job;
    if (rowsSeconds === 0) streaming.push(rssMb(env.appPid));
    if (rowsSeconds === 0 && job.totalLines !== null && job.processedLines >= job.totalLines && job.totalLines > 0)
      rowsSeconds = seconds(t0);
    if (job.status === 'completed' || job.status === 'failed') break;
    if (Date.now() > deadline) throw new Error('the import did not finish in time');
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${job.processedLines}/${job.totalLines ?? '?'} lines, app RSS ${streaming.at(-1)} MB`);
    }
    await sleep(250);
  }
  const jobSeconds = seconds(t0);
  if (rowsSeconds === 0) rowsSeconds = jobSeconds;
  if (job.status !== 'completed' || job.failedLines > 0 || job.newLines !== opts.invoices)
    throw new Error(`the import did not take every line: ${JSON.stringify(job)}`);
  const rssAfterRows = rssMb(env.appPid);
  log(
    `  rows committed in ${rowsSeconds.toFixed(2)} s (${Math.round(opts.invoices / rowsSeconds)} rows/s), job completed in ${jobSeconds.toFixed(2)} s; CPU: ${cpu.report()}`,
  );

  log(`waiting for ${opts.debtors} account workflows to run`);
  const wfDeadline = Date.now() + opts.workflowsTimeoutMs;
  let running = 0;
  for (;;) {
    running = (await runningCount(env, accountWorkflowType)) - before;
    if (running >= opts.debtors || Date.now() > wfDeadline) break;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${running}/${opts.debtors} running at ${seconds(t0).toFixed(0)} s, app RSS ${rssMb(env.appPid)} MB`);
    }
    await sleep(1000);
  }
  const workflowsSeconds = seconds(t0);
  log(`  ${running} running after ${workflowsSeconds.toFixed(1)} s; CPU: ${cpu.report()}`);
  const workflowRate = running / workflowsSeconds;
  return {
    bench: 'import',
    invoices: opts.invoices,
    debtors: opts.debtors,
    file_mb: fileMb,
    rows_seconds: round(rowsSeconds, 2),
    rows_per_s: Math.round(opts.invoices / rowsSeconds),
    baseline_copy_rows_per_s: Math.round(copyRate),
    ratio: round(copySeconds / rowsSeconds, 3),
    job_seconds: round(jobSeconds, 2),
    workflows_running: running,
    workflows_seconds: round(workflowsSeconds, 1),
    workflow_rate: round(workflowRate, 1),
    baseline_start_rate: round(startRate, 1),
    start_ratio: round(workflowRate / startRate, 3),
    app_rss_mb_before: rssBefore,
    app_rss_mb_streaming_min: Math.min(...streaming),
    app_rss_mb_streaming_max: Math.max(...streaming),
    app_rss_mb_after_rows: rssAfterRows,
  };
}
