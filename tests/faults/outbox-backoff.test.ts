// How the outbox classifies a failed delivery and how long a row waits before the next try.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { failureKind, retryDelaySeconds } from '../../lib/outbox/relay';

const grpc = (code: number) => Object.assign(new Error('grpc'), { code, details: 'x', metadata: {} });

describe('outbox failure kinds and backoff', () => {
  it('tells an unreachable Temporal from a closed workflow and from anything else', () => {
    expect(failureKind(new WorkflowNotFoundError('gone', 'wf', undefined))).toBe('closed');
    expect(failureKind(new WorkflowExecutionAlreadyStartedError('closed run', 'wf', 'accountWorkflow'))).toBe('closed');
    expect(failureKind(grpc(14))).toBe('unavailable');
    expect(failureKind(grpc(4))).toBe('unavailable');
    expect(failureKind(new Error('wrapped', { cause: grpc(14) }))).toBe('unavailable');
    expect(failureKind(grpc(3))).toBe('permanent');
    expect(failureKind(new Error('payload too large'))).toBe('permanent');
  });

  it('retries an unreachable Temporal within seconds (capped at 5 s) and anything else far later', () => {
    for (let attempts = 1; attempts < 30; attempts++) {
      expect(retryDelaySeconds('unavailable', attempts, 1)).toBeLessThanOrEqual(5);
      expect(retryDelaySeconds('permanent', attempts, 1)).toBeLessThanOrEqual(600);
      expect(retryDelaySeconds('permanent', attempts, 0)).toBeGreaterThanOrEqual(
        retryDelaySeconds('unavailable', attempts, 0),
      );
    }
    expect(retryDelaySeconds('unavailable', 1, 1)).toBe(0.5);
    // Jitter spreads rows that failed together over half the interval.
    expect(retryDelaySeconds('unavailable', 10, 0)).toBe(2.5);
  });
});
