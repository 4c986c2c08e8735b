// API keys: bearer tokens stored as SHA-256 hashes, checked on every route that declares roles.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/client';
import { apiKeys, type Role } from '../db/schema';
import { ProblemError } from './problem';

export interface Principal {
  keyId: string;
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
  }
}

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

type AuthOptions = { db: Db; failedAuthPerMinute?: number };

export const authPlugin = fp((app: FastifyInstance, opts: AuthOptions, done: (err?: Error) => void) => {
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
    const principal = row ? { keyId: row.id, role: row.role, agentId: row.agentId } : null;
    if (principal) {
      if (recentlyValid.size > 10_000) recentlyValid.clear();
      recentlyValid.add(h);
    } else recentlyValid.delete(h);
    if (cache.size > 10_000) cache.clear();
    cache.set(h, { principal, until: Date.now() + CACHE_TTL_MS });
    return principal;
  }

  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const roles = req.routeOptions.config.roles;
    if (!roles) return;
    const header = req.headers.authorization;
    const key = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    // Over the limit, only a key that authenticated lately is still looked up: others sharing the address
    // (a NAT, a proxy) keep working while a stream of junk keys costs nothing.
    const wait = key && recentlyValid.has(hashKey(key)) ? 0 : failures.retryAfter(req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new ProblemError(
        429,
        'Too Many Requests',
        `More than ${failedLimit} failed authentications per minute from this address; retry in ${wait} s.`,
      );
    }
    if (!key) {
      failures.fail(req.ip);
      throw new ProblemError(401, 'Unauthorized', 'Send an API key as `Authorization: Bearer <key>`.');
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
  done();
});
