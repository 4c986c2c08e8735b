// CPU seconds spent by this process and its descendants (app, PostgreSQL, Temporal), grouped by
// program, from /proc: tells on a small machine which server a phase's time went to. Linux only.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

type Snapshot = Map<number, { name: string; ticks: number }>;

function readAll(): Snapshot {
  const procs = new Map<number, { ppid: number; name: string; ticks: number }>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return new Map();
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is state (field 3): ppid is field 4, utime 14, stime 15.
      procs.set(Number(entry), { ppid: Number(fields[1]), name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const mine: Snapshot = new Map();
  const isMine = (pid: number): boolean => {
    for (let p = pid, depth = 0; p > 1 && depth < 20; depth += 1) {
      if (p === process.pid) return true;
      p = procs.get(p)?.ppid ?? 0;
    }
    return false;
  };
  for (const [pid, p] of procs)
    if (isMine(pid))
      mine.set(pid, { name: p.name === 'node' && pid === process.pid ? 'bench' : p.name, ticks: p.ticks });
  return mine;
}

/** Starts counting; `report()` gives CPU seconds per program since then, e.g. "postgres 3.1 s, temporal 5.2 s". */
export function cpuMeter() {
  const before = readAll();
  return {
    report(): string {
      const after = readAll();
      const byName = new Map<string, number>();
      for (const [pid, p] of after) {
        const ticks = p.ticks - (before.get(pid)?.ticks ?? 0);
        byName.set(p.name, (byName.get(p.name) ?? 0) + ticks);
      }
      return [...byName]
        .filter(([, t]) => t > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([name, t]) => `${name} ${(t / TICKS_PER_SECOND).toFixed(1)} s`)
        .join(', ');
    },
  };
}
