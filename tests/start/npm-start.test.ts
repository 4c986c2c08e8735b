// `npm start` as a supervised process tree, run as a new user would: from a private (0700) DATA_DIR as
// root (issue 8 item 12), killed hard and started again (issue 9 item 6), a dying child restarted
// (issue 9 item 8), and Ctrl-C stopping everything with no process left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, RELOCATED_CLUSTERS } from '../../scripts/embedded-postgres';
import { commandLine, isAlive } from '../../scripts/owned-process';
import { eventually } from '../support/http';

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'collections-start-')); // 0700, as mktemp -d makes it
const started: ChildProcess[] = [];

interface Start {
  child: ChildProcess;
  output: () => string;
  exitCode: Promise<number | null>;
}

async function environment() {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'ADMIN_API_KEY', 'LINK_SIGNING_SECRET']) delete env[key];
  return {
    ...env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    EMBEDDED_PG_PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
  };
}

function npmStart(env: Record<string, string | undefined>): Start {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exitCode = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exitCode };
}

async function healthy(start: Start, timeoutMs = 90_000): Promise<string> {
  const text = await eventually(
    () => Promise.resolve(start.output()),
    (t) => /Healthy in/.test(t) || start.child.exitCode !== null,
    timeoutMs,
  );
  expect(text, text).toMatch(/Healthy in/);
  return /API: +(\S+)/.exec(text)?.[1] ?? '';
}

const health = async (url: string) => {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(3_000) })).status;
  } catch {
    return 0;
  }
};

const healthBecomes = (url: string, status: number, timeoutMs: number) =>
  eventually(
    () => health(url),
    (s) => s === status,
    timeoutMs,
  );

/** Every process below `pid`, with its command line (to tell a reused pid from the same process). */
function descendants(pid: number): { pid: number; cmd: string }[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: { pid: number; cmd: string }[] = [];
  const walk = (p: number) => {
    for (const c of parents.get(p) ?? []) {
      found.push({ pid: c, cmd: commandLine(c) ?? '' });
      walk(c);
    }
  };
  walk(pid);
  return found;
}

async function expectAllGone(processes: { pid: number; cmd: string }[]): Promise<void> {
  const alive = () => processes.filter((p) => isAlive(p.pid) && commandLine(p.pid) === p.cmd);
  const left = await eventually(
    () => Promise.resolve(alive()),
    (l) => l.length === 0,
    30_000,
  );
  expect(left.map((p) => `${p.pid} ${p.cmd}`)).toEqual([]);
}

/** A ```sh block of the README, under the given heading. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const from = readme.indexOf('```sh\n', readme.indexOf(heading)) + '```sh\n'.length;
  return readme.slice(from, readme.indexOf('\n```', from));
}

function bash(script: string, env: Record<string, string | undefined>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A child's pid file; a child being restarted by the supervisor has none for a moment. */
async function pidIn(file: string): Promise<number> {
  const at = path.join(dataDir, file);
  const until = Date.now() + 15_000;
  while (!existsSync(at) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return Number(readFileSync(at, 'utf8').trim());
}

afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL');
  try {
    rmSync(path.dirname(realpathSync(path.join(dataDir, 'postgres'))), { recursive: true, force: true });
  } catch {
    // no relocated cluster
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('survives a SIGKILL of itself, restarts dying children, and stops everything on Ctrl-C', async () => {
    const env = await environment();
    const first = npmStart(env);
    const url = await healthy(first);
    expect(await health(url)).toBe(200);
    if (process.getuid?.() === 0) {
      // Root, private DATA_DIR: start-up says where the cluster went.
      expect(first.output()).toMatch(
        new RegExp(`data in ${RELOCATED_CLUSTERS}/\\S+/postgres \\(linked from ${dataDir}/postgres`),
      );
    }

    // Killed hard: its children go with it, and the next start is not refused ("port in use").
    const firstTree = descendants(first.child.pid ?? 0);
    expect(firstTree.some((p) => p.cmd.includes('server start-dev'))).toBe(true);
    first.child.kill('SIGKILL');
    const second = npmStart(env);
    const url2 = await healthy(second);
    expect(url2).toBe(url);
    expect(await health(url)).toBe(200);
    await expectAllGone(firstTree);

    // The README's first account by curl, as pasted (issue 8 item 13).
    const curl = await bash(readmeBlock('### A first account by curl'), env);
    expect(curl.stderr).toBe('');
    expect(curl.status).toBe(0);
    expect(curl.stdout).toMatch(/"accountId":"[0-9a-f-]{36}"/);
    expect(curl.stdout).toContain(' 202\n');
    expect(curl.stdout.trim().split('\n').at(-1)).toBe('paid');

    // The Temporal dev server dies: it is started again and /health answers 200 again.
    const temporalPid = await pidIn('temporal.pid');
    process.kill(temporalPid, 'SIGKILL');
    await eventually(
      () => Promise.resolve(second.output()),
      (t) => t.includes('The Temporal dev server exited (signal SIGKILL); restarting in'),
      10_000,
    );
    expect(await healthBecomes(url, 200, 30_000)).toBe(200);
    expect(await pidIn('temporal.pid')).not.toBe(temporalPid);

    // So does the worker and API process.
    const runtimePid = await pidIn('runtime.pid');
    process.kill(runtimePid, 'SIGKILL');
    expect(await healthBecomes(url, 0, 10_000)).toBe(0);
    expect(await healthBecomes(url, 200, 60_000)).toBe(200);
    expect(second.output()).toContain('The worker and API exited (signal SIGKILL); restarting in');
    expect(await pidIn('runtime.pid')).not.toBe(runtimePid);

    // Ctrl-C: a clean stop, nothing left running.
    const secondTree = descendants(second.child.pid ?? 0);
    second.child.kill('SIGINT');
    expect(await second.exitCode).toBe(0);
    expect(second.output()).toContain('[start] stopped.');
    await expectAllGone(secondTree);
  }, 240_000);
});
