import type { FastifyInstance } from 'fastify';
import { apiKeys, type Role } from '../../db/schema';
import type { AppDeps } from '../app';
import { generateKey, hashKey } from '../auth';
import { badRequest } from '../problem';
import { createApiKeySchema } from '../schemas/api-keys';

export function apiKeyRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Body: { name: string; role: Role; agentId?: string } }>(
    '/v1/api-keys',
    { schema: createApiKeySchema, config: { roles: ['admin'] } },
    async (req, reply) => {
      const { name, role, agentId } = req.body;
      if (role === 'agent' && !agentId) throw badRequest([{ field: 'agentId', message: 'is required for the agent role' }]);
      if (role !== 'agent' && agentId) throw badRequest([{ field: 'agentId', message: 'is only allowed for the agent role' }]);
      const key = generateKey();
      const [row] = await deps.db
        .insert(apiKeys)
        .values({ name, role, agentId: agentId ?? null, keyHash: hashKey(key) })
        .returning({ id: apiKeys.id });
      return reply.code(201).send({ id: row?.id, key, role, agentId: agentId ?? null });
    },
  );
}
