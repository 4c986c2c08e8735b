import type { FastifyInstance } from 'fastify';
import type { Segmentation } from '../../strategies/index';
import type { AppDeps } from '../app';
import { badRequest } from '../problem';
import { getSegmentationSchema, putSegmentationSchema } from '../schemas/segmentation';
import { checkSegmentation } from '../strategies/segmentation-check';
import { knownStrategyIds, loadSegmentation, publishSegmentation } from '../../lib/strategies/store';

function view(s: Awaited<ReturnType<typeof loadSegmentation>>) {
  return {
    version: s.version,
    publishedAt: s.publishedAt?.toISOString() ?? null,
    rules: s.segmentation.rules,
    default: s.segmentation.default,
  };
}

export function segmentationRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get(
    '/v1/segmentation',
    { schema: getSegmentationSchema, config: { roles: ['strategist', 'supervisor'] } },
    async () => view(await loadSegmentation(deps.db)),
  );

  app.put<{ Body: Segmentation }>(
    '/v1/segmentation',
    { schema: putSegmentationSchema, config: { roles: ['strategist'] } },
    async (req) => {
      const errors = checkSegmentation(req.body, await knownStrategyIds(deps.db));
      if (errors.length > 0) throw badRequest(errors);
      const version = await publishSegmentation(deps.db, req.body, req.principal?.keyId ?? null);
      return view({ version, segmentation: req.body, publishedAt: new Date() });
    },
  );
}
