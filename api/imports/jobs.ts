// Portfolio imports as background jobs inside the API process: the upload is answered at once, then the
// file is streamed through the parser and ingested in chunks through the batch path. Good lines are
// committed chunk by chunk, so a bad line or a later failure never undoes them.
//
// Before any line is stored the file is read once whole: its line count makes progress meaningful, and a
// file the readers cannot read (an unclosed quote, a zip that is no workbook) fails before any line counts.
// When the job completes, the accounts of the file are run through the decision core to say how many
// enter each stage at once.
//
// The file itself is not stored, so a job cannot resume after its process stops: each running job holds
// a PostgreSQL advisory lock, and at start-up any queued/running job whose lock nobody holds is marked
// failed. Uploading the same file again is safe: lines already imported are recognised by invoice number.
import { and, desc, eq, sql } from 'drizzle-orm';
import { backgroundSet, jobOwner } from '../../lib/jobs/owned';
import { jsonbSafe } from '../../lib/jsonb';
import type { Db } from '../../db/client';
import { importJobErrors, importJobs } from '../../db/schema';
import type postgres from 'postgres';
import type { FieldError } from '../problem';
import { mergeChunk, type MergeLine } from './bulk-merge';
import { checkInvoice, type BatchDeps } from './invoice-batch';
import { countPortfolioLines, parsePortfolio, PortfolioFileError, type PortfolioInput } from './portfolio-parser';
import { stageForecast } from './stage-forecast';

/** Lines stored (and counted in the job's progress) together, in one transaction of a few set statements. */
const CHUNK_LINES = 5000;
/** First key of the two-key advisory locks that mark a job as owned by a live process. */
const LOCK_CLASS = 0x1a9b;
const INTERRUPTED =
  'interrupted by a process stop; upload the file again (imported lines are recognised by invoice number)';

export type ImportJobRow = typeof importJobs.$inferSelect;

export async function createImportJob(
  db: Db,
  job: { filename: string | null; contentType: string | null; createdBy: string | null },
): Promise<ImportJobRow> {
  const [row] = await db.insert(importJobs).values(job).returning();
  if (!row) throw new Error('import job insert returned nothing');
  return row;
}

export async function getImportJob(db: Db, id: string): Promise<ImportJobRow | undefined> {
  const [row] = await db.select().from(importJobs).where(eq(importJobs.id, id));
  return row;
}

/** Newest first; `before` is the (created_at as PostgreSQL prints it, id) of the previous page's last job. */
export async function listImportJobs(db: Db, before: [string, string] | undefined, limit: number) {
  return db
    .select({ job: importJobs, cursorAt: sql<string>`${importJobs.createdAt}::text` })
    .from(importJobs)
    .where(
      before
        ? sql`(${importJobs.createdAt}, ${importJobs.id}) < (${before[0]}::timestamptz, ${before[1]}::uuid)`
        : undefined,
    )
    .orderBy(desc(importJobs.createdAt), desc(importJobs.id))
    .limit(limit);
}

export async function listImportErrors(db: Db, jobId: string, afterLine: number, limit: number) {
  return db
    .select({ line: importJobErrors.line, errors: importJobErrors.errors, raw: importJobErrors.raw })
    .from(importJobErrors)
    .where(and(eq(importJobErrors.jobId, jobId), sql`${importJobErrors.line} > ${afterLine}`))
    .orderBy(importJobErrors.line)
    .limit(limit);
}

interface BadLine {
  line: number;
  errors: FieldError[];
  raw: unknown;
}

type GoodLine = { line: number; invoice: unknown };

/** What a chunk changed; the accounts are those the job's stage forecast covers. */
interface ChunkOutcome {
  accountIds: string[];
  outboxIds: number[];
}

/** Deadlocks and serialization failures against parallel writers: the chunk's transaction is simply run again. */
const RETRYABLE = new Set(['40P01', '40001', '23505']);
const MAX_CHUNK_ATTEMPTS = 3;

/** drizzle() keeps its postgres.js client as $client: the chunk's statements go straight to it. */
const clientOf = (db: Db) => (db as Db & { $client: postgres.Sql }).$client;

/**
 * One transaction per chunk: its lines merged by set (api/imports/bulk-merge.ts), its bad lines and the
 * job's counters, so progress never counts a line that is not stored.
 */
async function processChunk(deps: BatchDeps, jobId: string, good: GoodLine[], bad: BadLine[]): Promise<ChunkOutcome> {
  const lines = good.length + bad.length;
  const checked: MergeLine[] = [];
  const byLine = new Map<number, unknown>();
  const refused: BadLine[] = [...bad];
  for (const { line, invoice } of good) {
    byLine.set(line, invoice);
    const { value, errors } = checkInvoice(invoice, '');
    if (value) checked.push({ line, value });
    else refused.push({ line, errors, raw: invoice });
  }
  const sql = clientOf(deps.db);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sql.begin(async (tx) => {
        const merged = await mergeChunk(tx, deps.outbox.taskQueue, checked);
        const failed = [
          ...refused,
          ...merged.failed.map((f) => ({ line: f.line, errors: f.errors, raw: byLine.get(f.line) ?? null })),
        ].sort((a, b) => a.line - b.line);
        if (failed.length > 0)
          await tx`
            insert into import_job_errors (job_id, line, errors, raw)
            select ${jobId}::uuid, l, e::jsonb, r::jsonb
            from unnest(${failed.map((f) => f.line)}::int[], ${failed.map((f) => JSON.stringify(jsonbSafe(f.errors)))}::text[],
                        ${failed.map((f) => JSON.stringify(jsonbSafe(f.raw ?? null)))}::text[]) as u(l, e, r)`;
        const stored = merged.created + merged.repeated;
        await tx`
          update import_jobs set processed_lines = processed_lines + ${lines},
            succeeded_lines = succeeded_lines + ${stored}, new_lines = new_lines + ${merged.created},
            repeated_lines = repeated_lines + ${merged.repeated}, failed_lines = failed_lines + ${failed.length}
          where id = ${jobId}`;
        return { accountIds: merged.accountIds, outboxIds: merged.outboxIds };
      });
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= MAX_CHUNK_ATTEMPTS || !code || !RETRYABLE.has(code)) throw err;
      deps.log.warn({ code, jobId, attempt }, 'import chunk retried after a conflict with a parallel writer');
    }
  }
}

export interface ImportRunner {
  /** Starts the job in the background; it never throws to the caller. */
  start(jobId: string, input: PortfolioInput): void;
  /** Marks queued/running jobs that no live process owns as failed. */
  recoverInterrupted(): Promise<number>;
  /** Stops running jobs after their current chunk (they end `failed`, interrupted) and waits for them. */
  stop(): Promise<void>;
}

export function createImportRunner(deps: BatchDeps, options: { chunkLines?: number } = {}): ImportRunner {
  const { db } = deps;
  const chunkLines = options.chunkLines ?? CHUNK_LINES;
  const owner = jobOwner(db, { table: 'import_jobs', lockClass: LOCK_CLASS, interruptedMessage: INTERRUPTED });
  const background = backgroundSet(deps.log, 'import job');
  let stopping = false;

  async function finish(
    jobId: string,
    status: 'completed' | 'failed',
    error: unknown,
    stages: Record<string, number> | null = null,
  ): Promise<void> {
    await db
      .update(importJobs)
      .set({
        status,
        error: error === undefined || error === null ? null : jsonbSafe(error),
        stages,
        finishedAt: new Date(),
        totalLines: sql`${importJobs.processedLines}`,
      })
      .where(eq(importJobs.id, jobId));
  }

  async function run(jobId: string, input: PortfolioInput): Promise<void> {
    try {
      await db.update(importJobs).set({ status: 'running', startedAt: new Date() }).where(eq(importJobs.id, jobId));
      const totalLines = await countPortfolioLines(input);
      await db.update(importJobs).set({ totalLines }).where(eq(importJobs.id, jobId));
      let good: GoodLine[] = [];
      let bad: BadLine[] = [];
      const accountIds = new Set<string>();
      // While a chunk is stored (PostgreSQL's CPU) the next one is parsed and checked (ours): one in flight.
      let storing: Promise<void> = Promise.resolve();
      let storeFailure: { err: unknown } | undefined;
      const stored = async () => {
        await storing;
        if (storeFailure) throw storeFailure.err;
      };
      const flush = async () => {
        const [g, b] = [good, bad];
        good = [];
        bad = [];
        if (g.length + b.length === 0) return;
        await stored();
        storing = (async () => {
          const outcome = await processChunk(deps, jobId, g, b);
          for (const id of outcome.accountIds) accountIds.add(id);
          // Handed to the outbox, not awaited: it starts the workflows at the rate Temporal takes while
          // the next chunks go in; what it cannot take now the relay delivers after the rows' grace.
          await deps.outbox.dispatchNow(outcome.outboxIds, { waitMs: 0 }).catch((err: unknown) => {
            deps.log.warn({ err: (err as Error).message, jobId }, 'import workflow messages left to the outbox relay');
          });
        })().catch((err: unknown) => {
          storeFailure = { err };
        });
      };
      for await (const parsed of parsePortfolio(input)) {
        if (parsed.ok) good.push({ line: parsed.line, invoice: parsed.invoice });
        else bad.push({ line: parsed.line, errors: parsed.errors, raw: parsed.raw });
        if (good.length + bad.length >= chunkLines) await flush();
        if (stopping) break;
      }
      if (stopping) {
        await flush();
        await stored();
        await finish(jobId, 'failed', { message: INTERRUPTED });
        return;
      }
      await flush();
      await stored();
      // The lines are in; a forecast that cannot be made leaves `stages` empty rather than failing the job.
      const stages = await stageForecast(db, accountIds).catch((err: unknown) => {
        deps.log.warn({ err: (err as Error).message, jobId }, 'import stage forecast failed');
        return null;
      });
      await finish(jobId, 'completed', null, stages);
    } catch (err) {
      if (err instanceof PortfolioFileError) {
        await finish(jobId, 'failed', {
          message: err.message,
          errors: err.errors,
          ...(err.headers ? { headers: err.headers } : {}),
        });
      } else {
        deps.log.error({ err: (err as Error).message, jobId }, 'import job failed');
        await finish(jobId, 'failed', {
          message: 'the import stopped on an internal error; lines before it were kept',
        }).catch(() => undefined);
      }
    }
  }

  return {
    start(jobId, input) {
      background.start(jobId, () => owner.hold(jobId, () => run(jobId, input)));
    },
    recoverInterrupted: () => owner.recoverInterrupted(),
    async stop() {
      stopping = true;
      await background.drain();
    },
  };
}
