import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { createBacktestJob, createBacktestRunner, getBacktestJob, type BacktestJobRow } from '../../lib/backtest/jobs';
import { countActiveAccounts } from '../../lib/backtest/records';
import { loadStrategyVersion } from '../../lib/strategies/store';
import type { AppDeps } from '../app';
import { badRequest, notFound, ProblemError, type FieldError } from '../problem';
import { getBacktestSchema, MAX_BACKTEST_ACCOUNTS, startBacktestSchema } from '../schemas/backtests';

interface BacktestBody {
  from: string;
  to: string;
  sample?: number;
  collectedUnder?: string;
}

/** The longest period replayed at once, as for the KPIs. */
const MAX_YEARS = 2;
const roles = { roles: ['strategist', 'supervisor'] } as const;

function checkPeriod(body: BacktestBody): void {
  const errors: FieldError[] = [];
  const from = DateTime.fromISO(body.from, { zone: 'UTC' });
  const to = DateTime.fromISO(body.to, { zone: 'UTC' });
  if (!from.isValid) errors.push({ field: 'from', message: 'is not a calendar date' });
  if (!to.isValid) errors.push({ field: 'to', message: 'is not a calendar date' });
  if (from.isValid && to.isValid) {
    if (from > to) errors.push({ field: 'from', message: `is after to (${body.to})` });
    else if (to > from.plus({ years: MAX_YEARS }))
      errors.push({ field: 'to', message: `is more than ${MAX_YEARS} years after from (${body.from})` });
  }
  if (errors.length > 0) throw badRequest(errors);
}

/** A 404 naming the path parameter at fault: the strategy, or only its version. */
async function unknownVersion(deps: AppDeps, id: string, version: number): Promise<ProblemError> {
  const strategy = await loadStrategyVersion(deps.db, id);
  const [field, what] = strategy
    ? ['params.version', `Version ${version} of strategy ${id}`]
    : ['params.id', `Strategy ${id}`];
  const detail = `${what} does not exist.`;
  return new ProblemError(404, 'Not Found', detail, [{ field, message: 'does not exist' }]);
}

function jobView(job: BacktestJobRow) {
  const at = (d: Date | null) => d?.toISOString() ?? null;
  return {
    jobId: job.id,
    status: job.status,
    strategy: { id: job.strategyId, version: job.strategyVersion },
    from: job.fromDate,
    to: job.toDate,
    sample: job.sample,
    collectedUnder: job.collectedUnder,
    progress: { accountsDone: job.doneAccounts, accountsTotal: job.totalAccounts },
    createdAt: job.createdAt.toISOString(),
    startedAt: at(job.startedAt),
    finishedAt: at(job.finishedAt),
    result: job.result ?? null,
    error: job.error ?? null,
  };
}

export function backtestRoutes(app: FastifyInstance, deps: AppDeps) {
  const runner = createBacktestRunner({ db: deps.db, log: app.log });
  app.addHook('onReady', async () => {
    const marked = await runner.recoverInterrupted().catch((err: unknown) => {
      app.log.warn({ err: (err as Error).message }, 'could not check for interrupted backtests');
      return 0;
    });
    if (marked > 0) app.log.warn({ marked }, 'backtests interrupted by an earlier stop were marked failed');
  });
  app.addHook('onClose', () => runner.stop());

  app.post<{ Params: { id: string; version: number }; Body: BacktestBody }>(
    '/v1/strategies/:id/versions/:version/backtest',
    { schema: startBacktestSchema, config: roles },
    async (req, reply) => {
      const { id, version } = req.params;
      checkPeriod(req.body);
      const found = await loadStrategyVersion(deps.db, id, version);
      if (!found) throw await unknownVersion(deps, id, version);
      const scope = { ...req.body, sample: req.body.sample ?? null, collectedUnder: req.body.collectedUnder ?? null };
      if (scope.sample === null) {
        const active = await countActiveAccounts(deps.db, scope);
        if (active > MAX_BACKTEST_ACCOUNTS)
          throw badRequest([
            {
              field: 'sample',
              message: `is needed: ${active} accounts were active in the period, a backtest replays at most ${MAX_BACKTEST_ACCOUNTS}`,
            },
          ]);
      }
      const job = await createBacktestJob(deps.db, {
        ...scope,
        strategyId: found.id,
        strategyVersion: found.version,
        createdBy: req.principal?.keyId ?? null,
      });
      runner.start(job);
      return reply.code(202).header('location', `/v1/backtests/${job.id}`).send(jobView(job));
    },
  );

  app.get<{ Params: { jobId: string } }>(
    '/v1/backtests/:jobId',
    { schema: getBacktestSchema, config: roles },
    async (req) => {
      const job = await getBacktestJob(deps.db, req.params.jobId);
      if (!job) throw notFound(`Backtest ${req.params.jobId}`);
      return jobView(job);
    },
  );
}
