import { and, asc, eq, isNull } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { apiKeys, type Role } from '../../db/schema';
import type { AppDeps } from '../app';
import { forgetCachedKeys, generateKey, hashKey } from '../auth';
import { badRequest, conflict, notFound } from '../problem';
import { listApiKeysSchema, revokeApiKeySchema } from '../schemas/api-key-admin';
import { createApiKeySchema } from '../schemas/api-keys';

export function apiKeyRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Body: { name: string; role: Role; agentId?: string } }>(
    '/v1/api-keys',
    { schema: createApiKeySchema, config: { roles: ['admin'] } },
    async (req, reply) => {
      const { name, role, agentId } = req.body;
      if (role === 'agent' && !agentId)
        throw badRequest([{ field: 'agentId', message: 'is required for the agent role' }]);
      if (role !== 'agent' && agentId)
        throw badRequest([{ field: 'agentId', message: 'is only allowed for the agent role' }]);
      const key = generateKey();
      const [row] = await deps.db
        .insert(apiKeys)
        .values({ name, role, agentId: agentId ?? null, keyHash: hashKey(key) })
        .returning({ id: apiKeys.id });
      return reply.code(201).send({ id: row?.id, key, role, agentId: agentId ?? null });
    },
  );

  app.get<{ Querystring: { includeRevoked: boolean } }>(
    '/v1/api-keys',
    { schema: listApiKeysSchema, config: { roles: ['admin'] } },
    async (req) => {
      const rows = await deps.db
        .select({
          id: apiKeys.id,
          name: apiKeys.name,
          role: apiKeys.role,
          agentId: apiKeys.agentId,
          createdAt: apiKeys.createdAt,
          revokedAt: apiKeys.revokedAt,
        })
        .from(apiKeys)
        .where(req.query.includeRevoked ? undefined : isNull(apiKeys.revokedAt))
        .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
      return {
        items: rows.map((r) => ({
          ...r,
          createdAt: r.createdAt.toISOString(),
          revokedAt: r.revokedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/api-keys/:id',
    { schema: revokeApiKeySchema, config: { roles: ['admin'] } },
    async (req, reply) => {
      // Revoking the key in use would lock its holder out mid-request; another admin key must do it.
      if (req.principal?.keyId === req.params.id)
        throw conflict('An API key cannot revoke itself; use another admin key.');
      const [row] = await deps.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.id, req.params.id));
      if (!row) throw notFound(`API key ${req.params.id}`);
      await deps.db
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, req.params.id), isNull(apiKeys.revokedAt)));
      // Other API processes honour the revocation when their cache entry expires (at most 10 s).
      forgetCachedKeys();
      return reply.code(204).send();
    },
  );
}
