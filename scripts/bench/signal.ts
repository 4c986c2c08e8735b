// `npm run bench -- signal`: latency of POST /v1/accounts/{id}/payments (transaction + outbox + inline
// signal) vs. the bare `paymentReceived` signal sent with the SDK client, both at the same concurrency
// to the same running account workflows, in alternating rounds so that drift hits both alike.
import { paymentReceivedSignal, type PaymentReceivedSignal } from '../../workflows/account.messages';
import { cpuMeter } from './cpu';
import { jsonClient } from './http';
import { openAccounts } from './ingest';
import type { BenchEnv } from './servers';
import { percentile, pool, round, seconds } from './stats';

export interface SignalOptions {
  concurrency: number;
  /** Measured requests per side (HTTP and baseline each). */
  requests: number;
  warmup: number;
  rounds: number;
  /** Running account workflows the payments go to. */
  targets: number;
  timeoutMs: number;
}

export interface SignalResult {
  bench: 'signal';
  concurrency: number;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  baseline_p50_ms: number;
  baseline_p99_ms: number;
  ratio: number;
}

export async function runSignal(
  env: BenchEnv,
  opts: SignalOptions,
  log: (line: string) => void,
): Promise<SignalResult> {
  log(
    `signal: ${opts.requests} payments per side at concurrency ${opts.concurrency}, ${opts.rounds} alternating rounds, to ${opts.targets} account workflows`,
  );
  log('opening the target accounts');
  // Large balances: small partial payments never close an account during the run.
  const { accountIds } = await openAccounts(
    env,
    `${env.runId}-sig`,
    opts.targets,
    { batchSize: 1000, inflight: 2, timeoutMs: opts.timeoutMs },
    log,
  );
  const workflowIdOf = await workflowIds(env, accountIds);
  const targets = accountIds.map((id) => ({ id, workflowId: workflowIdOf.get(id) ?? '' }));

  const http = jsonClient(env.apiUrl, env.apiKey, opts.concurrency);
  const deadline = Date.now() + opts.timeoutMs;
  let seq = 0;
  // Consecutive requests go to different workflows; every phase continues where the last one stopped.
  let cursor = 0;
  const failures: string[] = [];

  const viaHttp = async (i: number, out: number[] | null) => {
    const target = targets[i % targets.length]!;
    const reference = `${env.runId}-h${seq++}`;
    const body = JSON.stringify({ amount: '0.01', currency: 'MXN', reference });
    const t0 = performance.now();
    const answer = await http.post(`/v1/accounts/${target.id}/payments`, body);
    const ms = performance.now() - t0;
    if (answer.status !== 202) failures.push(`HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    else out?.push(ms);
  };
  const viaSdk = async (i: number, out: number[] | null) => {
    const target = targets[i % targets.length]!;
    const arg: PaymentReceivedSignal = {
      reference: `${env.runId}-s${seq++}`,
      amountMinor: 1,
      currency: 'MXN',
      paidAt: Date.now(),
    };
    const t0 = performance.now();
    await env.temporal.workflow.getHandle(target.workflowId).signal(paymentReceivedSignal, arg);
    out?.push(performance.now() - t0);
  };
  const phase = async (
    name: string,
    count: number,
    send: (i: number, out: number[] | null) => Promise<void>,
    out: number[] | null,
  ) => {
    if (Date.now() > deadline) throw new Error(`the signal bench exceeded ${Math.round(opts.timeoutMs / 1000)} s`);
    const cpu = cpuMeter();
    const t0 = performance.now();
    const first = cursor;
    cursor += count;
    await pool(count, opts.concurrency, (i) => send(first + i, out));
    if (failures.length > 0)
      throw new Error(`${failures.length} payment(s) failed, e.g. ${failures.slice(0, 3).join('; ')}`);
    log(`  ${name}: ${count} in ${seconds(t0).toFixed(2)} s; CPU: ${cpu.report()}`);
  };

  log('warm-up');
  await phase('HTTP warm-up', opts.warmup, viaHttp, null);
  await phase('SDK warm-up', opts.warmup, viaSdk, null);
  const ours: number[] = [];
  const base: number[] = [];
  const perRound = Math.ceil(opts.requests / opts.rounds);
  for (let r = 0; r < opts.rounds; r += 1) {
    const n = Math.min(perRound, opts.requests - r * perRound);
    if (n <= 0) break;
    // Alternate which side goes first, so that neither always follows the other's backlog.
    const sides = [
      () => phase(`round ${r + 1} HTTP`, n, viaHttp, ours),
      () => phase(`round ${r + 1} SDK`, n, viaSdk, base),
    ];
    if (r % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  http.close();

  ours.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  const p = (xs: number[], q: number) => round(percentile(xs, q), 2);
  log(`  HTTP: p50 ${p(ours, 50)} ms, p90 ${p(ours, 90)} ms, p99 ${p(ours, 99)} ms, max ${p(ours, 100)} ms`);
  log(`  SDK:  p50 ${p(base, 50)} ms, p90 ${p(base, 90)} ms, p99 ${p(base, 99)} ms, max ${p(base, 100)} ms`);
  return {
    bench: 'signal',
    concurrency: opts.concurrency,
    requests: ours.length,
    p50_ms: p(ours, 50),
    p99_ms: p(ours, 99),
    baseline_p50_ms: p(base, 50),
    baseline_p99_ms: p(base, 99),
    ratio: round(percentile(base, 99) / percentile(ours, 99), 3),
  };
}

async function workflowIds(env: BenchEnv, accountIds: string[]): Promise<Map<string, string>> {
  const rows = await env.db.sql<
    { id: string; workflow_id: string }[]
  >`select id, workflow_id from accounts where id in ${env.db.sql(accountIds)}`;
  return new Map(rows.map((r) => [r.id, r.workflow_id]));
}
