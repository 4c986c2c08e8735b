// Console sessions: a random token in an httpOnly cookie, stored as its SHA-256; each has a CSRF token that
// writes must echo in a header. A session ends when idle too long, at its absolute expiry, or when revoked.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { users, userSessions, type Role } from '../../db/schema';

export const SESSION_COOKIE = 'co_session';
export const CSRF_HEADER = 'x-csrf-token';

export const sessionIdOf = (token: string) => createHash('sha256').update(token).digest('hex');

export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}

export interface NewSession {
  /** The cookie's value: shown once, never stored. */
  token: string;
  id: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: Db, userId: string, limits: SessionLimits): Promise<NewSession> {
  const token = randomBytes(32).toString('base64url');
  const id = sessionIdOf(token);
  const csrfToken = randomBytes(24).toString('base64url');
  // The database's clock for every instant of a session, so its checks and its stamps agree.
  const [row] = await db
    .insert(userSessions)
    .values({ id, userId, csrfToken, expiresAt: sql`now() + make_interval(hours => ${limits.maxHours})` })
    .returning({ expiresAt: userSessions.expiresAt });
  return { token, id, csrfToken, expiresAt: row?.expiresAt ?? new Date(Date.now() + limits.maxHours * 3_600_000) };
}

export interface LiveSession {
  id: string;
  userId: string;
  csrfToken: string;
  lastSeenAt: Date;
  role: Role;
  agentId: string | null;
}

/** The session behind a cookie token if it is live: not revoked, not expired, not idle, its user enabled. */
export async function liveSession(db: Db, token: string, limits: SessionLimits): Promise<LiveSession | null> {
  const [row] = await db
    .select({
      id: userSessions.id,
      userId: userSessions.userId,
      csrfToken: userSessions.csrfToken,
      lastSeenAt: userSessions.lastSeenAt,
      role: users.role,
      agentId: users.agentId,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(
      and(
        eq(userSessions.id, sessionIdOf(token)),
        isNull(userSessions.revokedAt),
        gt(userSessions.expiresAt, sql`now()`),
        gt(userSessions.lastSeenAt, sql`now() - make_interval(mins => ${limits.idleMinutes})`),
        isNull(users.disabledAt),
      ),
    );
  return row ?? null;
}

/** Marks the session used now; at most once a minute, so a busy console does not write on every request. */
export async function touchSession(db: Db, s: LiveSession): Promise<void> {
  if (Date.now() - s.lastSeenAt.getTime() < 60_000) return;
  await db
    .update(userSessions)
    .set({ lastSeenAt: sql`now()` })
    .where(eq(userSessions.id, s.id));
}

export async function revokeSession(db: Db, id: string): Promise<void> {
  await db
    .update(userSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(userSessions.id, id), isNull(userSessions.revokedAt)));
}

/** Ends every other session of the user (after a password change). */
export async function revokeOtherSessions(db: Db, userId: string, keep: string): Promise<void> {
  await db
    .update(userSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(userSessions.userId, userId), ne(userSessions.id, keep), isNull(userSessions.revokedAt)));
}

export async function sessionCsrfToken(db: Db, id: string): Promise<string | null> {
  const [row] = await db.select({ csrf: userSessions.csrfToken }).from(userSessions).where(eq(userSessions.id, id));
  return row?.csrf ?? null;
}

/** Compares in constant time: the token is a secret a timing difference must not give away. */
export function csrfMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
