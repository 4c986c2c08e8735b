// Simulation for the strategy editor: one debtor's journey under a draft (POST /v1/strategies/simulate) and a
// draft's KPIs against the published version over one portfolio (POST /v1/strategies/{id}/portfolio-simulation).
// Both run the production decision core on a simulated clock (strategies/simulate.ts, strategies/portfolio.ts).
import type { FastifyInstance } from 'fastify';
import { getDraft, loadStrategyVersion } from '../../lib/strategies/store';
import { parsePortfolio, runPortfolio } from '../../strategies/portfolio';
import { samplePortfolio } from '../../strategies/sample-portfolio';
import { parseScenario, publishedVersionRef, simulate } from '../../strategies/simulate';
import type { AppDeps } from '../app';
import { badRequest, notFound, unprocessable, type FieldError } from '../problem';
import { MAX_SIMULATED_DAYS, portfolioSimulationSchema, simulateSchema } from '../schemas/strategy-simulation';

/** A core path (`strategy.stages[0].id`, `invoices[0].amount`) as a field of this body. */
function fieldOf(path: string, prefix: string, definitionGiven: boolean): string {
  if (definitionGiven && /^strategy(\.|\[|$)/.test(path))
    return path.replace(/^strategy\.?/, 'definition.').replace(/\.$/, '');
  return `${prefix}.${path || '(body)'}`;
}

const DAY_MS = 86_400_000;

export function strategySimulationRoutes(app: FastifyInstance, deps: AppDeps) {
  const config = { roles: ['strategist'] } as const;

  app.post<{ Body: { scenario: Record<string, unknown>; definition?: Record<string, unknown> } }>(
    '/v1/strategies/simulate',
    { schema: simulateSchema, config },
    async (req) => {
      const input: Record<string, unknown> = { ...req.body.scenario };
      if (req.body.definition) input.strategy = req.body.definition;
      const ref = publishedVersionRef(input.strategy);
      let strategyVersion: number | undefined;
      if (ref) {
        const published = await loadStrategyVersion(deps.db, ref.id, ref.version);
        if (!published)
          throw badRequest([{ field: 'scenario.strategy', message: `no published version ${ref.id}@${ref.version}` }]);
        input.strategy = published.definition;
        strategyVersion = published.version;
      }
      const parsed = parseScenario(input, strategyVersion === undefined ? {} : { strategyVersion });
      if (!parsed.ok)
        throw badRequest(
          parsed.errors.map((e) => ({
            field: fieldOf(e.path, 'scenario', Boolean(req.body.definition)),
            message: e.message,
          })),
        );
      if (parsed.scenario.until - parsed.scenario.start > MAX_SIMULATED_DAYS * DAY_MS)
        throw badRequest([{ field: 'scenario.until', message: `is more than ${MAX_SIMULATED_DAYS} days after start` }]);
      return simulate(parsed.scenario);
    },
  );

  app.post<{
    Params: { id: string };
    Body: {
      definition?: Record<string, unknown>;
      portfolio?: { start: string; until: string; accounts: Record<string, unknown>[] };
      sampleSize: number;
      seed: number;
    };
  }>('/v1/strategies/:id/portfolio-simulation', { schema: portfolioSimulationSchema, config }, async (req) => {
    const { id } = req.params;
    const published = await loadStrategyVersion(deps.db, id);
    if (!published) throw notFound(`Strategy ${id}`);
    const draft = req.body.definition ?? (await getDraft(deps.db, id))?.definition;
    if (!draft)
      throw unprocessable(`Strategy ${id} has no saved draft; send the draft as \`definition\`.`, {
        reason: 'no_draft',
      });
    const generated = req.body.portfolio === undefined;
    const input = req.body.portfolio ?? samplePortfolio({ size: req.body.sampleSize, seed: req.body.seed });
    const run = (strategy: unknown, strategyVersion: number, definitionGiven: boolean) => {
      const parsed = parsePortfolio({ ...input, strategy }, { strategyVersion });
      if (!parsed.ok) {
        const errors: FieldError[] = parsed.errors.map((e) => ({
          field: fieldOf(e.path, 'portfolio', definitionGiven),
          message: e.message,
        }));
        throw badRequest(errors);
      }
      const p = parsed.portfolio;
      if (p.scenarios.some((s) => s.until - s.start > MAX_SIMULATED_DAYS * DAY_MS))
        throw badRequest([
          { field: 'portfolio.until', message: `is more than ${MAX_SIMULATED_DAYS} days after start` },
        ]);
      return { portfolio: p, result: runPortfolio(p) };
    };
    const mine = run(draft, published.version + 1, true);
    const theirs = run(published.definition, published.version, false);
    return {
      portfolio: {
        accounts: mine.portfolio.scenarios.length,
        from: mine.portfolio.from,
        to: mine.portfolio.to,
        generated,
        seed: generated ? req.body.seed : null,
      },
      draft: { kpis: mine.result.kpis },
      published: { version: published.version, kpis: theirs.result.kpis },
    };
  });
}
