// An embedded PostgreSQL that a fault can restart: the same cluster and port each time, stopped fast
// (SIGINT: sessions are ended, as `pg_ctl stop -m fast`) or immediate (SIGQUIT: as a crash, recovery on start).
import { readFileSync, rmSync } from 'node:fs';
import { startEmbeddedPostgresProcess, type RunningPostgres } from '../embedded-postgres';

export type StopMode = 'fast' | 'immediate';

export interface RestartablePostgres {
  readonly url: string;
  stop(mode: StopMode): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its cluster. */
  dispose(): Promise<void>;
}

export async function startRestartablePostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  log?: (line: string) => void;
}): Promise<RestartablePostgres> {
  const launch = () =>
    startEmbeddedPostgresProcess({ dataDir: opts.dataDir, port: opts.port, database: opts.database, persistent: true });
  let current: RunningPostgres | null = await launch();
  const { url, dataDir } = current;
  return {
    url,
    async stop(mode) {
      const pg = current;
      if (!pg) return;
      current = null;
      if (mode === 'fast') return pg.stop();
      // The postmaster's pid is the first line of postmaster.pid; its process's child exits when it does.
      const pid = Number(readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
      process.kill(pid, 'SIGQUIT');
      await pg.exited;
    },
    async start() {
      if (current) return;
      current = await launch();
    },
    async dispose() {
      await current?.stop();
      current = null;
      rmSync(dataDir, { recursive: true, force: true });
      if (dataDir !== opts.dataDir) rmSync(opts.dataDir, { recursive: true, force: true });
    },
  };
}
