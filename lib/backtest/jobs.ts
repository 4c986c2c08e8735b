// Backtests as background jobs inside the API process: the request is answered at once with the job,
// then the accounts are read from PostgreSQL a chunk at a time, replayed through the version under test
// (strategies/backtest.ts) and counted in the job's progress; the figures are stored when all are done.
//
// Nothing of a job lives only in memory but its run: each running job holds a PostgreSQL advisory lock,
// and at start-up a queued or running job whose lock nobody holds is marked failed (ask again: the same
// period and sample replay the same accounts).
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { backtestJobs } from '../../db/schema';
import {
  backtestFigures,
  contactsOf,
  endOfLocalDate,
  inPeriod,
  replayAccount,
  type BacktestFigures,
  type VersionUnderTest,
} from '../../strategies/backtest';
import type { AccountTimeline } from '../../strategies/kpis';
import { backgroundSet, jobOwner } from '../jobs/owned';
import { loadStrategyVersion } from '../strategies/store';
import { activeAccountIds, recordedAccounts, type BacktestScope } from './records';

/** Accounts read and replayed together (one progress step). */
const CHUNK_ACCOUNTS = 100;
/** First key of the two-key advisory locks that mark a job as owned by a live process. */
const LOCK_CLASS = 0x1b7e;
const INTERRUPTED =
  'interrupted by a process stop; ask for the backtest again (the same sample replays the same accounts)';

export type BacktestJobRow = typeof backtestJobs.$inferSelect;

export interface BacktestResult {
  /** Accounts replayed; `notReplayed` had no invoice to open with. */
  accounts: number;
  notReplayed: number;
  /** Accounts whose contacts in the period (when, which channel) differ between actual and simulated. */
  accountsWithOtherContacts: number;
  /** The simulated clock stopped here: the end of `to`, or the job's start when `to` is today or later. */
  replayedUntil: string;
  actual: BacktestFigures;
  simulated: BacktestFigures;
}

export async function createBacktestJob(
  db: Db,
  job: { strategyId: string; strategyVersion: number; createdBy: string | null } & BacktestScope,
): Promise<BacktestJobRow> {
  const [row] = await db
    .insert(backtestJobs)
    .values({
      strategyId: job.strategyId,
      strategyVersion: job.strategyVersion,
      fromDate: job.from,
      toDate: job.to,
      sample: job.sample ?? null,
      collectedUnder: job.collectedUnder ?? null,
      createdBy: job.createdBy,
    })
    .returning();
  if (!row) throw new Error('backtest job insert returned nothing');
  return row;
}

export async function getBacktestJob(db: Db, id: string): Promise<BacktestJobRow | undefined> {
  const [row] = await db.select().from(backtestJobs).where(eq(backtestJobs.id, id));
  return row;
}

/** Replays the accounts and adds up both sides; `progress` is told after each chunk. */
export async function runBacktest(
  db: Db,
  under: VersionUnderTest,
  scope: BacktestScope,
  now: number,
  progress: (done: number, total: number) => Promise<void>,
): Promise<BacktestResult> {
  const ids = await activeAccountIds(db, scope);
  await progress(0, ids.length);
  const period = { from: scope.from, to: scope.to };
  const actual: AccountTimeline[] = [];
  const simulated: AccountTimeline[] = [];
  let notReplayed = 0;
  let otherContacts = 0;
  let latest = 0;
  for (let i = 0; i < ids.length; i += CHUNK_ACCOUNTS) {
    for (const account of await recordedAccounts(db, ids.slice(i, i + CHUNK_ACCOUNTS), scope.to)) {
      const until = Math.min(endOfLocalDate(scope.to, account.zone), now);
      latest = Math.max(latest, until);
      const replayed = replayAccount(account, under, until);
      if (!replayed) {
        notReplayed += 1;
        continue;
      }
      // Only the period's entries are kept: the figures count nothing else, and memory stays small.
      actual.push({ currency: account.currency, timeline: inPeriod(account.timeline, period) });
      simulated.push({ currency: account.currency, timeline: inPeriod(replayed, period) });
      if (contactsOf(account.timeline, period).join('\n') !== contactsOf(replayed, period).join('\n'))
        otherContacts += 1;
    }
    await progress(Math.min(i + CHUNK_ACCOUNTS, ids.length), ids.length);
    // The replay is CPU work in the API process: let requests in between chunks.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return {
    accounts: actual.length,
    notReplayed,
    accountsWithOtherContacts: otherContacts,
    replayedUntil: new Date(latest || now).toISOString(),
    actual: backtestFigures(actual, period),
    simulated: backtestFigures(simulated, period),
  };
}

export interface BacktestRunner {
  /** Starts the job in the background; it never throws to the caller. */
  start(job: BacktestJobRow): void;
  /** Marks queued/running jobs that no live process owns as failed. */
  recoverInterrupted(): Promise<number>;
  /** Stops running jobs after their current chunk (they end `failed`, interrupted) and waits for them. */
  stop(): Promise<void>;
}

class Interrupted extends Error {}

export function createBacktestRunner(deps: { db: Db; log: { error(obj: object, msg: string): void } }): BacktestRunner {
  const { db } = deps;
  const owner = jobOwner(db, { table: 'backtest_jobs', lockClass: LOCK_CLASS, interruptedMessage: INTERRUPTED });
  const background = backgroundSet(deps.log, 'backtest');
  let stopping = false;
  const update = (id: string, set: Partial<typeof backtestJobs.$inferInsert>) =>
    db.update(backtestJobs).set(set).where(eq(backtestJobs.id, id));

  async function run(job: BacktestJobRow): Promise<void> {
    try {
      await update(job.id, { status: 'running', startedAt: new Date() });
      const found = await loadStrategyVersion(db, job.strategyId, job.strategyVersion);
      if (!found) throw new Error(`strategy ${job.strategyId} v${job.strategyVersion} is gone`);
      const scope = { from: job.fromDate, to: job.toDate, sample: job.sample, collectedUnder: job.collectedUnder };
      // The simulated clock stops on a whole second, as the workflow's business instants do.
      const now = Math.floor(Date.now() / 1000) * 1000;
      const result = await runBacktest(db, found, scope, now, async (done, total) => {
        if (stopping) throw new Interrupted(INTERRUPTED);
        await update(job.id, { doneAccounts: done, totalAccounts: total });
      });
      await update(job.id, { status: 'completed', result, finishedAt: new Date() });
    } catch (err) {
      const message = err instanceof Interrupted ? INTERRUPTED : 'the backtest stopped on an internal error';
      if (!(err instanceof Interrupted))
        deps.log.error({ err: (err as Error).message, jobId: job.id }, 'backtest failed');
      await update(job.id, { status: 'failed', error: { message }, finishedAt: new Date() }).catch(() => undefined);
    }
  }

  return {
    start(job) {
      background.start(job.id, () => owner.hold(job.id, () => run(job)));
    },
    recoverInterrupted: () => owner.recoverInterrupted(),
    async stop() {
      stopping = true;
      await background.drain();
    },
  };
}
