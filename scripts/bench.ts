// `npm run bench -- NAME [options]`: brings up its own PostgreSQL and Temporal dev server (or uses
// DATABASE_URL / TEMPORAL_ADDRESS), starts the app, measures, and prints one JSON object as the last
// line of stdout (CONTRACT.md §5). Progress goes to stderr.
//
//   ingest  --accounts N (5000) --batch 1000 --inflight 3 --baseline-concurrency (inflight × 16) --warmup 500
//   signal  --concurrency C (32) --requests 3000 --warmup 300 --rounds 3 --targets 200
//   import  --invoices N (1000000) --debtors D (invoices / 10) --baseline-starts N (5000) --workflows-timeout-s S (900)
//   storm   --accounts N (10000) --lead-s S (120 + accounts / 15) --gap-s S (120)
//   memory  --accounts N (100000) --sample N (50)
//   kpis    --accounts N (1000000) --entries N (20 × accounts) --requests 40 --baseline-runs 3 --append-entries 60000 --concurrency 32
//   console --accounts N (100000) --requests N rounds per page (5)
//   common  --app child|inprocess (child) --log-level warn --pool-max N --timeout-s 600 --app-node-arg ARG (repeatable)
import { parseArgs } from 'node:util';
import { runImport } from './bench/import';
import { runIngest } from './bench/ingest';
import { runMemory } from './bench/memory';
import { runStorm } from './bench/storm';
import { consoleMain } from './bench/console';
import { kpisMain, KPIS_USAGE } from './bench/kpis';
import { portalMain, PORTAL_USAGE } from './bench/portal';
import { reconcileMain, RECONCILE_USAGE } from './bench/reconcile';
import { startBenchEnv } from './bench/servers';
import { runSignal } from './bench/signal';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

const usage = `usage: npm run bench -- ingest|signal [options]
  ingest  --accounts N (5000)  --batch N (1000)  --inflight N (3)  --baseline-concurrency N (inflight × 16)  --warmup N (500)
  signal  --concurrency C (32)  --requests N (3000)  --warmup N (300)  --rounds N (3)  --targets N (200)
  import  --invoices N (1000000)  --debtors D (N / 10)  --baseline-starts N (5000)  --workflows-timeout-s S (900)
  storm   --accounts N (10000)  --lead-s S (120 + accounts / 15)  --gap-s S (120)
  memory  --accounts N (100000)  --sample N (50)
${KPIS_USAGE}
${PORTAL_USAGE}
${RECONCILE_USAGE}
  common  --app child|inprocess (child)  --log-level LEVEL (warn)  --pool-max N  --timeout-s S (600)  --app-node-arg ARG`;

function int(value: string | undefined, fallback: number, name: string, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

class UsageError extends Error {}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      accounts: { type: 'string' },
      batch: { type: 'string' },
      inflight: { type: 'string' },
      'baseline-concurrency': { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      requests: { type: 'string' },
      rounds: { type: 'string' },
      targets: { type: 'string' },
      entries: { type: 'string' },
      'append-entries': { type: 'string' },
      'baseline-runs': { type: 'string' },
      invoices: { type: 'string' },
      lines: { type: 'string' },
      'per-debtor': { type: 'string' },
      chunk: { type: 'string' },
      threshold: { type: 'string' },
      debtors: { type: 'string' },
      'baseline-starts': { type: 'string' },
      'workflows-timeout-s': { type: 'string' },
      'lead-s': { type: 'string' },
      'gap-s': { type: 'string' },
      sample: { type: 'string' },
      app: { type: 'string', default: 'child' },
      'log-level': { type: 'string', default: 'warn' },
      'pool-max': { type: 'string' },
      'timeout-s': { type: 'string' },
      'settle-ms': { type: 'string' },
      'app-node-arg': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const name = positionals[0];
  // The KPI bench generates its data set before it measures: its options and run live in bench/kpis.ts.
  if (name === 'kpis' && !values.help) return kpisMain(values, log);
  // The debtor portal's page TTFB under concurrent debtors vs /health (bench/portal.ts).
  if (name === 'portal' && !values.help) return portalMain(values, log);
  // Bank statement matching: 100,000 lines against 1,000,000 open invoices (bench/reconcile.ts).
  if (name === 'reconcile' && !values.help) return reconcileMain(values, log);
  // The console's page timings: its own data set and a browser (bench/console.ts).
  if (name === 'console' && !values.help) return consoleMain(values, log);
  const scale = ['import', 'storm', 'memory'];
  if (values.help || (name !== 'ingest' && name !== 'signal' && !scale.includes(name ?? ''))) {
    process.stderr.write(`${usage}\n`);
    return values.help ? 0 : 2;
  }
  if (values.app !== 'child' && values.app !== 'inprocess') throw new UsageError('--app must be child or inprocess');
  const timeoutMs = int(values['timeout-s'], 600, 'timeout-s') * 1000;
  const poolMax = values['pool-max'] === undefined ? undefined : int(values['pool-max'], 10, 'pool-max');

  // Parse every option before anything starts.
  const ingest = () => {
    const inflight = int(values.inflight, 3, 'inflight');
    const accounts = int(values.accounts, 5000, 'accounts');
    return {
      accounts,
      batchSize: Math.min(1000, int(values.batch, 1000, 'batch')),
      inflight,
      baselineConcurrency: int(values['baseline-concurrency'], inflight * 16, 'baseline-concurrency'),
      warmup: int(values.warmup, Math.min(500, Math.ceil(accounts / 10)), 'warmup', 0),
      settleMs: int(values['settle-ms'], 2000, 'settle-ms', 0),
      timeoutMs,
    };
  };
  const signal = () => {
    const requests = int(values.requests, 3000, 'requests');
    return {
      concurrency: int(values.concurrency, 32, 'concurrency'),
      requests,
      warmup: int(values.warmup, Math.min(300, requests), 'warmup', 0),
      rounds: Math.min(requests, int(values.rounds, 3, 'rounds')),
      targets: int(values.targets, 200, 'targets'),
      timeoutMs,
    };
  };
  const importOptions = () => {
    const invoices = int(values.invoices, 1_000_000, 'invoices');
    return {
      invoices,
      debtors: Math.min(invoices, int(values.debtors, Math.max(1, Math.floor(invoices / 10)), 'debtors')),
      baselineStarts: int(values['baseline-starts'], 5000, 'baseline-starts'),
      workflowsTimeoutMs: int(values['workflows-timeout-s'], 900, 'workflows-timeout-s', 0) * 1000,
      timeoutMs,
    };
  };
  const stormOptions = () => {
    const accounts = int(values.accounts, 10_000, 'accounts');
    return {
      accounts,
      leadS: int(values['lead-s'], 120 + Math.ceil(accounts / 15), 'lead-s'),
      gapS: int(values['gap-s'], 120, 'gap-s'),
      timeoutMs,
    };
  };
  const options =
    name === 'ingest'
      ? ingest()
      : name === 'signal'
        ? signal()
        : name === 'import'
          ? importOptions()
          : name === 'storm'
            ? stormOptions()
            : {
                accounts: int(values.accounts, 100_000, 'accounts'),
                sample: int(values.sample, 50, 'sample'),
                timeoutMs,
              };

  const env = await startBenchEnv({
    temporalDbFile: name === 'memory',
    app: values.app,
    logLevel: values['log-level'],
    poolMax,
    nodeArgs: values['app-node-arg'],
    log,
  });
  // Ctrl-C (or a test's timeout) still stops the app and the servers this run started.
  const interrupted = (signal: string) => {
    log(`${signal}: stopping`);
    void env.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let result: object;
  try {
    result =
      name === 'ingest'
        ? await runIngest(env, options as ReturnType<typeof ingest>, log)
        : name === 'import'
          ? await runImport(env, options as ReturnType<typeof importOptions>, log)
          : name === 'storm'
            ? await runStorm(env, options as ReturnType<typeof stormOptions>, log)
            : name === 'memory'
              ? await runMemory(env, options as Parameters<typeof runMemory>[1], log)
              : await runSignal(env, options as ReturnType<typeof signal>, log);
  } finally {
    log('stopping');
    await env.stop();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      err instanceof UsageError
        ? `${err.message}\n${usage}\n`
        : `[bench] failed: ${(err as Error).stack ?? String(err)}\n`,
    );
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
