// `npm start`: the whole system on embedded defaults (PostgreSQL, Temporal dev server, worker, API),
// or on external services when DATABASE_URL / TEMPORAL_ADDRESS are set. Ctrl-C stops every child.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKey } from '../api/auth';
import { ConfigError, loadConfig, type AppConfig } from '../workers/config';
import { startRuntime, type Runtime } from '../workers/runtime';
import { startEmbeddedPostgresProcess, type RunningPostgres } from './embedded-postgres';
import { startTemporalDevServer, type RunningTemporal } from './temporal-dev-server';
import { checkNodeVersion, PrerequisiteError, resolveTemporalCli } from './temporal-binaries';

const log = (line: string) => console.log(`[start] ${line}`);

function devAdminKey(dataDir: string): string {
  const file = path.join(dataDir, 'admin-api-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = generateKey();
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

const stops: (() => Promise<void>)[] = [];

async function stopChildren(): Promise<void> {
  for (const stop of stops.reverse()) await stop().catch((err: unknown) => log(`stop: ${(err as Error).message}`));
  stops.length = 0;
}

async function main(): Promise<void> {
  const started = Date.now();
  checkNodeVersion();
  let config: AppConfig = loadConfig(process.env);
  const dataDir = path.resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const running: { runtime?: Runtime } = {};
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping…`);
    try {
      await running.runtime?.stop();
    } catch (err) {
      log(`runtime stop: ${(err as Error).message}`);
    }
    await stopChildren();
    log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let pg: RunningPostgres | undefined;
  if (!config.databaseUrl) {
    if (config.env === 'production') throw new PrerequisiteError('DATABASE_URL must be set in production.');
    pg = await startEmbeddedPostgresProcess({
      dataDir: path.join(dataDir, 'postgres'),
      port: config.embeddedPostgresPort,
      database: 'collections',
      persistent: true,
    });
    stops.push(() => pg!.stop());
    config = { ...config, databaseUrl: pg.url };
  }
  let temporal: RunningTemporal | undefined;
  if (!config.temporal.address) {
    if (config.env === 'production') throw new PrerequisiteError('TEMPORAL_ADDRESS must be set in production.');
    const cli = resolveTemporalCli(config.temporal.cliPath, log);
    temporal = await startTemporalDevServer({
      cli,
      port: config.temporal.devServer.port,
      uiPort: config.temporal.devServer.uiPort,
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      namespace: config.temporal.namespace,
      log,
    });
    stops.push(() => temporal!.stop());
    temporal.process.once('exit', (code) => {
      if (!stopping) {
        log(`the Temporal dev server exited (code ${code}); stopping.`);
        void shutdown('temporal exit');
      }
    });
    config = { ...config, temporal: { ...config.temporal, address: temporal.address } };
  }
  let generatedAdmin = false;
  if (!config.adminApiKey && config.env === 'development') {
    config = { ...config, adminApiKey: devAdminKey(dataDir) };
    generatedAdmin = true;
  }

  running.runtime = await startRuntime(config, { api: true, worker: true }, log);
  const apiUrl = running.runtime.api?.url ?? '';
  const lines = [
    `API:          ${apiUrl}`,
    `API docs:     ${apiUrl}/docs  (OpenAPI: ${apiUrl}/openapi.json)`,
    `Temporal:     ${config.temporal.address} (namespace ${config.temporal.namespace})`,
    temporal?.uiUrl ? `Temporal UI:  ${temporal.uiUrl}` : undefined,
    `PostgreSQL:   ${pg ? `embedded on 127.0.0.1:${config.embeddedPostgresPort}, data in ${path.relative(process.cwd(), dataDir)}/postgres` : 'external (DATABASE_URL)'}`,
    generatedAdmin
      ? `Admin API key (development, kept in ${path.relative(process.cwd(), dataDir)}/admin-api-key): ${config.adminApiKey}`
      : undefined,
    `Healthy in ${((Date.now() - started) / 1000).toFixed(1)} s. Ctrl-C stops everything.`,
  ].filter(Boolean);
  console.log(`\n${lines.join('\n')}\n`);
}

main().catch(async (err: unknown) => {
  if (err instanceof PrerequisiteError || err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error(err);
  }
  await stopChildren();
  process.exit(1);
});
