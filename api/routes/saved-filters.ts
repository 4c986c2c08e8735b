// Saved filters (GET/POST/DELETE /v1/saved-filters): each person keeps their own named list queries.
import type { FastifyInstance } from 'fastify';
import { userRoles } from '../../db/schema';
import {
  deleteSavedFilter,
  listSavedFilters,
  MAX_SAVED_FILTERS,
  ownerOf,
  saveFilter,
  type SavedFilter,
} from '../../lib/users/saved-filters';
import type { AppDeps } from '../app';
import { accountFilters } from '../accounts/filters';
import { notFound, unprocessable } from '../problem';
import { deleteSavedFilterSchema, listSavedFiltersSchema, saveFilterSchema } from '../schemas/saved-filters';

const view = (f: SavedFilter) => ({
  id: f.id,
  name: f.name,
  resource: f.resource,
  query: f.query,
  createdAt: f.createdAt.toISOString(),
});

export function savedFilterRoutes(app: FastifyInstance, deps: AppDeps) {
  const config = { roles: userRoles } as const;
  const owner = (p: { userId: string | null; keyId: string | null } | null) =>
    ownerOf(p ?? { userId: null, keyId: null });

  app.get<{ Querystring: { resource: 'accounts' } }>(
    '/v1/saved-filters',
    { schema: listSavedFiltersSchema, config },
    async (req) => ({ items: (await listSavedFilters(deps.db, owner(req.principal), req.query.resource)).map(view) }),
  );

  app.post<{ Body: { name: string; resource: 'accounts'; query: Record<string, unknown> } }>(
    '/v1/saved-filters',
    { schema: saveFilterSchema, config },
    async (req, reply) => {
      // Checked as the list would check it (an unknown stage, a balance without currency): a saved filter works.
      await accountFilters(deps.db, req.body.query, 'query.');
      const saved = await saveFilter(deps.db, { owner: owner(req.principal), ...req.body });
      if (!saved)
        throw unprocessable(`At most ${MAX_SAVED_FILTERS} saved filters each; delete one first.`, {
          reason: 'too_many_saved_filters',
        });
      return reply.code(saved.created ? 201 : 200).send(view(saved.filter));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/saved-filters/:id',
    { schema: deleteSavedFilterSchema, config },
    async (req, reply) => {
      if (!(await deleteSavedFilter(deps.db, owner(req.principal), req.params.id)))
        throw notFound(`Saved filter ${req.params.id}`);
      return reply.code(204).send();
    },
  );
}
