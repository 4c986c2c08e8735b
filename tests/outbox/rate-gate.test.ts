// The outbox's rate gate (OUTBOX_RATE_PER_SECOND): calls past a tenth of a second's burst are spaced at
// the configured rate, in order; 0 means no limit.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { rateGate } from '../../lib/outbox/relay';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

async function passedBy(ms: number, calls: Promise<void>[]): Promise<number> {
  let passed = 0;
  for (const c of calls) void c.then(() => (passed += 1));
  await vi.advanceTimersByTimeAsync(ms);
  return passed;
}

describe('rateGate', () => {
  it('lets a burst through at once and spaces the rest at the rate', async () => {
    const turn = rateGate(100); // 10 ms apart, a burst of 10
    const calls = Array.from({ length: 60 }, () => turn());
    expect(await passedBy(0, calls)).toBe(10);
    // Half a second later: the burst plus 50 spaced calls, no more.
    expect(await passedBy(500, calls)).toBeGreaterThanOrEqual(59);
    expect(await passedBy(20, calls)).toBe(60);
  });

  it('does not hold calls below the rate', async () => {
    const turn = rateGate(10);
    for (let i = 0; i < 5; i += 1) {
      expect(await passedBy(0, [turn()])).toBe(1);
      await vi.advanceTimersByTimeAsync(200);
    }
  });

  it('0 is no limit', async () => {
    const turn = rateGate(0);
    expect(
      await passedBy(
        0,
        Array.from({ length: 1000 }, () => turn()),
      ),
    ).toBe(1000);
  });
});
