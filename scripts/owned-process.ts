// Processes `npm start` leaves behind when it is killed hard: found through a pid file, checked by their
// command line (a pid may have been reused by something else), and stopped before the next start.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie answers signals but is gone; its parent (init, once we died) reaps it.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The process's command line, arguments separated by spaces; null when it is gone or unreadable. */
export function commandLine(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || null;
    } catch {
      return null;
    }
  }
}

export type StaleOutcome = 'none' | 'stopped' | 'foreign';

/**
 * Stops `pid` when it is alive and its command line holds every marker (so it is ours); waits for it to
 * end, with SIGKILL after `timeoutMs`. `foreign`: alive but not ours, left alone.
 */
export async function stopOwnedProcess(
  pid: number,
  markers: string[],
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 15_000,
): Promise<StaleOutcome> {
  if (!pid || !isAlive(pid)) return 'none';
  const cmd = commandLine(pid);
  if (cmd === null || !markers.every((m) => cmd.includes(m))) return 'foreign';
  process.kill(pid, signal);
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(200);
      if (!isAlive(pid)) break;
    }
    await sleep(100);
  }
  return 'stopped';
}

/** A pid file holds one pid on its first line. */
export function readPidFile(file: string): number | null {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function writePidFile(file: string, pid: number): void {
  writeFileSync(file, `${pid}\n`, { mode: 0o644 });
}

export function removePidFile(file: string, pid: number): void {
  if (readPidFile(file) === pid) rmSync(file, { force: true });
}

let setprivAvailable: boolean | undefined;

/**
 * On Linux the child gets `signal` when this process dies, even by SIGKILL (prctl PR_SET_PDEATHSIG through
 * util-linux `setpriv`); elsewhere it runs as is and the pid files catch it at the next start.
 */
export function withParentDeathSignal(
  file: string,
  args: string[],
  signal: 'TERM' | 'INT' = 'TERM',
): [string, string[]] {
  if (process.platform !== 'linux') return [file, args];
  setprivAvailable ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setprivAvailable ? ['setpriv', [`--pdeathsig=${signal}`, '--', file, ...args]] : [file, args];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
