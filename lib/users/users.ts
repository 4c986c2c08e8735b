// Users of the console: created and changed by admins, the first admin from configuration.
import { and, asc, eq, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { users, userSessions, type Locale, type UserRole } from '../../db/schema';
import { hashPassword } from './passwords';

export type UserRow = typeof users.$inferSelect;

/** What the API shows of a user: never the hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  agentId: string | null;
  locale: Locale;
  disabled: boolean;
  createdAt: string;
  passwordChangedAt: string;
}

export function userView(u: UserRow): UserView {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as UserRole,
    agentId: u.agentId,
    locale: u.locale,
    disabled: u.disabledAt !== null,
    createdAt: u.createdAt.toISOString(),
    passwordChangedAt: u.passwordChangedAt.toISOString(),
  };
}

export const normalEmail = (email: string) => email.trim().toLowerCase();

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(users.email, normalEmail(email)));
  return row;
}

export async function findUser(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.email));
}

export interface NewUser {
  email: string;
  name: string;
  role: UserRole;
  agentId?: string | null;
  password: string;
  locale?: Locale;
}

/** Which unique rule a new or changed user breaks: its email or its agent id is another user's. */
export async function clashOf(
  db: Db,
  u: { email?: string; agentId?: string | null },
  except?: string,
): Promise<'email' | 'agentId' | null> {
  const others = except ? ne(users.id, except) : undefined;
  if (u.email) {
    const [row] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.email, normalEmail(u.email)), others));
    if (row) return 'email';
  }
  if (u.agentId) {
    const [row] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.agentId, u.agentId), others));
    if (row) return 'agentId';
  }
  return null;
}

/** Inserts the user; null when the email or agent id is taken (a concurrent insert included). */
export async function createUser(db: Db, u: NewUser): Promise<UserRow | null> {
  const passwordHash = await hashPassword(u.password);
  const [row] = await db
    .insert(users)
    .values({
      email: normalEmail(u.email),
      name: u.name,
      role: u.role,
      agentId: u.role === 'agent' ? (u.agentId ?? null) : null,
      passwordHash,
      locale: u.locale ?? 'es',
    })
    .onConflictDoNothing()
    .returning();
  return row ?? null;
}

export interface UserChange {
  name?: string;
  role?: UserRole;
  agentId?: string | null;
  disabled?: boolean;
  password?: string;
  locale?: Locale;
}

/**
 * Applies the change; a new password or a disabled user ends every session of that user, at once (sessions are
 * checked against the user on each request, so a new role or agent id applies to the next request too).
 */
export async function updateUser(
  db: Db,
  id: string,
  change: UserChange,
  /** The session that changes its own password goes on. */
  keepSession?: string,
): Promise<UserRow | undefined> {
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  return db.transaction(async (tx) => {
    const now = new Date();
    const values = {
      ...(change.name !== undefined ? { name: change.name } : {}),
      ...(change.role !== undefined ? { role: change.role } : {}),
      ...(change.agentId !== undefined ? { agentId: change.agentId } : {}),
      ...(change.locale !== undefined ? { locale: change.locale } : {}),
      ...(change.disabled !== undefined
        ? { disabledAt: change.disabled ? sql`coalesce(${users.disabledAt}, now())` : null }
        : {}),
      ...(passwordHash !== undefined ? { passwordHash, passwordChangedAt: now } : {}),
    };
    // An empty change (`{}`) changes nothing and answers the user as they are (drizzle refuses an empty set).
    if (Object.keys(values).length === 0) return (await tx.select().from(users).where(eq(users.id, id)))[0];
    const [row] = await tx.update(users).set(values).where(eq(users.id, id)).returning();
    if (row && (change.disabled === true || passwordHash !== undefined))
      await tx
        .update(userSessions)
        .set({ revokedAt: now })
        .where(
          and(
            eq(userSessions.userId, id),
            isNull(userSessions.revokedAt),
            keepSession ? ne(userSessions.id, keepSession) : undefined,
          ),
        );
    return row;
  });
}

/** The first admin (ADMIN_EMAIL/ADMIN_PASSWORD): created once; a user who exists already is left untouched. */
export async function ensureFirstAdmin(db: Db, email: string, password: string): Promise<void> {
  if (await findUserByEmail(db, email)) return;
  await createUser(db, { email, name: 'Admin', role: 'admin', password });
}
