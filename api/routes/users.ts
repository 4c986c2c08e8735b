// Console users (admin): list, create, change (role, agent id, disabled, password). People sign in through
// api/routes/session.ts.
import type { FastifyInstance } from 'fastify';
import type { Locale, UserRole } from '../../db/schema';
import { clashOf, createUser, findUser, listUsers, updateUser, userView, type UserChange } from '../../lib/users/users';
import type { AppDeps } from '../app';
import { badRequest, conflict, notFound } from '../problem';
import { createUserSchema, listUsersSchema, updateUserSchema } from '../schemas/users';

const clashMessage = { email: 'Another user has this email.', agentId: 'Another user is this agent.' } as const;

/** An agent user is an agent id; no other role has one. */
function checkAgentId(role: UserRole, agentId: string | null | undefined, field = 'agentId'): void {
  if (role === 'agent' && !agentId) throw badRequest([{ field, message: 'is required for the agent role' }]);
  if (role !== 'agent' && agentId) throw badRequest([{ field, message: 'is only allowed for the agent role' }]);
}

export function userRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db } = deps;
  const admin = { roles: ['admin'] } as const;

  app.get('/v1/users', { schema: listUsersSchema, config: admin }, async () => ({
    items: (await listUsers(db)).map(userView),
  }));

  app.post<{
    Body: { email: string; name: string; role: UserRole; agentId?: string; password: string; locale?: Locale };
  }>('/v1/users', { schema: createUserSchema, config: admin }, async (req, reply) => {
    checkAgentId(req.body.role, req.body.agentId);
    const clash = await clashOf(db, req.body);
    if (clash) throw conflict(clashMessage[clash], { field: clash });
    const row = await createUser(db, req.body);
    if (!row) throw conflict('Another user has this email or is this agent.');
    return reply.code(201).send(userView(row));
  });

  app.patch<{ Params: { id: string }; Body: UserChange }>(
    '/v1/users/:id',
    { schema: updateUserSchema, config: admin },
    async (req) => {
      const user = await findUser(db, req.params.id);
      if (!user) throw notFound(`User ${req.params.id}`);
      const change = { ...req.body };
      const role = change.role ?? (user.role as UserRole);
      // Leaving the agent role drops the agent id unless the body says otherwise (then it is refused).
      if (role !== 'agent' && change.agentId === undefined) change.agentId = null;
      const agentId = change.agentId === undefined ? user.agentId : change.agentId;
      checkAgentId(role, agentId);
      if (req.principal?.userId === user.id && (change.disabled === true || (change.role && change.role !== 'admin')))
        throw conflict('An admin cannot disable or demote themselves; another admin must do it.');
      const clash = await clashOf(db, { agentId: change.agentId ?? null }, user.id);
      if (clash) throw conflict(clashMessage[clash], { field: clash });
      const row = await updateUser(db, user.id, change);
      if (!row) throw notFound(`User ${req.params.id}`);
      return userView(row);
    },
  );
}
