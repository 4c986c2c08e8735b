// The per-number pace: a token bucket per minute and a rolling 24-hour cap, pure and with a fake clock.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createRateLimiter,
  DAY_MS,
  DailyCapReachedError,
  initialRateState,
  RateLimitWaitTooLongError,
  take,
  type RateLimit,
  type RateState,
} from '../../activities/whatsapp/rate-limit';

const T0 = Date.UTC(2026, 2, 2, 12);

function takeAll(limit: RateLimit, state: RateState, now: number, n: number) {
  let s = state;
  const results = [];
  for (let i = 0; i < n; i++) {
    const r = take(limit, s, now);
    results.push(r);
    s = r.state;
  }
  return { state: s, results };
}

describe('take', () => {
  it('allows a burst, then paces at perMinute', () => {
    const limit = { perMinute: 6, perDay: 100, burst: 2 };
    const { state, results } = takeAll(limit, initialRateState(limit, T0), T0, 3);
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    const refused = results[2];
    expect(refused?.ok === false && refused.reason === 'minute' && refused.waitMs).toBe(10_000);
    expect(take(limit, state, T0 + 9_999).ok).toBe(false);
    expect(take(limit, state, T0 + 10_000).ok).toBe(true);
  });

  it('defaults the burst to perMinute', () => {
    const limit = { perMinute: 5, perDay: 100 };
    expect(takeAll(limit, initialRateState(limit, T0), T0, 6).results.map((r) => r.ok)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('caps sends over any rolling 24 hours and says when the window frees a slot', () => {
    const limit = { perMinute: 60, perDay: 3 };
    let s = initialRateState(limit, T0);
    for (const at of [T0, T0 + 60_000, T0 + 120_000]) {
      const r = take(limit, s, at);
      expect(r.ok).toBe(true);
      s = r.state;
    }
    const refused = take(limit, s, T0 + 3_600_000);
    expect(refused).toMatchObject({ ok: false, reason: 'day', retryAt: T0 + DAY_MS });
    // A refusal by the daily cap costs no token.
    expect(refused.state.tokens).toBeGreaterThanOrEqual(s.tokens);
    expect(take(limit, s, T0 + DAY_MS).ok).toBe(true);
  });

  it('starts from the sends of the last 24 hours (after a restart)', () => {
    const limit = { perMinute: 60, perDay: 2 };
    const s = initialRateState(limit, T0, [T0 - DAY_MS - 1, T0 - 1000, T0 - 500]);
    expect(s.sentAt).toEqual([T0 - 1000, T0 - 500]);
    expect(take(limit, s, T0)).toMatchObject({ ok: false, reason: 'day', retryAt: T0 - 1000 + DAY_MS });
  });

  it('rejects limits that are not positive', () => {
    expect(() => initialRateState({ perMinute: 0, perDay: 1 }, T0)).toThrow(/perMinute/);
    expect(() => initialRateState({ perMinute: 1, perDay: -1 }, T0)).toThrow(/perDay/);
  });

  it('never lets more through than the bucket and the daily cap allow (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 5 * 60_000 }), { minLength: 1, maxLength: 200 }),
        (perMinute, perDay, burst, gaps) => {
          const limit = { perMinute, perDay, burst };
          let s = initialRateState(limit, T0);
          let now = T0;
          const sent: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const r = take(limit, s, now);
            s = r.state;
            if (r.ok) sent.push(now);
          }
          for (const start of sent) {
            const inMinute = sent.filter((t) => t >= start && t < start + 60_000).length;
            expect(inMinute).toBeLessThanOrEqual(burst + perMinute);
            const inDay = sent.filter((t) => t >= start && t < start + DAY_MS).length;
            expect(inDay).toBeLessThanOrEqual(perDay);
          }
        },
      ),
    );
  });
});

describe('createRateLimiter', () => {
  function fakeClock() {
    let now = T0;
    const slept: number[] = [];
    return {
      now: () => now,
      sleep: (ms: number) => {
        slept.push(ms);
        now += ms;
        return Promise.resolve();
      },
      slept,
      advance: (ms: number) => (now += ms),
    };
  }

  it('waits for the next token when the wait fits', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perMinute: 2, perDay: 10, burst: 1 }, clock);
    await limiter.acquire(60_000);
    await limiter.acquire(60_000);
    expect(clock.slept).toEqual([30_000]);
  });

  it('refuses instead of waiting longer than allowed', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perMinute: 1, perDay: 10, burst: 1 }, clock);
    await limiter.acquire(1000);
    await expect(limiter.acquire(1000)).rejects.toBeInstanceOf(RateLimitWaitTooLongError);
  });

  it('throws when the daily cap is reached, and a refund gives the slot back', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perMinute: 60, perDay: 1 }, clock);
    await limiter.acquire(0);
    const err = await limiter.acquire(0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DailyCapReachedError);
    expect((err as DailyCapReachedError).retryAt).toBe(T0 + DAY_MS);
    limiter.refund();
    await limiter.acquire(0);
  });
});
