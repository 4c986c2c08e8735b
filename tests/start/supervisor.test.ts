// Issue 9 item 8: `npm start` restarts a child that dies, with a growing pause, one line per restart, and
// gives up after too many quick failures with a clear message.
import { describe, expect, it } from 'vitest';
import { supervise, type RestartPolicy, type Supervised } from '../../scripts/supervisor';

interface FakeChild extends Supervised {
  id: number;
  die(): void;
  stopped: boolean;
}

function fakeChildren() {
  const made: FakeChild[] = [];
  const make = (): FakeChild => {
    let die = () => undefined as void;
    const exited = new Promise<void>((resolve) => (die = resolve));
    const child: FakeChild = {
      id: made.length,
      exited,
      die,
      stopped: false,
      async stop() {
        child.stopped = true;
        die();
        await exited;
      },
    };
    made.push(child);
    return child;
  };
  return { made, make };
}

const fast: RestartPolicy = { quickMs: 1_000, maxQuickFailures: 3, firstDelayMs: 10, maxDelayMs: 40 };
const until = async (ok: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe('supervise', () => {
  it('starts a child that died again, logging one line per restart with a doubling pause', async () => {
    const { made, make } = fakeChildren();
    const lines: string[] = [];
    const giveUps: string[] = [];
    const s = supervise({
      name: 'The Temporal dev server',
      first: make(),
      start: () => Promise.resolve(make()),
      log: (l) => lines.push(l),
      onGiveUp: (m) => giveUps.push(m),
      describeExit: () => 'signal SIGKILL',
      policy: fast,
    });
    made[0]!.die();
    await until(() => s.current()?.id === 1);
    made[1]!.die();
    await until(() => s.current()?.id === 2);
    expect(s.restarts()).toBe(2);
    expect(lines).toEqual([
      'The Temporal dev server exited (signal SIGKILL); restarting in 0.0 s (failure 1 in a row; gives up after 4).',
      'The Temporal dev server exited (signal SIGKILL); restarting in 0.0 s (failure 2 in a row; gives up after 4).',
    ]);
    expect(giveUps).toEqual([]);
    await s.stop();
    expect(made[2]!.stopped).toBe(true);
    expect(made).toHaveLength(3); // stopping is not a death: nothing is started after it
  });

  it('gives up after too many quick failures in a row, saying so once', async () => {
    const { made, make } = fakeChildren();
    const lines: string[] = [];
    const giveUps: string[] = [];
    const s = supervise({
      name: 'PostgreSQL',
      first: make(),
      start: () => {
        const child = make();
        setTimeout(() => child.die(), 1);
        return Promise.resolve(child);
      },
      log: (l) => lines.push(l),
      onGiveUp: (m) => giveUps.push(m),
      policy: fast,
    });
    made[0]!.die();
    await until(() => giveUps.length > 0);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toContain('restarting in 0.0 s (failure 3 in a row; gives up after 4)');
    expect(giveUps).toEqual(['PostgreSQL exited, after 3 restarts that each ended within 1 s: giving up.']);
    expect(s.current()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(made).toHaveLength(4);
    await s.stop();
  });

  it('counts a start that throws as a quick failure and keeps trying', async () => {
    const { made, make } = fakeChildren();
    const lines: string[] = [];
    let attempts = 0;
    const s = supervise({
      name: 'The worker and API',
      first: make(),
      start: () => {
        attempts += 1;
        if (attempts === 1) return Promise.reject(new Error('Port 3000 is already in use\nmore detail'));
        return Promise.resolve(make());
      },
      log: (l) => lines.push(l),
      onGiveUp: () => undefined,
      policy: fast,
    });
    made[0]!.die();
    await until(() => s.current()?.id === 1);
    expect(lines[1]).toBe(
      'The worker and API did not start (Port 3000 is already in use); restarting in 0.0 s (failure 2 in a row; gives up after 4).',
    );
    await s.stop();
  });

  it('stops during the pause without starting another child', async () => {
    const { made, make } = fakeChildren();
    const s = supervise({
      name: 'x',
      first: make(),
      start: () => Promise.resolve(make()),
      log: () => undefined,
      onGiveUp: () => undefined,
      policy: { ...fast, firstDelayMs: 10_000, maxDelayMs: 10_000 },
    });
    made[0]!.die();
    await new Promise((r) => setTimeout(r, 20));
    const began = Date.now();
    await s.stop();
    expect(Date.now() - began).toBeLessThan(1_000);
    expect(made).toHaveLength(1);
  });
});
