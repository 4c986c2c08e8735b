// Bank statements as background jobs inside the API process, like portfolio imports: the upload is answered
// at once with a job; the file is read whole (a file the readers cannot read fails before any line counts),
// then stored and matched in chunks. A line already stored (the same statement uploaded again, or the day's
// camt.053 after its camt.054 notifications) changes nothing. Credits above the threshold are applied at once;
// the rest wait in the queue with their suggestions; money out is set aside, a reversal waits with its reason.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { statementJobErrors, statementJobs, statementLines } from '../../db/schema';
import { backgroundSet, jobOwner } from '../jobs/owned';
import { jsonbSafe } from '../jsonb';
import type { OutboxRelay } from '../outbox/relay';
import { applyStatementLine, type PaymentRecorder } from '../reconcile/apply';
import { reverseStatementLine } from '../reconcile/reverse';
import { loadNameIndex, matchLines } from '../reconcile/store';
import { keyLines, parseStatement, StatementFileError, type StatementDefaults, type StatementLine } from './index';

const CHUNK_LINES = 1000;
const LOCK_CLASS = 0x5e7a;
const INTERRUPTED =
  'interrupted by a process stop; upload the statement again (stored lines are recognised by their key)';

export type StatementJobRow = typeof statementJobs.$inferSelect;

export interface StatementDeps {
  db: Db;
  outbox: Pick<OutboxRelay, 'taskQueue' | 'dispatchRows' | 'dispatchNow'>;
  recordPayment: PaymentRecorder;
  autoThreshold: number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export async function createStatementJob(
  db: Db,
  job: { filename: string | null; createdBy: string | null },
): Promise<StatementJobRow> {
  const [row] = await db.insert(statementJobs).values(job).returning();
  if (!row) throw new Error('statement job insert returned nothing');
  return row;
}

export async function getStatementJob(db: Db, id: string): Promise<StatementJobRow | undefined> {
  const [row] = await db.select().from(statementJobs).where(eq(statementJobs.id, id));
  return row;
}

export async function listStatementJobErrors(db: Db, jobId: string, limit: number) {
  return db
    .select({ line: statementJobErrors.line, errors: statementJobErrors.errors, raw: statementJobErrors.raw })
    .from(statementJobErrors)
    .where(eq(statementJobErrors.jobId, jobId))
    .orderBy(statementJobErrors.line)
    .limit(limit);
}

async function findReversedLine(db: Db, line: StatementLine): Promise<string | null> {
  const conditions = [
    line.endToEndId ? sql`end_to_end_id = ${line.endToEndId}` : null,
    line.counterpartyAccount ? sql`counterparty_account = ${line.counterpartyAccount}` : null,
  ].filter((c) => c !== null);
  if (conditions.length === 0) return null;
  const rows = await db.execute<{ id: string }>(sql`
    select id from statement_lines
    where amount_minor = ${-line.amountMinor} and reversal = false and bank = ${line.bank} and account = ${line.account}
      and (${sql.join(conditions, sql` or `)})
    order by booking_date desc limit 1`);
  return rows[0]?.id ?? null;
}

export interface StatementRunner {
  start(jobId: string, bytes: Buffer, defaults: StatementDefaults): void;
  recoverInterrupted(): Promise<number>;
  stop(): Promise<void>;
}

export function createStatementRunner(deps: StatementDeps, options: { chunkLines?: number } = {}): StatementRunner {
  const { db } = deps;
  const owner = jobOwner(db, { table: 'statement_jobs', lockClass: LOCK_CLASS, interruptedMessage: INTERRUPTED });
  const background = backgroundSet(deps.log, 'statement job');
  const chunkLines = options.chunkLines ?? CHUNK_LINES;
  let stopping = false;

  const update = (id: string, set: Partial<typeof statementJobs.$inferInsert>) =>
    db.update(statementJobs).set(set).where(eq(statementJobs.id, id));

  async function storeChunk(jobId: string, chunk: { key: string; line: StatementLine }[]) {
    const inserted = await db
      .insert(statementLines)
      .values(
        chunk.map(({ key, line }) => ({
          key,
          jobId,
          bank: line.bank,
          account: line.account,
          currency: line.currency,
          bookingDate: line.bookingDate,
          valueDate: line.valueDate,
          amountMinor: line.amountMinor,
          reversal: line.reversal,
          bankReference: line.bankReference,
          endToEndId: line.endToEndId,
          remittance: line.remittance,
          counterpartyName: line.counterpartyName,
          counterpartyTaxId: line.counterpartyTaxId,
          counterpartyAccount: line.counterpartyAccount,
          // Money out that reverses nothing (fees, transfers we made) is no debtor's payment.
          ...(line.amountMinor < 0 && !line.reversal
            ? { status: 'ignored' as const, ignoredReason: 'money out: not a debtor payment' }
            : {}),
        })),
      )
      .onConflictDoNothing({ target: statementLines.key })
      .returning({ id: statementLines.id, key: statementLines.key });
    const ids = new Map(inserted.map((r) => [r.key, r.id]));
    const fresh = chunk.flatMap((c) => (ids.has(c.key) ? [{ id: ids.get(c.key) ?? '', line: c.line }] : []));
    let applied = 0;
    let queued = 0;

    const credits = fresh.filter((f) => f.line.amountMinor > 0 && !f.line.reversal);
    if (credits.length > 0) {
      const names = await loadNameIndex(db, [...new Set(credits.map((c) => c.line.currency))]);
      const { decisions } = await matchLines(
        db,
        credits.map((c) => c.line),
        names,
        deps.autoThreshold,
      );
      for (const [i, { id }] of credits.entries()) {
        const { candidates, decision } = decisions[i]!;
        const suggestions = candidates.slice(0, 5).map((c) => ({ ...c, accountId: null }));
        if (decision.kind === 'apply') {
          const c = decision.candidate;
          const outcome = await applyStatementLine(
            { db, taskQueue: deps.outbox.taskQueue, recordPayment: deps.recordPayment },
            id,
            { debtorId: c.debtorId, invoiceIds: c.invoiceIds },
            { automatic: true, score: c.score, reasons: c.reasons },
          ).catch((err: unknown) => ({ ok: false as const, message: (err as Error).message }));
          if (outcome.ok) {
            applied += 1;
            await db.update(statementLines).set({ suggestions }).where(eq(statementLines.id, id));
            await deps.outbox.dispatchRows(outcome.outboxRows).catch((err: unknown) => {
              deps.log.warn({ err: (err as Error).message, jobId }, 'statement payment left to the outbox relay');
            });
            continue;
          }
          await db
            .update(statementLines)
            .set({ suggestions, queueReason: `not applied: ${outcome.message}` })
            .where(eq(statementLines.id, id));
          queued += 1;
          continue;
        }
        await db
          .update(statementLines)
          .set({ suggestions, queueReason: decision.reason })
          .where(eq(statementLines.id, id));
        queued += 1;
      }
    }
    // After the credits: a statement may hold a transfer and its return.
    for (const { id, line } of fresh.filter((f) => f.line.reversal)) {
      const reverses = await findReversedLine(db, line);
      await db.update(statementLines).set({ reversesLineId: reverses }).where(eq(statementLines.id, id));
      const outcome = await reverseStatementLine(db, deps.outbox.taskQueue, id);
      if (outcome.ok) {
        applied += 1;
        await deps.outbox.dispatchNow(outcome.outboxIds, { waitMs: 0 }).catch((err: unknown) => {
          deps.log.warn({ err: (err as Error).message, jobId }, 'statement reversal left to the outbox relay');
        });
      } else {
        await db.update(statementLines).set({ queueReason: outcome.reason }).where(eq(statementLines.id, id));
        queued += 1;
      }
    }
    return { created: fresh.length, repeated: chunk.length - fresh.length, applied, queued };
  }

  async function run(jobId: string, bytes: Buffer, defaults: StatementDefaults): Promise<void> {
    await owner.hold(jobId, async () => {
      try {
        await update(jobId, { status: 'running', startedAt: new Date() });
        const parsed = await parseStatement(bytes, defaults);
        await update(jobId, { format: parsed.format, totalLines: parsed.lines.length });
        const bad = parsed.lines.flatMap((l) => (l.ok ? [] : [l]));
        if (bad.length > 0)
          await db
            .insert(statementJobErrors)
            .values(
              bad.map((b) => ({ jobId, line: b.line, errors: jsonbSafe(b.errors), raw: jsonbSafe(b.raw ?? null) })),
            );
        await update(jobId, { failedLines: bad.length, processedLines: bad.length });
        const keyed = keyLines(parsed.lines).map(({ key, line }) => ({ key, line: line.value }));
        for (let start = 0; start < keyed.length; start += chunkLines) {
          if (stopping) {
            await update(jobId, { status: 'failed', error: { message: INTERRUPTED }, finishedAt: new Date() });
            return;
          }
          const chunk = keyed.slice(start, start + chunkLines);
          const r = await storeChunk(jobId, chunk);
          await db
            .update(statementJobs)
            .set({
              processedLines: sql`${statementJobs.processedLines} + ${chunk.length}`,
              newLines: sql`${statementJobs.newLines} + ${r.created}`,
              repeatedLines: sql`${statementJobs.repeatedLines} + ${r.repeated}`,
              appliedLines: sql`${statementJobs.appliedLines} + ${r.applied}`,
              queuedLines: sql`${statementJobs.queuedLines} + ${r.queued}`,
            })
            .where(eq(statementJobs.id, jobId));
        }
        await update(jobId, { status: 'completed', finishedAt: new Date() });
      } catch (err) {
        if (err instanceof StatementFileError) {
          await update(jobId, {
            status: 'failed',
            error: jsonbSafe({ message: err.message, errors: err.errors }),
            finishedAt: new Date(),
          });
        } else {
          deps.log.error(
            { err: (err as Error).message, cause: (err as { cause?: Error }).cause?.message, jobId },
            'statement job failed',
          );
          await update(jobId, {
            status: 'failed',
            error: { message: 'the statement stopped on an internal error; lines before it were kept' },
            finishedAt: new Date(),
          }).catch(() => undefined);
        }
      }
    });
  }

  return {
    start(jobId, bytes, defaults) {
      background.start(jobId, () => run(jobId, bytes, defaults));
    },
    recoverInterrupted: () => owner.recoverInterrupted(),
    async stop() {
      stopping = true;
      await background.drain();
    },
  };
}

/** Lines of one job, for the CLI's summary. */
export async function statementLinesOf(db: Db, jobId: string, statuses: ('unmatched' | 'applied' | 'ignored')[]) {
  return db
    .select()
    .from(statementLines)
    .where(and(eq(statementLines.jobId, jobId), inArray(statementLines.status, statuses)));
}
