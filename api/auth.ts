// Who calls: API keys (bearer tokens stored as SHA-256 hashes) for systems, console sessions (an httpOnly
// cookie, lib/users/sessions.ts) for people; checked on every route that declares roles.
import { createHash, randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/client';
import { apiKeys, type Role } from '../db/schema';
import {
  CSRF_HEADER,
  csrfMatches,
  liveSession,
  SESSION_COOKIE,
  touchSession,
  type SessionLimits,
} from '../lib/users/sessions';
import { ProblemError } from './problem';

export interface Principal {
  /** The API key, for a system; null for a person signed in to the console. */
  keyId: string | null;
  /** The console user, for a person; null for an API key. */
  userId: string | null;
  /** The session (its id is the token's hash) a person calls with. */
  sessionId: string | null;
  role: Role;
  agentId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; absent = public route. */
    roles?: readonly Role[];
    /** Only a console session may call the route (the session's own routes): an API key is a 401. */
    sessionOnly?: boolean;
  }
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateKey(): string {
  return `ck_${randomBytes(32).toString('base64url')}`;
}

/** Makes sure the bootstrap admin key (ADMIN_API_KEY) exists; idempotent. */
export async function ensureBootstrapAdmin(db: Db, key: string): Promise<void> {
  await db
    .insert(apiKeys)
    .values({ name: 'bootstrap admin (ADMIN_API_KEY)', role: 'admin', keyHash: hashKey(key) })
    .onConflictDoNothing();
}

const CACHE_TTL_MS = 10_000;
const caches = new Set<Map<string, unknown>>();

/** Drops every cached key lookup in this process, so a revocation takes effect here at once. */
export function forgetCachedKeys(): void {
  for (const cache of caches) cache.clear();
}

/** Failed authentications (no key, unknown or revoked key) one IP may make per minute before 429, by default. */
export const FAILED_AUTH_PER_MINUTE = 30;
const WINDOW_MS = 60_000;

/**
 * Counts failed authentications per IP in fixed one-minute windows. A changing junk key costs a database
 * lookup each time (none is cached under a key nobody holds): past the limit the IP is refused before any.
 */
function failedAuthCounter(limit: number) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    /** Seconds until the IP may try again, or 0 when it is under the limit. */
    retryAfter(ip: string, now = Date.now()): number {
      const w = windows.get(ip);
      return w && w.resetAt > now && w.count >= limit ? Math.ceil((w.resetAt - now) / 1000) : 0;
    },
    fail(ip: string, now = Date.now()): void {
      if (windows.size > 10_000) for (const [k, w] of windows) if (w.resetAt <= now) windows.delete(k);
      const w = windows.get(ip);
      if (w && w.resetAt > now) w.count += 1;
      else windows.set(ip, { count: 1, resetAt: now + WINDOW_MS });
    },
  };
}

type AuthOptions = { db: Db; failedAuthPerMinute?: number; sessions: SessionLimits };

export const authPlugin = fp(async (app: FastifyInstance, opts: AuthOptions) => {
  await app.register(cookie);
  const failedLimit = opts.failedAuthPerMinute ?? FAILED_AUTH_PER_MINUTE;
  const failures = failedAuthCounter(failedLimit);
  const recentlyValid = new Set<string>();
  // A short cache keeps a key lookup off the hot path; a revoked key stops working within CACHE_TTL_MS.
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  caches.add(cache);
  app.addHook('onClose', (_app, next) => {
    caches.delete(cache);
    next();
  });

  async function lookup(key: string): Promise<Principal | null> {
    const h = hashKey(key);
    const hit = cache.get(h);
    if (hit && hit.until > Date.now()) return hit.principal;
    const [row] = await opts.db
      .select({ id: apiKeys.id, role: apiKeys.role, agentId: apiKeys.agentId })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, h), isNull(apiKeys.revokedAt)));
    const principal = row
      ? { keyId: row.id, userId: null, sessionId: null, role: row.role, agentId: row.agentId }
      : null;
    if (principal) {
      if (recentlyValid.size > 10_000) recentlyValid.clear();
      recentlyValid.add(h);
    } else recentlyValid.delete(h);
    if (cache.size > 10_000) cache.clear();
    cache.set(h, { principal, until: Date.now() + CACHE_TTL_MS });
    return principal;
  }

  app.decorateRequest('principal', null);

  function tooMany(wait: number, reply: FastifyReply): ProblemError {
    reply.header('retry-after', String(wait));
    return new ProblemError(
      429,
      'Too Many Requests',
      `More than ${failedLimit} failed authentications per minute from this address; retry in ${wait} s.`,
    );
  }

  /** A person's session: the cookie's token must name a live session, and writes must echo its CSRF token. */
  async function sessionPrincipal(req: FastifyRequest, reply: FastifyReply, token: string): Promise<Principal> {
    const wait = failures.retryAfter(req.ip);
    if (wait > 0) throw tooMany(wait, reply);
    const session = await liveSession(opts.db, token, opts.sessions);
    if (!session) {
      failures.fail(req.ip);
      throw new ProblemError(
        401,
        'Unauthorized',
        'The session has ended (logged out, expired or idle); sign in again.',
      );
    }
    if (!READS.has(req.method) && !csrfMatches(session.csrfToken, req.headers[CSRF_HEADER]))
      throw new ProblemError(
        403,
        'Forbidden',
        `A write with a session cookie needs the session's CSRF token in the \`${CSRF_HEADER}\` header.`,
      );
    await touchSession(opts.db, session);
    return {
      keyId: null,
      userId: session.userId,
      sessionId: session.id,
      role: session.role,
      agentId: session.agentId,
    };
  }

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const roles = req.routeOptions.config.roles;
    if (!roles) return;
    const header = req.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const sessionToken = req.cookies[SESSION_COOKIE];
    if (!key && sessionToken) {
      const principal = await sessionPrincipal(req, reply, sessionToken);
      if (!roles.includes(principal.role))
        throw new ProblemError(403, 'Forbidden', `This route needs one of the roles: ${roles.join(', ')}.`);
      req.principal = principal;
      return;
    }
    if (req.routeOptions.config.sessionOnly) {
      throw new ProblemError(
        401,
        'Unauthorized',
        `This route is a console session's own: sign in with POST /v1/session (cookie ${SESSION_COOKIE}); an API key has no session.`,
      );
    }
    // Over the limit, only a key that authenticated lately is still looked up: others sharing the address
    // (a NAT, a proxy) keep working while a stream of junk keys costs nothing.
    const wait = key && recentlyValid.has(hashKey(key)) ? 0 : failures.retryAfter(req.ip);
    if (wait > 0) throw tooMany(wait, reply);
    if (!key) {
      failures.fail(req.ip);
      throw new ProblemError(
        401,
        'Unauthorized',
        'Send an API key as `Authorization: Bearer <key>`, or sign in to the console (POST /v1/session).',
      );
    }
    const principal = await lookup(key);
    if (!principal) {
      failures.fail(req.ip);
      throw new ProblemError(401, 'Unauthorized', 'The API key is unknown or revoked.');
    }
    if (!roles.includes(principal.role)) {
      throw new ProblemError(403, 'Forbidden', `This route needs one of the roles: ${roles.join(', ')}.`);
    }
    req.principal = principal;
  });
});
