// Errors as they may be logged: a failed query's text stays (it names the table and has $1 placeholders),
// its parameter values never do — they are the debtor's name, email, phone. drizzle puts them in the
// message (`Failed query: …\nparams: …`) and in `params`; postgres.js in `parameters` and `args`.

const PARAMS_LINE = /\nparams: [\s\S]*$/;
// PostgreSQL quotes the refused value itself: `invalid input syntax for type uuid: "…"`.
const QUOTED_INPUT = /(for type [\w ]+): "[\s\S]*"/;

/** An error's message with any query parameter values cut off. */
export function safeErrorText(text: string): string {
  return text.replace(PARAMS_LINE, '\nparams: [redacted]').replace(QUOTED_INPUT, '$1: "[redacted]"');
}

export interface SafeError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
  code?: string;
  cause?: SafeError | string;
}

/** A log-safe copy of an error: pino's `err` serializer (which also sees `err: message` strings). */
export function errorForLog(err: Error, depth = 0): SafeError {
  if (!(err instanceof Error)) return safeErrorText(String(err)) as unknown as SafeError;
  const message = safeErrorText(err.message);
  const out: SafeError = { type: err.name, message, stack: (err.stack ?? '').replace(err.message, message) };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (err.cause !== undefined && depth < 3) out.cause = safeError(err.cause, depth + 1);
  return out;
}

/** The same for anything put in an `err:` field, a message string included. */
export function safeError(err: unknown, depth = 0): SafeError | string {
  return err instanceof Error ? errorForLog(err, depth) : safeErrorText(String(err));
}

/** `JSON.stringify` for a log line's fields, with any `err` / `error` field made safe first. */
export function safeLogJson(fields: object): string {
  return JSON.stringify(fields, (key, value: unknown) => (key === 'err' || key === 'error' ? safeError(value) : value));
}
