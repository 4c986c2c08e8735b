// Outbound pacing per WhatsApp number: WhatsApp restricts numbers that message many people quickly,
// so every send takes a token (bucket refilled per minute) and counts against a rolling 24-hour cap.
// The core is pure (state in, state out); the limiter around it only adds a clock and waiting.

export interface RateLimit {
  perMinute: number;
  perDay: number;
  /** Sends allowed back to back before pacing starts; defaults to perMinute (a classic bucket). */
  burst?: number;
}

export interface RateState {
  tokens: number;
  refilledAt: number;
  /** Send times (ms) within the last 24 hours, oldest first. */
  sentAt: readonly number[];
}

export type TakeResult =
  | { ok: true; state: RateState }
  | { ok: false; state: RateState; reason: 'minute'; waitMs: number }
  | { ok: false; state: RateState; reason: 'day'; retryAt: number };

export const DAY_MS = 24 * 60 * 60 * 1000;

export function checkRateLimit(limit: RateLimit): void {
  for (const [name, value] of [
    ['perMinute', limit.perMinute],
    ['perDay', limit.perDay],
    ['burst', limit.burst ?? 1],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0)
      throw new RangeError(`rateLimit.${name} must be a positive number, got ${value}`);
  }
}

/** `recentSends`: sends already made in the last 24 h (e.g. read back from the database after a restart). */
export function initialRateState(limit: RateLimit, now: number, recentSends: readonly number[] = []): RateState {
  checkRateLimit(limit);
  const sentAt = [...recentSends].filter((t) => t > now - DAY_MS && t <= now).sort((a, b) => a - b);
  return { tokens: capacity(limit), refilledAt: now, sentAt };
}

function capacity(limit: RateLimit): number {
  return limit.burst ?? limit.perMinute;
}

export function refill(limit: RateLimit, state: RateState, now: number): RateState {
  const elapsed = Math.max(0, now - state.refilledAt);
  const tokens = Math.min(capacity(limit), state.tokens + (elapsed * limit.perMinute) / 60_000);
  return { tokens, refilledAt: Math.max(now, state.refilledAt), sentAt: state.sentAt.filter((t) => t > now - DAY_MS) };
}

/** Takes one send if both the minute bucket and the daily cap allow it; the daily cap is checked first so a refused send costs no token. */
export function take(limit: RateLimit, state: RateState, now: number): TakeResult {
  const s = refill(limit, state, now);
  if (s.sentAt.length >= limit.perDay) {
    // The window frees a slot when the send that filled it turns 24 hours old.
    const oldestBlocking = s.sentAt[s.sentAt.length - limit.perDay] ?? now;
    return { ok: false, state: s, reason: 'day', retryAt: oldestBlocking + DAY_MS };
  }
  if (s.tokens < 1) {
    return { ok: false, state: s, reason: 'minute', waitMs: Math.ceil(((1 - s.tokens) * 60_000) / limit.perMinute) };
  }
  return { ok: true, state: { ...s, tokens: s.tokens - 1, sentAt: [...s.sentAt, now] } };
}

export class DailyCapReachedError extends Error {
  constructor(readonly retryAt: number) {
    super(`The daily WhatsApp send cap of this number is reached until ${new Date(retryAt).toISOString()}`);
    this.name = 'DailyCapReachedError';
  }
}

export class RateLimitWaitTooLongError extends Error {
  constructor(readonly waitMs: number) {
    super(`The next WhatsApp send slot is ${waitMs} ms away`);
    this.name = 'RateLimitWaitTooLongError';
  }
}

export interface RateLimiter {
  /** Resolves when a send may go out (the token is taken); rejects when the wait would exceed maxWaitMs or the daily cap is reached. */
  acquire(maxWaitMs: number): Promise<void>;
  /** Gives back a token taken for a send that then did not leave (e.g. not on WhatsApp). */
  refund(): void;
  snapshot(): RateState;
}

export function createRateLimiter(
  limit: RateLimit,
  opts: { now?: () => number; sleep?: (ms: number) => Promise<void>; recentSends?: readonly number[] } = {},
): RateLimiter {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let state = initialRateState(limit, now(), opts.recentSends);
  return {
    async acquire(maxWaitMs) {
      const deadline = now() + maxWaitMs;
      for (;;) {
        const t = now();
        const result = take(limit, state, t);
        state = result.state;
        if (result.ok) return;
        if (result.reason === 'day') throw new DailyCapReachedError(result.retryAt);
        if (t + result.waitMs > deadline) throw new RateLimitWaitTooLongError(result.waitMs);
        // Another waiter may take the token first; the loop checks again.
        await sleep(result.waitMs);
      }
    },
    refund() {
      const last = state.sentAt.length - 1;
      if (last < 0) return;
      state = {
        tokens: Math.min(capacity(limit), state.tokens + 1),
        refilledAt: state.refilledAt,
        sentAt: state.sentAt.slice(0, last),
      };
    },
    snapshot: () => state,
  };
}
