// A failed activity's error, as the SDK logs it and records it in the history, carries the query text but
// never the parameter values (the debtor's name, email, phone), and keeps whether it may be retried.
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { safeActivityError } from '../../workers/safe-activity-errors';

class DrizzleLikeError extends Error {
  constructor(message: string, cause?: Error) {
    super(message, cause ? { cause } : undefined);
    this.name = 'DrizzleQueryError';
  }
}

const query = 'Failed query: insert into "debtors" ("name", "email") values ($1, $2)';
const leaked = `${query}\nparams: Ana Pérez,ana@example.com`;

describe('activity errors leave the worker without parameter values', () => {
  it('keeps the query text, cuts the params line, and does the same for the cause', () => {
    const cause = new Error('invalid input syntax for type uuid: "Ana Pérez"');
    const safe = safeActivityError(new DrizzleLikeError(leaked, cause)) as Error;
    expect(safe.message).toContain('insert into "debtors"');
    expect(safe.name).toBe('DrizzleQueryError');
    const everything = `${safe.message} ${safe.stack ?? ''} ${String((safe.cause as Error).message)}`;
    expect(everything).not.toContain('Ana');
    expect(everything).not.toContain('ana@example.com');
  });

  it('keeps an ApplicationFailure non-retryable and of its type', () => {
    const failure = ApplicationFailure.create({ message: leaked, type: 'opted_out', nonRetryable: true });
    const safe = safeActivityError(failure) as ApplicationFailure;
    expect(safe).toBeInstanceOf(ApplicationFailure);
    expect(safe).toMatchObject({ type: 'opted_out', nonRetryable: true });
    expect(safe.message).not.toContain('ana@example.com');
  });

  it('returns an error with nothing to hide as it is', () => {
    const failure = ApplicationFailure.create({ message: 'no phone', type: 'no_address', nonRetryable: true });
    expect(safeActivityError(failure)).toBe(failure);
  });
});
