// Portfolio imports. Registered as its own encapsulated plugin: the CSV/XLSX/octet-stream parsers (64 MiB)
// and multipart handling exist inside it only, so no other route ever reads a body in those types.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import type { AppDeps } from '../app';
import { decodeCursor, encodeCursor } from '../cursor';
import { checkMapping, unknownMappedHeaders } from '../imports/column-mapping';
import { checkDefaults } from '../imports/portfolio-defaults';
import {
  createImportJob,
  createImportRunner,
  getImportJob,
  listImportErrors,
  listImportJobs,
  type ImportJobRow,
} from '../imports/jobs';
import { PortfolioFileError, readPortfolioHeader } from '../imports/portfolio-parser';
import { MULTIPART_LIMITS, readUpload, type Upload } from '../imports/upload';
import { badRequest, notFound, ProblemError, type FieldError } from '../problem';
import {
  createImportSchema,
  getImportSchema,
  importErrorsSchema,
  listImportsSchema,
  uploadOptionsSchema,
  UPLOAD_TYPES,
  type UploadOptions,
} from '../schemas/imports';
import { fieldErrors, validatorCompiler } from '../validation';

const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

/** The upload is raw bytes or a form: only the query string is schema-checked here, the parser judges the file. */
const uploadValidator: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

/** A form's text fields get the same checks as the query parameters they stand for. */
const validateOptions = validatorCompiler({
  schema: uploadOptionsSchema,
  httpPart: 'querystring',
  method: 'POST',
  url: '/v1/imports',
}) as ((data: unknown) => boolean) & { errors?: Parameters<typeof fieldErrors>[0] | null };

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function jobView(job: ImportJobRow) {
  return {
    jobId: job.id,
    status: job.status,
    filename: job.filename,
    totalLines: job.totalLines,
    processedLines: job.processedLines,
    succeededLines: job.succeededLines,
    failedLines: job.failedLines,
    newLines: job.newLines,
    repeatedLines: job.repeatedLines,
    summary: `${job.newLines.toLocaleString('en-US')} new, ${plural(job.repeatedLines, 'identical repeat')}, ${job.failedLines.toLocaleString('en-US')} refused`,
    stages: job.stages ?? null,
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

function fileProblem(err: PortfolioFileError, upload: Upload): ProblemError {
  if (err.errors.length === 0) return new ProblemError(400, 'Bad Request', err.message);
  return badRequest(
    err.errors.map((e) => {
      const [name, ...rest] = e.field.replace(/^defaults\./, '').split('.');
      const option = name === 'mapping' || name === 'country' || name === 'currency' || name === 'kind' ? name : null;
      return { field: option ? [upload.fieldPath(option), ...rest].join('.') : e.field, message: e.message };
    }),
  );
}

/** Everything that can be judged before the job starts: options, mapping, and a header row that can be read. */
async function checkUpload(upload: Upload) {
  const { options } = upload;
  if (!validateOptions(options)) {
    throw badRequest(
      fieldErrors(validateOptions.errors ?? [], '').map((e) => {
        const [name, ...rest] = e.field.split('.');
        return { ...e, field: [upload.fieldPath(name as keyof UploadOptions), ...rest].join('.') };
      }),
    );
  }
  let raw: unknown;
  if (options.mapping !== undefined) {
    try {
      raw = JSON.parse(options.mapping);
    } catch {
      throw badRequest([{ field: upload.fieldPath('mapping'), message: 'must be a JSON object from field to header' }]);
    }
  }
  const kind = options.kind as 'person' | 'company' | undefined;
  const input = {
    bytes: upload.bytes,
    ...(options.filename ? { filename: options.filename } : {}),
    ...(upload.contentType ? { contentType: upload.contentType } : {}),
    defaults: {
      ...(options.country ? { country: options.country } : {}),
      ...(options.currency ? { currency: options.currency } : {}),
      ...(kind ? { kind } : {}),
    },
  };
  // Both checked before either is reported, so one answer names every bad option.
  const problems = [() => checkMapping(raw, 'mapping'), () => checkDefaults(input.defaults)].flatMap((check) => {
    try {
      check();
      return [];
    } catch (err) {
      if (err instanceof PortfolioFileError) return err.errors;
      throw err;
    }
  });
  if (problems.length > 0) throw fileProblem(new PortfolioFileError('invalid upload options', problems), upload);
  try {
    const mapping = checkMapping(raw, 'mapping');
    const header = await readPortfolioHeader({ ...input, mapping });
    const unmapped: FieldError[] = header
      ? unknownMappedHeaders(mapping, header.headers)
      : Object.keys(mapping).map((field) => ({
          field: `mapping.${field}`,
          message: 'cannot be matched: no header row was found in the first lines of the file',
        }));
    if (unmapped.length > 0) throw new PortfolioFileError('mapped headers not in the file', unmapped);
    return { ...input, mapping };
  } catch (err) {
    if (err instanceof PortfolioFileError) throw fileProblem(err, upload);
    throw err;
  }
}

export async function importRoutes(app: FastifyInstance, deps: AppDeps) {
  const runner = createImportRunner({ db: deps.db, outbox: deps.outbox, log: app.log });
  app.addContentTypeParser([...UPLOAD_TYPES], { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES }, (_req, body, done) =>
    done(null, body),
  );
  await app.register(multipart, {
    limits: { ...MULTIPART_LIMITS, fileSize: MAX_UPLOAD_BYTES },
    throwFileSizeLimit: true,
  });
  app.addHook('onReady', async () => {
    const marked = await runner.recoverInterrupted().catch((err: unknown) => {
      app.log.warn({ err: (err as Error).message }, 'could not check for interrupted import jobs');
      return 0;
    });
    if (marked > 0) app.log.warn({ marked }, 'import jobs interrupted by an earlier stop were marked failed');
  });
  app.addHook('onClose', () => runner.stop());

  app.post<{ Querystring: UploadOptions; Body: Buffer }>(
    '/v1/imports',
    {
      schema: createImportSchema,
      validatorCompiler: uploadValidator,
      config: { roles: ['system', 'supervisor'] },
      bodyLimit: MAX_UPLOAD_BYTES,
    },
    async (req, reply) => {
      const upload = await readUpload(req, req.query);
      const input = await checkUpload(upload);
      const job = await createImportJob(deps.db, {
        filename: input.filename ?? null,
        contentType: input.contentType ?? null,
        createdBy: req.principal?.keyId ?? null,
      });
      runner.start(job.id, input);
      return reply.code(202).header('location', `/v1/imports/${job.id}`).send({ jobId: job.id, status: job.status });
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/imports',
    { schema: listImportsSchema, config: { roles: ['system', 'supervisor'] } },
    async (req) => {
      const { limit, cursor } = req.query;
      const before =
        cursor === undefined ? undefined : (decodeCursor(cursor, ['pgTimestamp', 'uuid']) as [string, string]);
      const rows = await listImportJobs(deps.db, before, limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((r) => jobView(r.job)),
        nextCursor: rows.length > limit && last ? encodeCursor([last.cursorAt, last.job.id]) : null,
      };
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
