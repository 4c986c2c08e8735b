// Send failures sorted into "try again" and "stop": the Resend SDK returns errors as data, and a
// Temporal activity must know which ones a retry (with the same idempotency key) can fix.
import { ApplicationFailure } from '@temporalio/common';
import type { ErrorResponse } from 'resend';

export class EmailSendError extends Error {
  constructor(
    message: string,
    readonly code: string,
    /** HTTP status from Resend; null when no response arrived (network, timeout). */
    readonly status: number | null,
    readonly retryable: boolean,
    /** From Resend's Retry-After header on 429s, so the retry waits as long as Resend asks. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'EmailSendError';
  }
}

// Retrying these can succeed without changing the request.
const RETRYABLE_CODES = new Set([
  'rate_limit_exceeded',
  // The daily quota resets within 24 h; the activity's retry policy decides whether to wait that long.
  'daily_quota_exceeded',
  // Another attempt with the same key is still running; once it ends the key replays its answer.
  'concurrent_idempotent_requests',
  'internal_server_error',
]);

// 429 like a rate limit, but it lasts until someone changes the plan.
const PERMANENT_CODES = new Set(['monthly_quota_exceeded']);

// The SDK passes a parsed JSON error body through as-is, dropping the HTTP status; a body that is
// not Resend's {statusCode, name, message} (a proxy's answer) ends up here.
const UNRECOGNIZED = 'unrecognized_error';

function isRetryable(code: string, status: number | null): boolean {
  if (PERMANENT_CODES.has(code)) return false;
  if (RETRYABLE_CODES.has(code)) return true;
  // No status: a failed fetch (refused, reset, aborted by our timeout), which the SDK reports as
  // application_error, or an answer we cannot read, more likely from a gateway than a verdict on
  // the email. Retrying either is safe because every send carries an idempotency key.
  if (status === null) return code === 'application_error' || code === UNRECOGNIZED;
  return status === 408 || status === 429 || status >= 500;
}

function retryAfterMs(headers: Record<string, string> | null): number | undefined {
  const raw = headers?.['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

export function fromResendError(error: ErrorResponse, headers: Record<string, string> | null): EmailSendError {
  // Typed as ErrorResponse, but really whatever JSON the server answered: check every field.
  const e: Partial<Record<keyof ErrorResponse, unknown>> = typeof error === 'object' && error !== null ? error : {};
  const status = typeof e.statusCode === 'number' ? e.statusCode : null;
  const code = typeof e.name === 'string' && e.name !== '' ? e.name : UNRECOGNIZED;
  const detail = typeof e.message === 'string' ? e.message : JSON.stringify(error);
  const message = `Resend rejected the email (${code}${status === null ? '' : `, HTTP ${status}`}): ${detail}`;
  return new EmailSendError(message, code, status, isRetryable(code, status), retryAfterMs(headers));
}

/** What an activity throws, so Temporal stops on permanent failures and honours Retry-After. */
export function toApplicationFailure(err: EmailSendError): ApplicationFailure {
  return ApplicationFailure.create({
    message: err.message,
    type: `EmailSendError:${err.code}`,
    nonRetryable: !err.retryable,
    details: [{ code: err.code, status: err.status }],
    nextRetryDelay: err.retryable ? err.retryAfterMs : undefined,
    cause: err,
  });
}
