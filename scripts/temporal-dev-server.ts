// The official Temporal dev server (`temporal server start-dev`), started as a child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { allSearchAttributes } from '../temporal.config';
import { portIsFree } from './embedded-postgres';
import { PrerequisiteError } from './temporal-binaries';

export interface RunningTemporal {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: {
  cli: string;
  port: number;
  uiPort?: number;
  dbFile?: string;
  namespace: string;
  log?: (line: string) => void;
}): Promise<RunningTemporal> {
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

  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`The Temporal dev server exited with code ${child.exitCode}:\n${output}`);
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
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
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
