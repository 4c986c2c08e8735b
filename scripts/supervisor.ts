// Keeps one child of `npm start` running: a child that ends on its own is started again after a pause
// that doubles with each quick failure (one log line per restart); too many quick failures in a row
// and it gives up, so the system never stays half up without saying so.

export interface Supervised {
  /** Resolves when the child ends, asked to or not. */
  exited: Promise<unknown>;
  stop(): Promise<void>;
}

export interface RestartPolicy {
  /** A run shorter than this (ms) counts as a quick failure; a longer one starts the count again. */
  quickMs: number;
  /** Quick failures in a row that are restarted; one more and the supervisor gives up. */
  maxQuickFailures: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const defaultRestartPolicy: RestartPolicy = {
  quickMs: 60_000,
  maxQuickFailures: 5,
  firstDelayMs: 500,
  maxDelayMs: 15_000,
};

export interface Supervisor<T extends Supervised> {
  /** The running child, if any (none while it is being restarted or after giving up). */
  current(): T | undefined;
  restarts(): number;
  /** Stops restarting, then stops the child. */
  stop(): Promise<void>;
}

export function supervise<T extends Supervised>(opts: {
  name: string;
  first: T;
  start: () => Promise<T>;
  log: (line: string) => void;
  /** Called once when it gives up; the caller stops everything. */
  onGiveUp: (message: string) => void;
  /** How the child ended, for the log line ("code 1", "signal SIGKILL"). */
  describeExit?: (child: T) => string;
  policy?: RestartPolicy;
}): Supervisor<T> {
  const policy = opts.policy ?? defaultRestartPolicy;
  let current: T | undefined = opts.first;
  let startedAt = Date.now();
  let quickFailures = 0;
  let restarts = 0;
  let stopping = false;
  let cutPause: (() => void) | undefined;
  let restarting: Promise<void> = Promise.resolve();

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      cutPause = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function restart(why: string, quick: boolean): Promise<void> {
    current = undefined;
    quickFailures = quick ? quickFailures + 1 : 1;
    if (quickFailures > policy.maxQuickFailures) {
      opts.onGiveUp(
        `${opts.name} ${why}, after ${policy.maxQuickFailures} restarts that each ended within ${policy.quickMs / 1000} s: giving up.`,
      );
      return;
    }
    const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** (quickFailures - 1));
    opts.log(
      `${opts.name} ${why}; restarting in ${(delay / 1000).toFixed(1)} s (failure ${quickFailures} in a row; gives up after ${policy.maxQuickFailures + 1}).`,
    );
    await pause(delay);
    if (stopping) return;
    startedAt = Date.now();
    let child: T;
    try {
      child = await opts.start();
    } catch (err) {
      if (!stopping) await restart(`did not start (${firstLine(err)})`, true);
      return;
    }
    restarts += 1;
    if (stopping) {
      await child.stop();
      return;
    }
    current = child;
    watch(child);
  }

  function watch(child: T): void {
    void child.exited.then(() => {
      if (stopping || current !== child) return;
      const how = opts.describeExit?.(child);
      restarting = restart(`exited${how ? ` (${how})` : ''}`, Date.now() - startedAt < policy.quickMs);
    });
  }

  watch(opts.first);
  return {
    current: () => current,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      cutPause?.();
      await restarting;
      await current?.stop();
    },
  };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
