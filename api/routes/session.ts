// The console's session: sign in (a cookie and a CSRF token), who is signed in, the language, the password,
// sign out. People's other requests go to the same /v1 routes as API keys (api/auth.ts reads the cookie).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { userRoles, type Locale } from '../../db/schema';
import { clearLoginFailures, loginRetryAfter, recordLoginFailure } from '../../lib/users/throttle';
import { createSession, revokeSession, SESSION_COOKIE, sessionCsrfToken } from '../../lib/users/sessions';
import { verifyPassword } from '../../lib/users/passwords';
import { findUser, findUserByEmail, normalEmail, updateUser, type UserRow } from '../../lib/users/users';
import type { AppDeps } from '../app';
import { badRequest, ProblemError } from '../problem';
import {
  changePasswordSchema,
  currentSessionSchema,
  loginSchema,
  logoutSchema,
  updateSessionSchema,
} from '../schemas/session';

const sessionUserView = (u: UserRow) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  agentId: u.agentId,
  locale: u.locale,
});

const unauthorized = () => new ProblemError(401, 'Unauthorized', 'The email or the password is wrong.');

export function sessionRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  const limits = deps.config.sessions;
  const secure = deps.config.http.publicBaseUrl?.startsWith('https:') ?? false;
  const cookieOptions = { httpOnly: true, sameSite: 'strict', path: '/', secure } as const;

  async function throttled(email: string, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const wait = await loginRetryAfter(db, email, req.ip, limits.loginThrottle);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new ProblemError(
        429,
        'Too Many Requests',
        `Too many failed logins for this email or from this address; retry in ${wait} s.`,
      );
    }
  }

  /** The signed-in user and session behind the request (session-only routes: the auth hook made sure). */
  async function current(req: FastifyRequest) {
    const { userId, sessionId } = req.principal ?? {};
    const user = userId ? await findUser(db, userId) : undefined;
    const csrfToken = sessionId ? await sessionCsrfToken(db, sessionId) : null;
    if (!user || !sessionId || csrfToken === null)
      throw new ProblemError(401, 'Unauthorized', 'The session has ended; sign in again.');
    return { user, sessionId, csrfToken };
  }

  app.post<{ Body: { email: string; password: string } }>(
    '/v1/session',
    { schema: loginSchema },
    async (req, reply) => {
      const email = normalEmail(req.body.email);
      await throttled(email, req, reply);
      const user = await findUserByEmail(db, email);
      const usable = user && user.disabledAt === null ? user : undefined;
      if (!(await verifyPassword(usable?.passwordHash ?? null, req.body.password)) || !usable) {
        await recordLoginFailure(db, email, req.ip);
        throw unauthorized();
      }
      await clearLoginFailures(db, email);
      const session = await createSession(db, usable.id, limits);
      // The audit entry of the login names who signed in.
      req.principal = {
        keyId: null,
        userId: usable.id,
        sessionId: session.id,
        role: usable.role,
        agentId: usable.agentId,
      };
      reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions, expires: session.expiresAt });
      return { user: sessionUserView(usable), csrfToken: session.csrfToken };
    },
  );

  const asUser = { roles: userRoles, sessionOnly: true } as const;

  app.get('/v1/session', { schema: currentSessionSchema, config: asUser }, async (req) => {
    const { user, csrfToken } = await current(req);
    return { user: sessionUserView(user), csrfToken };
  });

  app.patch<{ Body: { locale: Locale } }>(
    '/v1/session',
    { schema: updateSessionSchema, config: asUser },
    async (req) => {
      const { user, csrfToken } = await current(req);
      const changed = (await updateUser(db, user.id, { locale: req.body.locale })) ?? user;
      return { user: sessionUserView(changed), csrfToken };
    },
  );

  app.delete('/v1/session', { schema: logoutSchema, config: asUser }, async (req, reply) => {
    const { sessionId } = await current(req);
    await revokeSession(db, sessionId);
    reply.clearCookie(SESSION_COOKIE, cookieOptions);
    return reply.code(204).send();
  });

  app.post<{ Body: { currentPassword: string; newPassword: string } }>(
    '/v1/session/password',
    { schema: changePasswordSchema, config: asUser },
    async (req, reply) => {
      const { user, sessionId } = await current(req);
      // A stolen session must not guess the password either: wrong current passwords count as failed logins.
      await throttled(user.email, req, reply);
      if (!(await verifyPassword(user.passwordHash, req.body.currentPassword))) {
        await recordLoginFailure(db, user.email, req.ip);
        throw badRequest([{ field: 'currentPassword', message: 'is not the current password' }]);
      }
      if (req.body.newPassword === req.body.currentPassword)
        throw badRequest([{ field: 'newPassword', message: 'is the current password' }]);
      // Every other session of the user ends with it; this one goes on.
      await updateUser(db, user.id, { password: req.body.newPassword }, sessionId);
      return reply.code(204).send();
    },
  );
}
