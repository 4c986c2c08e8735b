import type { FastifyInstance } from 'fastify';
import { validateStrategy, type StrategyDefinition } from '../../strategies/index';
import type { AppDeps } from '../app';
import { badRequest, notFound, type FieldError } from '../problem';
import {
  diffSchema,
  getDraftSchema,
  getVersionSchema,
  listStrategiesSchema,
  listVersionsSchema,
  publishSchema,
  putDraftSchema,
  validateSchema,
} from '../schemas/strategies';
import { jsonDiff, stageDiff } from '../strategies/diff';
import {
  getDraft,
  listStrategies,
  listVersions,
  loadStrategyVersion,
  publishVersion,
  saveDraft,
} from '../../lib/strategies/store';

type IdParams = { id: string };

function check(definition: unknown, id?: string): { definition?: StrategyDefinition; errors: FieldError[] } {
  const result = validateStrategy(definition);
  const errors: FieldError[] = result.ok
    ? []
    : result.errors.map((e) => ({ field: e.path || '(body)', message: e.message }));
  const givenId = (definition as { id?: unknown } | null)?.id;
  if (id !== undefined && typeof givenId === 'string' && givenId !== id)
    errors.push({ field: 'id', message: `must be "${id}", the strategy id in the path` });
  return errors.length === 0 ? { definition: definition as StrategyDefinition, errors } : { errors };
}

const draftView = (row: { strategyId: string; updatedAt: Date; definition: unknown }) => ({
  id: row.strategyId,
  updatedAt: row.updatedAt.toISOString(),
  definition: row.definition,
});

export function strategyRoutes(app: FastifyInstance, deps: AppDeps) {
  const write = { roles: ['strategist'] } as const;
  const read = { roles: ['strategist', 'supervisor'] } as const;

  app.post<{ Body: unknown }>('/v1/strategies/validate', { schema: validateSchema, config: read }, (req, reply) => {
    const { errors } = check(req.body);
    return reply.send({ valid: errors.length === 0, errors });
  });

  app.put<{ Params: IdParams; Body: unknown }>(
    '/v1/strategies/:id/draft',
    { schema: putDraftSchema, config: write },
    async (req) => {
      const { definition, errors } = check(req.body, req.params.id);
      if (!definition) throw badRequest(errors);
      return draftView(await saveDraft(deps.db, req.params.id, definition, req.principal?.keyId ?? null));
    },
  );

  app.get<{ Params: IdParams }>('/v1/strategies/:id/draft', { schema: getDraftSchema, config: read }, async (req) => {
    const draft = await getDraft(deps.db, req.params.id);
    if (!draft) throw notFound(`A draft of strategy ${req.params.id}`);
    return draftView(draft);
  });

  app.post<{ Params: IdParams }>(
    '/v1/strategies/:id/publish',
    {
      schema: publishSchema,
      config: write,
      // A POST without a body is the usual way to call this; it means the same as `{}`.
      preValidation: (req, _reply, done) => {
        req.body ??= {};
        done();
      },
    },
    async (req, reply) => {
      const draft = await getDraft(deps.db, req.params.id);
      if (!draft) throw notFound(`A draft of strategy ${req.params.id}`);
      // Validated again: the rules (templates, jurisdiction packs) may have changed since it was saved.
      const { definition, errors } = check(draft.definition, req.params.id);
      if (!definition) throw badRequest(errors);
      const version = await publishVersion(deps.db, req.params.id, definition, req.principal?.keyId ?? null);
      return reply
        .code(201)
        .header('location', `/v1/strategies/${req.params.id}/versions/${version}`)
        .send({ id: req.params.id, version });
    },
  );

  app.get('/v1/strategies', { schema: listStrategiesSchema, config: read }, async () => ({
    items: await listStrategies(deps.db),
  }));

  app.get<{ Params: IdParams }>(
    '/v1/strategies/:id/versions',
    { schema: listVersionsSchema, config: read },
    async (req) => {
      const versions = await listVersions(deps.db, req.params.id);
      if (versions.length === 0) throw notFound(`Strategy ${req.params.id}`);
      return {
        id: req.params.id,
        versions: versions.map((v) => ({
          version: v.version,
          publishedAt: v.publishedAt?.toISOString() ?? null,
          builtin: v.builtin,
        })),
      };
    },
  );

  app.get<{ Params: IdParams & { version: number } }>(
    '/v1/strategies/:id/versions/:version',
    { schema: getVersionSchema, config: read },
    async (req) => {
      const found = await loadStrategyVersion(deps.db, req.params.id, req.params.version);
      if (!found) throw notFound(`Version ${req.params.version} of strategy ${req.params.id}`);
      return {
        id: found.id,
        version: found.version,
        builtin: found.builtin,
        publishedAt: found.publishedAt?.toISOString() ?? null,
        definition: found.definition,
      };
    },
  );

  app.get<{ Params: IdParams; Querystring: { from: number; to: number } }>(
    '/v1/strategies/:id/diff',
    { schema: diffSchema, config: read },
    async (req) => {
      const { id } = req.params;
      const [from, to] = await Promise.all([
        loadStrategyVersion(deps.db, id, req.query.from),
        loadStrategyVersion(deps.db, id, req.query.to),
      ]);
      if (!from) throw notFound(`Version ${req.query.from} of strategy ${id}`);
      if (!to) throw notFound(`Version ${req.query.to} of strategy ${id}`);
      return {
        id,
        from: from.version,
        to: to.version,
        changes: jsonDiff(from.definition, to.definition),
        stages: stageDiff(from.definition, to.definition),
      };
    },
  );
}
