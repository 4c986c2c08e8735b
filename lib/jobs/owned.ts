// Background jobs run inside an API process (portfolio imports, backtests, bank statements) and are owned by it
// through a PostgreSQL advisory lock held on a connection of their own while they run. At start-up, a queued
// or running job whose lock nobody holds belongs to a process that stopped: it is marked failed.
import { sql } from 'drizzle-orm';
import type postgres from 'postgres';
import type { Db } from '../../db/client';

export interface JobOwner {
  /** Runs `fn` while this process holds the job's lock. */
  hold<T>(jobId: string, fn: () => Promise<T>): Promise<T>;
  /** Marks queued (for over a minute) or running jobs that no live process owns as failed; how many. */
  recoverInterrupted(): Promise<number>;
}

/**
 * `table` has the job columns id, status ('queued' | 'running' | …), created_at, finished_at and error.
 * `lockClass` is the first key of the two-key advisory lock, one per kind of job.
 */
export function jobOwner(db: Db, spec: { table: string; lockClass: number; interruptedMessage: string }): JobOwner {
  const table = sql.identifier(spec.table);
  return {
    async hold(jobId, fn) {
      // drizzle() keeps its postgres.js client as $client; a job's lock needs one connection of its own.
      const conn = await (db as Db & { $client: postgres.Sql }).$client.reserve();
      try {
        await conn`select pg_advisory_lock(${spec.lockClass}, hashtext(${jobId}))`;
        return await fn();
      } finally {
        await conn`select pg_advisory_unlock(${spec.lockClass}, hashtext(${jobId}))`.catch(() => undefined);
        conn.release();
      }
    },
    async recoverInterrupted() {
      // A job queued seconds ago may belong to a process that has not taken its lock yet.
      const open = await db.execute<{ id: string }>(
        sql`select id from ${table} where status = 'running' or (status = 'queued' and created_at < now() - interval '1 minute')`,
      );
      let marked = 0;
      for (const { id } of open) {
        const orphan = await db.transaction(async (tx) => {
          const [lock] = await tx.execute<{ free: boolean }>(
            sql`select pg_try_advisory_xact_lock(${spec.lockClass}, hashtext(${id})) as free`,
          );
          if (!lock?.free) return false;
          const updated = await tx.execute<{ id: string }>(
            sql`update ${table} set status = 'failed', finished_at = now(),
                  error = ${JSON.stringify({ message: spec.interruptedMessage })}::jsonb
                where id = ${id} and status in ('queued', 'running') returning id`,
          );
          return updated.length > 0;
        });
        if (orphan) marked += 1;
      }
      return marked;
    },
  };
}

/** Background promises of a runner: started without waiting, awaited all at stop. */
export function backgroundSet(log: { error(obj: object, msg: string): void }, what: string) {
  const running = new Set<Promise<void>>();
  return {
    start(jobId: string, work: () => Promise<void>) {
      const p = work().catch((err: unknown) => log.error({ err: (err as Error).message, jobId }, `${what} crashed`));
      running.add(p);
      void p.finally(() => running.delete(p));
    },
    async drain() {
      await Promise.all([...running]);
    },
  };
}
