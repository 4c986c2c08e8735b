// The application in a child process that a fault can kill: scripts/chaos/role-process.ts with the roles
// asked for (API and worker together, as `npm start` runs them, by default), configured by the environment
// given, its URL reported over IPC.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const projectRoot = path.resolve(import.meta.dirname, '../..');

export interface AppChild {
  url: string;
  process: ChildProcess;
  /** Resolves when the process ends, asked to or not, with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The process's last log lines (diagnostics when it died). */
  recentLog(): string;
  /** SIGKILL: a crash as the kernel or an operator makes it. */
  kill(): Promise<void>;
  /** A clean stop (drains the worker and the outbox). */
  stop(): Promise<void>;
}

export async function startAppChild(
  env: Record<string, string>,
  opts: { workflowBundle?: string; roles?: ('api' | 'worker')[]; echo?: (line: string) => void } = {},
): Promise<AppChild> {
  const entry = path.join(projectRoot, 'scripts/chaos/role-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...env,
      CHAOS_ROLES: (opts.roles ?? ['api', 'worker']).join(','),
      ...(opts.workflowBundle ? { CHAOS_WORKFLOW_BUNDLE: opts.workflowBundle } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-8000);
    if (opts.echo) for (const line of text.split('\n')) if (line) opts.echo(line);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app did not start within 120 s')), 120_000);
    child.on('message', (m: { url?: string; error?: string }) => {
      if (typeof m.url === 'string') {
        clearTimeout(timer);
        resolve(m.url);
      } else if (m.error) {
        clearTimeout(timer);
        reject(new Error(`the app failed to start: ${m.error}`));
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the app exited with code ${code} before it was ready: ${tail.slice(-2000)}`));
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    process: child,
    exited,
    recentLog: () => tail,
    async kill() {
      if (!running()) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!running()) return;
      child.send({ stop: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
