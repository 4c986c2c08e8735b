// The bench's servers: PostgreSQL and Temporal (its own, on free ports under a temp dir, unless
// DATABASE_URL / TEMPORAL_ADDRESS are set), migrated, plus the application (API + worker) under test.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { generateKey, hashKey } from '../../api/auth';
import { createDb, type DbHandle } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { apiKeys } from '../../db/schema';
import { loadConfig, type AppConfig } from '../../workers/config';
import { generateEncryptionKey } from '../../workers/encryption-keys';
import { startRuntime, type Runtime } from '../../workers/runtime';
import { connectClient } from '../../workers/temporal-connection';
import { temporalDataConverter } from '../../workers/temporal-data-converter';
import { freePort, startEmbeddedPostgresProcess } from '../embedded-postgres';
import { startTemporalDevServer } from '../temporal-dev-server';
import { resolveTemporalCli } from '../temporal-binaries';
import { buildBenchWorkflowBundle } from './workflow-bundle';

export type AppMode = 'child' | 'inprocess';

export interface BenchEnv {
  /** The application's configuration, as the app under test sees it. */
  config: AppConfig;
  /** The API under test, on loopback. */
  apiUrl: string;
  /** A `system` API key for the bench's requests. */
  apiKey: string;
  /** The bench's own SDK client: same factory and options as the app's (workers/temporal-connection.ts). */
  temporal: Client;
  /** The bench's own database handle (row counts, confirmation). */
  db: DbHandle;
  /** A prefix unique to this run, for external ids and workflow ids. */
  runId: string;
  /** The process running the app (API + worker): its RSS is the memory benches' figure. */
  appPid: number;
  /** The Temporal dev server's SQLite file, when the bench asked for one (its size is a figure). */
  temporalDbFile?: string;
  stop(): Promise<void>;
}

export interface ServerOptions {
  app: AppMode;
  logLevel: string;
  poolMax?: number;
  /** Extra arguments for the app's node process (child mode), e.g. --cpu-prof. */
  nodeArgs: string[];
  log: (line: string) => void;
  /** Settings of the app under test that override the bench's (e.g. limits, secrets). */
  appEnv?: Record<string, string>;
  /** Temporal keeps its state in a SQLite file (not in memory), so that its size can be measured. */
  temporalDbFile?: boolean;
}

const projectRoot = path.resolve(import.meta.dirname, '../..');

export async function startBenchEnv(opts: ServerOptions): Promise<BenchEnv> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse())
      await c().catch((err: unknown) => opts.log(`cleanup: ${(err as Error).message}`));
    cleanups.length = 0;
  };
  try {
    const runId = `bench-${crypto.randomUUID().slice(0, 8)}`;
    let work: string | undefined;
    const workDir = () => {
      if (!work) {
        work = mkdtempSync(path.join(tmpdir(), 'collections-bench-'));
        chmodSync(work, 0o755);
        const dir = work;
        cleanups.unshift(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
      }
      return work;
    };

    let databaseUrl = process.env.DATABASE_URL || undefined;
    if (!databaseUrl) {
      const port = await freePort();
      opts.log(`starting embedded PostgreSQL on 127.0.0.1:${port}`);
      const pg = await startEmbeddedPostgresProcess({
        dataDir: path.join(workDir(), 'pg'),
        port,
        database: 'collections_bench',
        persistent: false,
      });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    await migrateDb(databaseUrl);

    let temporalAddress = process.env.TEMPORAL_ADDRESS || undefined;
    let temporalDbFile: string | undefined;
    if (!temporalAddress) {
      const cli = resolveTemporalCli(process.env.TEMPORAL_CLI || undefined, opts.log);
      const port = await freePort();
      opts.log(`starting the Temporal dev server on 127.0.0.1:${port}`);
      if (opts.temporalDbFile) temporalDbFile = path.join(workDir(), 'temporal.sqlite');
      const temporal = await startTemporalDevServer({
        cli,
        port,
        ...(temporalDbFile ? { dbFile: temporalDbFile } : {}),
        namespace: process.env.TEMPORAL_NAMESPACE || 'default',
      });
      cleanups.push(() => temporal.stop());
      temporalAddress = temporal.address;
    }

    const appEnv: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: opts.logLevel,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      // A task queue of its own: a shared server's other workers never take the bench's tasks.
      TEMPORAL_TASK_QUEUE: runId,
      // The limiter protects production from one noisy key; the bench measures the path behind it.
      RATE_LIMIT_PER_MINUTE: '100000000',
      // Production requires payload keys: the run's own unless the caller gives them.
      TEMPORAL_ENCRYPTION_KEYS: process.env.TEMPORAL_ENCRYPTION_KEYS || generateEncryptionKey('bench'),
      ...(opts.poolMax ? { DATABASE_POOL_MAX: String(opts.poolMax) } : {}),
      ...opts.appEnv,
    };
    for (const key of [
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_API_KEY',
      'TEMPORAL_TLS',
      'DATABASE_POOL_MAX',
      'WORKER_MAX_CACHED_WORKFLOWS',
      'WORKER_MAX_CONCURRENT_ACTIVITIES',
    ]) {
      const v = process.env[key];
      if (v && !(key in appEnv)) appEnv[key] = v;
    }
    const config = loadConfig(appEnv);

    const db = createDb(databaseUrl, { max: 4 });
    cleanups.push(() => db.close());
    const apiKey = generateKey();
    await db.db.insert(apiKeys).values({ name: `${runId} system`, role: 'system', keyHash: hashKey(apiKey) });

    const temporal = await connectClient(config.temporal, temporalDataConverter(config, opts.log));
    cleanups.push(() => temporal.connection.close());
    if (process.env.TEMPORAL_ADDRESS) {
      // A server that outlives the bench keeps no workflows of it: one batch job terminates them all.
      cleanups.push(() => terminateRunWorkflows(temporal, config.temporal.namespace, runId));
    }

    // A prebuilt bench bundle, else one built now: the production bundle has no baseline workflow.
    const bundle = process.env.BENCH_WORKFLOW_BUNDLE || (await buildBenchWorkflowBundle(workDir()));
    let apiUrl: string;
    let appPid = process.pid;
    if (opts.app === 'inprocess') {
      opts.log('starting the app (API + worker) in this process');
      const runtime: Runtime = await startRuntime(
        config,
        { api: true, worker: true },
        opts.log,
        bundle ? { workflowBundle: { codePath: bundle } } : {},
      );
      cleanups.push(() => runtime.stop());
      apiUrl = runtime.api?.url ?? '';
    } else {
      opts.log('starting the app (API + worker) as a child process');
      const child = await startAppChild(appEnv, bundle, opts);
      cleanups.push(() => child.stop());
      apiUrl = child.url;
      appPid = child.process.pid ?? 0;
    }
    opts.log(`app ready at ${apiUrl} (task queue ${runId})`);
    return { config, apiUrl, apiKey, temporal, db, runId, appPid, temporalDbFile, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function terminateRunWorkflows(temporal: Client, namespace: string, runId: string): Promise<void> {
  await temporal.workflowService.startBatchOperation({
    namespace,
    jobId: `${runId}-cleanup`,
    reason: 'bench finished',
    visibilityQuery: `TaskQueue = '${runId}' AND ExecutionStatus = 'Running'`,
    terminationOperation: {},
  });
}

interface AppChild {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

async function startAppChild(
  env: Record<string, string>,
  bundle: string | undefined,
  opts: ServerOptions,
): Promise<AppChild> {
  const entry = path.join(projectRoot, 'scripts/bench/app-process.ts');
  const child = spawn(process.execPath, [...opts.nodeArgs, '--import', 'tsx', entry], {
    cwd: projectRoot,
    env: { ...process.env, ...env, ...(bundle ? { BENCH_WORKFLOW_BUNDLE: bundle } : {}) },
    // The app's own log lines (pino) go to our stderr, never to our stdout: its last line is the result.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  child.stdout?.pipe(process.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app did not start within 120 s')), 120_000);
    child.on('message', (m: { url?: string; error?: string }) => {
      if (m.url) {
        clearTimeout(timer);
        resolve(m.url);
      } else if (m.error) {
        clearTimeout(timer);
        reject(new Error(`the app failed to start: ${m.error}`));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with code ${code} before it was ready`));
    });
  });
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ stop: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
