// Bank statement reconciliation. Its own encapsulated plugin: the XML/text/CSV/octet-stream parsers and the
// multipart handling exist inside it only. Jobs run in the API process (lib/statements/jobs.ts); the queue's
// decisions go through lib/reconcile (payments through the same path as POST /v1/accounts/{id}/payments).
import multipart from '@fastify/multipart';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { debtors, statementLines, type StatementCandidate } from '../../db/schema';
import { applyStatementLine, ignoreStatementLine, type ApplyTarget } from '../../lib/reconcile/apply';
import { checkStatementMapping } from '../../lib/statements/csv';
import {
  createStatementJob,
  createStatementRunner,
  getStatementJob,
  listStatementJobErrors,
} from '../../lib/statements/jobs';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import type { AppDeps } from '../app';
import { recordPayment } from '../accounts/payments';
import { decodeCursor, encodeCursor } from '../cursor';
import { MULTIPART_LIMITS, readUpload } from '../imports/upload';
import { isCurrency, parseAmount } from '../money';
import { badRequest, notFound, ProblemError } from '../problem';
import {
  applySchema,
  createStatementSchema,
  getStatementSchema,
  ignoreSchema,
  STATEMENT_FIELDS,
  STATEMENT_TYPES,
  statementOptionsSchema,
  unmatchedSchema,
  type StatementOptions,
} from '../schemas/statements';
import { fieldErrors, validatorCompiler } from '../validation';

const MAX_UPLOAD_BYTES = 64 * 1024 * 1024;

const uploadValidator: FastifySchemaCompiler<unknown> = (route) =>
  route.httpPart === 'body' ? () => true : validatorCompiler(route);

const validateOptions = validatorCompiler({
  schema: statementOptionsSchema,
  httpPart: 'querystring',
  method: 'POST',
  url: '/v1/statements',
}) as ((data: unknown) => boolean) & { errors?: Parameters<typeof fieldErrors>[0] | null };

type LineRow = typeof statementLines.$inferSelect;

const money = (minor: number, currency: string) => formatMinor(minor, currencyDigits(currency));

function lineView(line: LineRow, names: Map<string, string>) {
  return {
    id: line.id,
    key: line.key,
    bank: line.bank,
    account: line.account,
    currency: line.currency,
    bookingDate: line.bookingDate,
    valueDate: line.valueDate,
    amount: money(line.amountMinor, line.currency),
    reversal: line.reversal,
    bankReference: line.bankReference,
    endToEndId: line.endToEndId,
    remittance: line.remittance,
    counterpartyName: line.counterpartyName,
    counterpartyTaxId: line.counterpartyTaxId,
    counterpartyAccount: line.counterpartyAccount,
    status: line.status,
    queueReason: line.queueReason,
    ignoredReason: line.ignoredReason,
    reversesLineId: line.reversesLineId,
    suggestions: (line.suggestions ?? []).map((s: StatementCandidate) => ({
      debtorId: s.debtorId,
      debtorName: names.get(s.debtorId) ?? null,
      score: s.score,
      reasons: s.reasons,
      invoiceIds: s.invoiceIds,
    })),
    createdAt: line.createdAt.toISOString(),
  };
}

async function debtorNames(deps: AppDeps, lines: LineRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(lines.flatMap((l) => (l.suggestions ?? []).map((s) => s.debtorId)))];
  if (ids.length === 0) return new Map();
  const rows = await deps.db
    .select({ id: debtors.id, name: debtors.name })
    .from(debtors)
    .where(inArray(debtors.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function statementRoutes(app: FastifyInstance, deps: AppDeps) {
  const runner = createStatementRunner({
    db: deps.db,
    outbox: deps.outbox,
    recordPayment,
    autoThreshold: deps.config.reconcile.autoThreshold,
    log: app.log,
  });
  app.addContentTypeParser(
    [...STATEMENT_TYPES],
    { parseAs: 'buffer', bodyLimit: MAX_UPLOAD_BYTES },
    (_req, body, done) => done(null, body),
  );
  await app.register(multipart, {
    limits: { ...MULTIPART_LIMITS, fileSize: MAX_UPLOAD_BYTES },
    throwFileSizeLimit: true,
  });
  app.addHook('onReady', async () => {
    const marked = await runner.recoverInterrupted().catch((err: unknown) => {
      app.log.warn({ err: (err as Error).message }, 'could not check for interrupted statement jobs');
      return 0;
    });
    if (marked > 0) app.log.warn({ marked }, 'statement jobs interrupted by an earlier stop were marked failed');
  });
  app.addHook('onClose', () => runner.stop());

  app.post<{ Querystring: StatementOptions; Body: Buffer }>(
    '/v1/statements',
    {
      schema: createStatementSchema,
      validatorCompiler: uploadValidator,
      config: { roles: ['system', 'supervisor'] },
      bodyLimit: MAX_UPLOAD_BYTES,
    },
    async (req, reply) => {
      const upload = await readUpload(req, req.query, {
        fields: STATEMENT_FIELDS,
        types: STATEMENT_TYPES,
        what: 'the statement file',
      });
      const { options } = upload;
      if (!validateOptions(options)) {
        throw badRequest(
          fieldErrors(validateOptions.errors ?? [], '').map((e) => {
            const [name, ...rest] = e.field.split('.');
            return { ...e, field: [upload.fieldPath(name as keyof StatementOptions), ...rest].join('.') };
          }),
        );
      }
      let mapping: Record<string, string> | undefined;
      if (options.mapping !== undefined) {
        let raw: unknown;
        try {
          raw = JSON.parse(options.mapping);
        } catch {
          raw = null;
        }
        const ok =
          raw !== null &&
          typeof raw === 'object' &&
          !Array.isArray(raw) &&
          Object.values(raw).every((v) => typeof v === 'string' && v.trim() !== '');
        if (!ok)
          throw badRequest([
            { field: upload.fieldPath('mapping'), message: 'must be a JSON object from field to header' },
          ]);
        mapping = raw as Record<string, string>;
        const { errors } = checkStatementMapping(mapping);
        if (errors.length > 0)
          throw badRequest(
            errors.map((e) => ({ ...e, field: e.field.replace(/^mapping/, upload.fieldPath('mapping')) })),
          );
      }
      if (upload.bytes.length === 0) throw new ProblemError(400, 'Bad Request', 'The statement file is empty.');
      const job = await createStatementJob(deps.db, {
        filename: options.filename ?? null,
        createdBy: req.principal?.keyId ?? null,
      });
      runner.start(job.id, upload.bytes, {
        ...(options.bank ? { bank: options.bank } : {}),
        ...(options.account ? { account: options.account } : {}),
        ...(options.currency ? { currency: options.currency } : {}),
        ...(mapping ? { mapping } : {}),
      });
      return reply.code(202).header('location', `/v1/statements/${job.id}`).send({ jobId: job.id, status: job.status });
    },
  );

  app.get<{ Querystring: { limit: number; cursor?: string } }>(
    '/v1/statements/unmatched',
    { schema: unmatchedSchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req) => {
      const { limit, cursor } = req.query;
      const after =
        cursor === undefined ? undefined : (decodeCursor(cursor, ['pgTimestamp', 'uuid']) as [string, string]);
      const rows = await deps.db
        .select({ line: statementLines, cursorAt: sql<string>`${statementLines.createdAt}::text` })
        .from(statementLines)
        .where(
          and(
            eq(statementLines.status, 'unmatched'),
            after
              ? sql`(${statementLines.createdAt}, ${statementLines.id}) > (${after[0]}::timestamptz, ${after[1]}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(statementLines.createdAt), asc(statementLines.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const names = await debtorNames(
        deps,
        page.map((r) => r.line),
      );
      const last = page.at(-1);
      return {
        items: page.map((r) => lineView(r.line, names)),
        nextCursor: rows.length > limit && last ? encodeCursor([last.cursorAt, last.line.id]) : null,
      };
    },
  );

  app.get<{ Params: { jobId: string } }>(
    '/v1/statements/:jobId',
    { schema: getStatementSchema, config: { roles: ['system', 'supervisor'] } },
    async (req) => {
      const job = await getStatementJob(deps.db, req.params.jobId);
      if (!job) throw notFound(`Statement job ${req.params.jobId}`);
      const errors = await listStatementJobErrors(deps.db, job.id, 100);
      return {
        jobId: job.id,
        status: job.status,
        filename: job.filename,
        format: job.format,
        totalLines: job.totalLines,
        processedLines: job.processedLines,
        newLines: job.newLines,
        repeatedLines: job.repeatedLines,
        failedLines: job.failedLines,
        appliedLines: job.appliedLines,
        queuedLines: job.queuedLines,
        errors,
        error: (job.error as { message: string } | null) ?? null,
        createdAt: job.createdAt.toISOString(),
        startedAt: job.startedAt?.toISOString() ?? null,
        finishedAt: job.finishedAt?.toISOString() ?? null,
      };
    },
  );

  app.post<{
    Params: { lineId: string };
    Body: {
      debtorId?: string;
      accountId?: string;
      invoiceIds?: string[];
      splits?: { accountId: string; amount: string }[];
    };
  }>(
    '/v1/statement-lines/:lineId/apply',
    { schema: applySchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req) => {
      const body = req.body;
      const given = (['debtorId', 'accountId', 'invoiceIds', 'splits'] as const).filter((k) => body[k] !== undefined);
      const onlyWithDebtor = given.length === 2 && given.includes('debtorId') && given.includes('invoiceIds');
      if (given.length !== 1 && !onlyWithDebtor)
        throw badRequest([
          {
            field: 'body',
            message: 'give exactly one of debtorId (optionally with invoiceIds), accountId, invoiceIds, splits',
          },
        ]);
      const [line] = await deps.db
        .select({ currency: statementLines.currency })
        .from(statementLines)
        .where(eq(statementLines.id, req.params.lineId));
      if (!line) throw notFound(`Statement line ${req.params.lineId}`);
      let target: ApplyTarget;
      if (body.splits) {
        const splits = body.splits.map((s, i) => {
          const minor = isCurrency(line.currency) ? parseAmount(s.amount, line.currency) : null;
          if (minor === null || minor <= 0)
            throw badRequest([
              {
                field: `body.splits[${i}].amount`,
                message: 'must be a positive decimal with at most the currency’s minor digits',
              },
            ]);
          return { accountId: s.accountId, amountMinor: minor };
        });
        target = { splits };
      } else if (body.accountId) target = { accountId: body.accountId };
      else if (body.debtorId)
        target = { debtorId: body.debtorId, ...(body.invoiceIds ? { invoiceIds: body.invoiceIds } : {}) };
      else target = { invoiceIds: body.invoiceIds ?? [] };
      if ('debtorId' in target) {
        const [d] = await deps.db.select({ id: debtors.id }).from(debtors).where(eq(debtors.id, target.debtorId));
        if (!d)
          throw new ProblemError(422, 'Unprocessable Content', 'No such debtor.', [
            { field: 'body.debtorId', message: 'no such debtor' },
          ]);
      }
      const outcome = await applyStatementLine(
        { db: deps.db, taskQueue: deps.outbox.taskQueue, recordPayment },
        req.params.lineId,
        target,
        { automatic: false, decidedBy: req.principal?.userId ?? null },
      );
      if (!outcome.ok) {
        const errors = outcome.field ? [{ field: `body.${outcome.field}`, message: outcome.message }] : undefined;
        throw new ProblemError(
          outcome.status,
          outcome.status === 404 ? 'Not Found' : outcome.status === 409 ? 'Conflict' : 'Unprocessable Content',
          outcome.message,
          errors,
        );
      }
      await deps.outbox.dispatchRows(outcome.outboxRows).catch((err: unknown) => {
        req.log.warn({ err: (err as Error).message }, 'statement payment left to the outbox relay');
      });
      return {
        lineId: req.params.lineId,
        status: 'applied',
        duplicate: outcome.already,
        applied: outcome.applied.map((a) => ({
          accountId: a.accountId,
          amount: money(a.amountMinor, line.currency),
          invoiceIds: a.invoiceIds,
        })),
        credit: outcome.creditMinor > 0 ? money(outcome.creditMinor, line.currency) : null,
      };
    },
  );

  app.post<{ Params: { lineId: string }; Body: { reason: string } }>(
    '/v1/statement-lines/:lineId/ignore',
    { schema: ignoreSchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req) => {
      const outcome = await ignoreStatementLine(
        deps.db,
        req.params.lineId,
        req.body.reason.trim(),
        req.principal?.userId ?? null,
      );
      if (!outcome.ok) {
        if (outcome.status === 404) throw notFound(`Statement line ${req.params.lineId}`);
        throw new ProblemError(409, 'Conflict', outcome.message);
      }
      return lineView(outcome.line, new Map());
    },
  );
}
