// Opening a connection is explicit: nothing here connects on import.
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface DbHandle {
  db: Db;
  sql: postgres.Sql;
  close(): Promise<void>;
}

export interface DbOptions {
  max?: number;
  /** Seconds to open a connection before the query that asked for it fails (an unreachable host). */
  connectTimeoutSeconds?: number;
  /** Longest statement, ms: a request never waits on the database for longer. */
  statementTimeoutMs?: number;
  /** Longest wait for a row lock, ms. */
  lockTimeoutMs?: number;
}

/**
 * Every wait is bounded, so a database that is down or stuck makes requests fail fast (the API answers 503)
 * instead of hanging: connecting, statements and lock waits. Idle connections are closed after a while, so
 * a pool does not keep sockets a restarted server has already dropped.
 */
export function createDb(url: string, opts: DbOptions = {}): DbHandle {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => undefined,
    connect_timeout: opts.connectTimeoutSeconds ?? 3,
    idle_timeout: 60,
    // Seconds before a closed connection connects again, after n failures in a row. The driver's default
    // grows to 20 s, and queries waiting for a connection wait that long; capped at a quarter second, a
    // request while the database is down fails at once (503) and one after it is back succeeds.
    backoff: (failures: number) => Math.min(0.02 * 2 ** failures, 0.25) * (0.5 + Math.random() / 2),
    connection: {
      statement_timeout: opts.statementTimeoutMs ?? 30_000,
      lock_timeout: opts.lockTimeoutMs ?? 10_000,
    },
  });
  const db = drizzle(sql, { schema });
  return { db, sql, close: () => sql.end({ timeout: 5 }) };
}

/** PostgreSQL error classes and driver codes that mean "the database cannot answer now", not "bad request". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '53300', // too_many_connections
  '57014', // query_canceled (statement_timeout)
  '55P03', // lock_not_available (lock_timeout)
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * Whether an error (or what it wraps: drizzle's query error, an AggregateError of connection attempts)
 * says the database is unreachable, restarting or overloaded: worth a retry later, answered 503.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  const nested = (err as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.some((e) => isDatabaseUnavailable(e, depth + 1))) return true;
  return isDatabaseUnavailable((err as { cause?: unknown }).cause, depth + 1);
}
