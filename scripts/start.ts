// `npm start`: the whole system on embedded defaults (PostgreSQL, Temporal dev server, worker and API),
// or on external services when DATABASE_URL / TEMPORAL_ADDRESS are set. Each child is supervised: one
// that dies is started again (scripts/supervisor.ts). Ctrl-C stops every child, the worker and API first.
// Children die with this process even when it is killed hard, and what a killed run left behind is
// stopped at the next start (pid files in DATA_DIR, checked against the process's command line).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateKey } from '../api/auth';
import { readOrCreateDataFile } from '../workers/data-dir-file';
import { ConfigError, loadConfig, type AppConfig } from '../workers/config';
import { startEmbeddedPostgresProcess, type RunningPostgres } from './embedded-postgres';
import { commandLine, isAlive, readPidFile, removePidFile, stopOwnedProcess, writePidFile } from './owned-process';
import type { RuntimeMessage } from './start-runtime';
import { supervise, type Supervised, type Supervisor } from './supervisor';
import { startTemporalDevServer, type RunningTemporal } from './temporal-dev-server';
import { checkNodeVersion, PrerequisiteError, resolveTemporalCli } from './temporal-binaries';

const log = (line: string) => console.log(`[start] ${line}`);
const runtimeEntry = path.join(import.meta.dirname, 'start-runtime.ts');

function devAdminKey(dataDir: string): string {
  const file = path.join(dataDir, 'admin-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = generateKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** One `npm start` per DATA_DIR: a live one is reported; a dead one's leftovers are ours to stop. */
function claimDataDir(dataDir: string): string {
  const file = path.join(dataDir, 'start.pid');
  const pid = readPidFile(file);
  if (pid && pid !== process.pid && isAlive(pid) && commandLine(pid)?.includes(path.basename(import.meta.filename))) {
    throw new PrerequisiteError(`npm start is already running on ${dataDir} (pid ${pid}): stop it first.`);
  }
  writePidFile(file, process.pid);
  return file;
}

interface RunningRuntime extends Supervised {
  url: string;
  process: ChildProcess;
}

async function startRuntimeProcess(env: Record<string, string>, pidFile: string): Promise<RunningRuntime> {
  const stale = readPidFile(pidFile);
  if (stale && (await stopOwnedProcess(stale, [runtimeEntry])) === 'stopped')
    log(`Stopped the worker and API (pid ${stale}) an earlier run left running.`);
  const child = spawn(process.execPath, ['--import', 'tsx', runtimeEntry], {
    env: { ...process.env, ...env },
    // Its own process group: a Ctrl-C reaches only this process, which stops the children in order.
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const pid = child.pid ?? 0;
  writePidFile(pidFile, pid);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      removePidFile(pidFile, pid);
      resolve();
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.on('message', (message: RuntimeMessage) => {
      if (message.type === 'ready') resolve(message.url);
      else reject(new Error(message.message));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`The worker and API process exited (${code ?? signal}) before it was ready.`)),
    );
  });
  return {
    url,
    process: child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const exitOf = (child: ChildProcess) =>
  child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode ?? '?'}`;

/** Starts the services in parallel; if one fails, the others are stopped before the error goes on. */
async function startAll<T extends readonly unknown[]>(starts: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(starts.map((start) => start()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.allSettled(
      results.map((r) =>
        r.status === 'fulfilled' && r.value && typeof r.value === 'object' && 'stop' in r.value
          ? (r.value as Supervised).stop()
          : Promise.resolve(),
      ),
    );
    throw failed.reason;
  }
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

// Stopped in this order: the worker and API before the services they use.
const services: Supervisor<Supervised>[] = [];
let runtime: Supervisor<RunningRuntime> | undefined;
let startPid: string | undefined;
let stopping = false;

async function stopAll(): Promise<void> {
  await runtime?.stop().catch((err: unknown) => log(`worker and API stop: ${(err as Error).message}`));
  await Promise.all(services.map((s) => s.stop().catch((err: unknown) => log(`stop: ${(err as Error).message}`))));
  if (startPid) removePidFile(startPid, process.pid);
}

async function shutdown(why: string, code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(`${why}: stopping…`);
  await stopAll();
  log('stopped.');
  process.exit(code);
}

function giveUp(message: string): void {
  log(message);
  void shutdown('giving up', 1);
}

async function main(): Promise<void> {
  const started = Date.now();
  checkNodeVersion();
  let config: AppConfig = loadConfig(process.env);
  const dataDir = path.resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  startPid = claimDataDir(dataDir);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal, 0));

  const wantPostgres = !config.databaseUrl;
  const wantTemporal = !config.temporal.address;
  if (config.env === 'production' && wantPostgres)
    throw new PrerequisiteError('DATABASE_URL must be set in production.');
  if (config.env === 'production' && wantTemporal)
    throw new PrerequisiteError('TEMPORAL_ADDRESS must be set in production.');
  const startPostgres = () =>
    startEmbeddedPostgresProcess({
      dataDir: path.join(dataDir, 'postgres'),
      port: config.embeddedPostgresPort,
      database: 'collections',
      persistent: true,
      log,
    });
  const cli = wantTemporal ? resolveTemporalCli(config.temporal.cliPath, log) : '';
  const startTemporal = () =>
    startTemporalDevServer({
      cli,
      port: config.temporal.devServer.port,
      uiPort: config.temporal.devServer.uiPort,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      pidFile: path.join(dataDir, 'temporal.pid'),
      namespace: config.temporal.namespace,
      log,
    });
  const [pg, temporal] = await startAll<[RunningPostgres | undefined, RunningTemporal | undefined]>([
    async () => (wantPostgres ? startPostgres() : undefined),
    async () => (wantTemporal ? startTemporal() : undefined),
  ]);
  if (pg) {
    services.push(supervise({ name: 'PostgreSQL', first: pg, start: startPostgres, log, onGiveUp: giveUp }));
    config = { ...config, databaseUrl: pg.url };
  }
  if (temporal) {
    services.push(
      supervise({
        name: 'The Temporal dev server',
        first: temporal,
        start: startTemporal,
        log,
        onGiveUp: giveUp,
        describeExit: (t) => exitOf(t.process),
      }),
    );
    config = { ...config, temporal: { ...config.temporal, address: temporal.address } };
  }
  let generatedAdmin = false;
  if (!config.adminApiKey && config.env === 'development') {
    config = { ...config, adminApiKey: devAdminKey(dataDir) };
    generatedAdmin = true;
  }

  // The console's first admin, like the admin key: in development, admin@localhost with a kept password.
  let generatedAdminPassword = false;
  if (!config.sessions.adminPassword && config.env === 'development') {
    const adminPassword = readOrCreateDataFile(dataDir, 'admin-password', () => randomBytes(12).toString('base64url'));
    config = {
      ...config,
      sessions: { ...config.sessions, adminEmail: config.sessions.adminEmail ?? 'admin@localhost', adminPassword },
    };
    generatedAdminPassword = true;
  }

  const runtimeEnv = {
    DATA_DIR: dataDir,
    DATABASE_URL: config.databaseUrl ?? '',
    TEMPORAL_ADDRESS: config.temporal.address ?? '',
    ...(config.adminApiKey ? { ADMIN_API_KEY: config.adminApiKey } : {}),
    ...(config.sessions.adminEmail && config.sessions.adminPassword
      ? { ADMIN_EMAIL: config.sessions.adminEmail, ADMIN_PASSWORD: config.sessions.adminPassword }
      : {}),
  };
  const startApp = () => startRuntimeProcess(runtimeEnv, path.join(dataDir, 'runtime.pid'));
  const app = await startApp();
  runtime = supervise({
    name: 'The worker and API',
    first: app,
    start: startApp,
    log,
    onGiveUp: giveUp,
    describeExit: (r) => exitOf(r.process),
  });
  const shown = (p: string) => (p.startsWith(`${process.cwd()}${path.sep}`) ? path.relative(process.cwd(), p) : p);
  const pgData = pg
    ? pg.dataDir === path.join(dataDir, 'postgres')
      ? shown(pg.dataDir)
      : `${pg.dataDir} (linked from ${shown(path.join(dataDir, 'postgres'))}: the postgres user cannot reach ${shown(dataDir)})`
    : '';
  const lines = [
    `API:          ${app.url}`,
    `API docs:     ${app.url}/docs  (OpenAPI: ${app.url}/openapi.json)`,
    `Temporal:     ${config.temporal.address} (namespace ${config.temporal.namespace})`,
    temporal?.uiUrl ? `Temporal UI:  ${temporal.uiUrl}` : undefined,
    `PostgreSQL:   ${pg ? `embedded on 127.0.0.1:${config.embeddedPostgresPort}, data in ${pgData}` : 'external (DATABASE_URL)'}`,
    generatedAdmin
      ? `Admin API key (development, kept in ${shown(dataDir)}/admin-api-key): ${config.adminApiKey}`
      : undefined,
    generatedAdminPassword
      ? `Console:      ${app.url}/console  (${config.sessions.adminEmail}, password kept in ${shown(dataDir)}/admin-password: ${config.sessions.adminPassword})`
      : undefined,
    `Healthy in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops everything.`,
  ].filter(Boolean);
  console.log(`\n${lines.join('\n')}\n`);
}

main().catch(async (err: unknown) => {
  console.error(err instanceof PrerequisiteError || err instanceof ConfigError ? err.message : err);
  stopping = true;
  await stopAll();
  process.exit(1);
});
