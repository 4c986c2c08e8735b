// Failed logins are counted in PostgreSQL, per email and per address over a sliding window, so every API
// process refuses the same guesses; past a limit the login answers 429 before any password is checked.
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { loginFailures } from '../../db/schema';

export interface LoginThrottle {
  perEmail: number;
  perIp: number;
  windowMinutes: number;
}

/** Seconds until this email and address may try again (0: now). */
export async function loginRetryAfter(db: Db, email: string, ip: string, t: LoginThrottle): Promise<number> {
  const since = sql`now() - make_interval(mins => ${t.windowMinutes})`;
  const oldestOf = async (where: ReturnType<typeof eq>, limit: number): Promise<number> => {
    // The limit-th newest failure in the window: when it leaves the window, the next try is allowed.
    const [row] = await db
      .select({ at: loginFailures.at })
      .from(loginFailures)
      .where(and(where, gt(loginFailures.at, since)))
      .orderBy(sql`${loginFailures.at} desc`)
      .offset(limit - 1)
      .limit(1);
    const edge = row?.at;
    return edge ? Math.max(1, Math.ceil((edge.getTime() + t.windowMinutes * 60_000 - Date.now()) / 1000)) : 0;
  };
  const [byEmail, byIp] = await Promise.all([
    oldestOf(eq(loginFailures.email, email), t.perEmail),
    oldestOf(eq(loginFailures.ip, ip), t.perIp),
  ]);
  return Math.max(byEmail, byIp);
}

export async function recordLoginFailure(db: Db, email: string, ip: string): Promise<void> {
  await db.insert(loginFailures).values({ email, ip });
}

/** A successful login forgets that email's failures; rows older than a day are dropped on the way. */
export async function clearLoginFailures(db: Db, email: string): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.email, email));
  await db.delete(loginFailures).where(lt(loginFailures.at, sql`now() - interval '1 day'`));
}
