// Activity failures leave the worker without query parameter values: a failed insert's error carries
// the debtor's name, email or phone (drizzle's `params`, postgres.js's `parameters`), and the SDK logs
// and records every activity failure. The copy keeps the message's query text, the error's kind and
// whether it is retryable.
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { safeErrorText } from '../lib/safe-log';

export function safeActivityError(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  const message = safeErrorText(err.message);
  const cause = err.cause !== undefined && depth < 3 ? safeActivityError(err.cause, depth + 1) : undefined;
  if (err instanceof ApplicationFailure) {
    if (message === err.message && cause === err.cause) return err;
    return ApplicationFailure.create({
      message,
      type: err.type ?? undefined,
      nonRetryable: err.nonRetryable ?? undefined,
      details: err.details as unknown[] | undefined,
      ...(cause instanceof Error ? { cause } : {}),
    });
  }
  const copy = new Error(message, cause instanceof Error ? { cause } : undefined);
  copy.name = err.name;
  copy.stack = (err.stack ?? '').replace(err.message, message);
  return copy;
}

class SafeActivityErrors implements ActivityInboundCallsInterceptor {
  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) {
    try {
      return await next(input);
    } catch (err) {
      throw safeActivityError(err);
    }
  }
}

export const safeActivityErrorsInterceptor = () => ({ inbound: new SafeActivityErrors() });
