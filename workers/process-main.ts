// Entry point shared by the production processes: one role per process, stopped cleanly on SIGTERM.
import { ConfigError, loadConfig } from './config';
import { startRuntime } from './runtime';

export function runProcess(roles: { api: boolean; worker: boolean }): void {
  const log = (line: string) => console.log(line);
  const main = async () => {
    const config = loadConfig(process.env);
    if (!config.databaseUrl || !config.temporal.address) {
      throw new ConfigError([
        'DATABASE_URL and TEMPORAL_ADDRESS must be set (npm start runs embedded services for development).',
      ]);
    }
    const runtime = await startRuntime(config, roles, log);
    if (runtime.api) log(`API listening on ${runtime.api.url}`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: draining…`);
      runtime.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          console.error(err);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  };
  main().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  });
}
