import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { AppDeps } from '../app';
import { checkDefaults } from '../imports/portfolio-defaults';
import { detectFormat } from '../imports/file-format';
import {
  createImportJob,
  createImportRunner,
  getImportJob,
  listImportErrors,
  type ImportJobRow,
} from '../imports/jobs';
import { PortfolioFileError } from '../imports/portfolio-parser';
import { badRequest, notFound, ProblemError } from '../problem';
import { createImportSchema, getImportSchema, importErrorsSchema, UPLOAD_TYPES } from '../schemas/imports';
import { validatorCompiler } from '../validation';

const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

type ImportQuery = { filename?: string; country?: string; currency?: string; kind?: 'person' | 'company' };

/** The upload is raw bytes: only the query string is schema-checked, the parser judges the file. */
const uploadValidator: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

function jobView(job: ImportJobRow) {
  return {
    jobId: job.id,
    status: job.status,
    filename: job.filename,
    totalLines: job.totalLines,
    processedLines: job.processedLines,
    succeededLines: job.succeededLines,
    failedLines: job.failedLines,
    error: (job.error as { message: string } | null) ?? null,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

const encodeLine = (line: number) => Buffer.from(`l:${line}`).toString('base64url');
function decodeLine(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^l:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw badRequest([{ field: 'querystring.cursor', message: 'is not a cursor this API gave out' }]);
  return Number(match[1]);
}

export function importRoutes(app: FastifyInstance, deps: AppDeps) {
  const runner = createImportRunner({ db: deps.db, outbox: deps.outbox, log: app.log });
  app.addContentTypeParser([...UPLOAD_TYPES], { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) =>
    done(null, body),
  );
  app.addHook('onReady', async () => {
    const marked = await runner.recoverInterrupted().catch((err: unknown) => {
      app.log.warn({ err: (err as Error).message }, 'could not check for interrupted import jobs');
      return 0;
    });
    if (marked > 0) app.log.warn({ marked }, 'import jobs interrupted by an earlier stop were marked failed');
  });
  app.addHook('onClose', () => runner.stop());

  app.post<{ Querystring: ImportQuery; Body: Buffer }>(
    '/v1/imports',
    {
      schema: createImportSchema,
      validatorCompiler: uploadValidator,
      config: { roles: ['system'] },
      bodyLimit: MAX_UPLOAD_BYTES,
    },
    async (req, reply) => {
      const bytes = req.body;
      if (!Buffer.isBuffer(bytes)) {
        throw new ProblemError(
          415,
          'Unsupported Media Type',
          `Send the file as the raw body with Content-Type ${UPLOAD_TYPES.join(' or ')}.`,
        );
      }
      const { filename, country, currency, kind } = req.query;
      const contentType = req.headers['content-type'] ?? null;
      try {
        detectFormat(bytes, filename, contentType ?? undefined);
        checkDefaults({ country, currency, kind });
      } catch (err) {
        if (!(err instanceof PortfolioFileError)) throw err;
        if (err.errors.length > 0)
          throw badRequest(
            err.errors.map((e) => ({ field: e.field.replace(/^defaults\./, 'querystring.'), message: e.message })),
          );
        throw new ProblemError(400, 'Bad Request', err.message);
      }
      const job = await createImportJob(deps.db, {
        filename: filename ?? null,
        contentType,
        createdBy: req.principal?.keyId ?? null,
      });
      runner.start(job.id, {
        bytes,
        ...(filename ? { filename } : {}),
        ...(contentType ? { contentType } : {}),
        defaults: { ...(country ? { country } : {}), ...(currency ? { currency } : {}), ...(kind ? { kind } : {}) },
      });
      return reply.code(202).header('location', `/v1/imports/${job.id}`).send({ jobId: job.id, status: job.status });
    },
  );

  app.get<{ Params: { jobId: string } }>(
    '/v1/imports/:jobId',
    { schema: getImportSchema, config: { roles: ['system', 'supervisor'] } },
    async (req) => {
      const job = await getImportJob(deps.db, req.params.jobId);
      if (!job) throw notFound(`Import job ${req.params.jobId}`);
      return jobView(job);
    },
  );

  app.get<{ Params: { jobId: string }; Querystring: { limit: number; cursor?: string } }>(
    '/v1/imports/:jobId/errors',
    { schema: importErrorsSchema, config: { roles: ['system', 'supervisor'] } },
    async (req) => {
      const job = await getImportJob(deps.db, req.params.jobId);
      if (!job) throw notFound(`Import job ${req.params.jobId}`);
      const rows = await listImportErrors(deps.db, job.id, decodeLine(req.query.cursor), req.query.limit + 1);
      const page = rows.slice(0, req.query.limit);
      const last = page.at(-1);
      return { items: page, nextCursor: rows.length > req.query.limit && last ? encodeLine(last.line) : null };
    },
  );
}
