// The official Temporal dev server (`temporal server start-dev`), started as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { allSearchAttributes } from '../temporal.config';
import { portIsFree } from './embedded-postgres';
import { readPidFile, removePidFile, stopOwnedProcess, withParentDeathSignal, writePidFile } from './owned-process';
import { PrerequisiteError } from './temporal-binaries';

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  /** Resolves when the server ends, asked to or not. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: {
  cli: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace: string;
  /** Kept while the server runs; a server a killed run left behind is stopped through it at the next start. */
  pidFile?: string;
  log?: (line: string) => void;
}): Promise<RunningTemporal> {
  const ours = ['server start-dev', opts.dbFile ? `--db-filename ${opts.dbFile} ` : `--port ${opts.port} `];
  if (opts.pidFile) await stopStaleServer(opts.pidFile, ours, opts.log);
  for (const [what, port] of [
    ['Temporal', opts.port],
    ['Temporal UI', opts.uiPort],
  ] as const) {
    if (port !== undefined && !(await portIsFree(port))) {
      throw new PrerequisiteError(
        `Port ${port} (${what}) is already in use: stop what uses it or set ${what === 'Temporal' ? 'TEMPORAL_DEV_PORT' : 'TEMPORAL_UI_PORT'} (or TEMPORAL_ADDRESS to use an existing server).`,
      );
    }
  }
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--namespace',
    opts.namespace,
    '--log-level',
    'warn',
  ];
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  for (const key of allSearchAttributes)
    args.push('--search-attribute', `${key.name}=${searchAttributeCliType(key.type)}`);
  // Some dynamic-config defaults are raised so that bursts of starts (ingest) are not throttled locally.
  args.push('--dynamic-config-value', 'frontend.namespaceRPS=10000', '--dynamic-config-value', 'frontend.rps=10000');

  // It dies with this process (even by SIGKILL) on Linux; its own process group keeps a terminal's Ctrl-C
  // for the parent, which stops the children in order.
  const [file, argv] = withParentDeathSignal(opts.cli, args);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const pid = child.pid;
  if (opts.pidFile && pid) {
    writePidFile(opts.pidFile, pid);
    const pidFile = opts.pidFile;
    child.once('exit', () => removePidFile(pidFile, pid));
  }
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`The Temporal dev server exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    if (await answers(address)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`The Temporal dev server did not answer on ${address} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    process: child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function stopStaleServer(pidFile: string, markers: string[], log?: (line: string) => void): Promise<void> {
  const pid = readPidFile(pidFile);
  if (!pid) return;
  const outcome = await stopOwnedProcess(pid, markers, 'SIGTERM', 10_000);
  if (outcome === 'stopped') log?.(`Stopped the Temporal dev server (pid ${pid}) an earlier run left running.`);
  removePidFile(pidFile, pid);
}

async function answers(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1000 });
    try {
      await connection.healthService.check({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

function searchAttributeCliType(type: string): string {
  const names: Record<string, string> = {
    KEYWORD: 'Keyword',
    INT: 'Int',
    TEXT: 'Text',
    BOOL: 'Bool',
    DOUBLE: 'Double',
    DATETIME: 'Datetime',
    KEYWORD_LIST: 'KeywordList',
  };
  const name = names[type];
  if (!name) throw new Error(`Unknown search attribute type ${type}`);
  return name;
}
