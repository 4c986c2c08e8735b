// postgres.js 3.4.9 flushed a queued write on a connection whose socket had just closed (porsager/postgres
// issues 1066, 1154, 1208): a transaction whose backend died sent its ROLLBACK from a setImmediate that
// threw an uncaught TypeError and killed the process. The patched driver (patches/) settles it instead.
import { sql as raw } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../db/client';

const handle = createDb(inject('databaseUrl'), { max: 2 });
const killer = createDb(inject('databaseUrl'), { max: 1 });
const uncaught: unknown[] = [];
const onUncaught = (err: unknown) => uncaught.push(err);
process.on('uncaughtException', onUncaught);

afterAll(async () => {
  process.off('uncaughtException', onUncaught);
  await handle.close();
  await killer.close();
});

describe('a connection whose backend dies mid-transaction', () => {
  it('rejects the transaction, throws nothing uncaught, and the pool answers again', async () => {
    for (let round = 0; round < 3; round++) {
      let pid: number | null = null;
      const tx = handle.db
        .transaction(async (t) => {
          const [row] = await t.execute<{ pid: number }>(raw`select pg_backend_pid() as pid`);
          pid = row?.pid ?? null;
          await t.execute(raw`select pg_sleep(2)`);
        })
        .then(
          () => null,
          (err: unknown) => err,
        );
      while (pid === null) await new Promise((r) => setTimeout(r, 20));
      await killer.sql`select pg_terminate_backend(${pid})`;
      expect(await tx).toBeInstanceOf(Error);
      // Give a queued write its turn: unpatched, it throws here.
      await new Promise((r) => setTimeout(r, 100));
      const [after] = await handle.sql`select 1 as one`;
      expect(after?.one).toBe(1);
    }
    expect(uncaught.map(String)).toEqual([]);
  });
});

describe('a reserved connection whose backend died, released to the pool', () => {
  it('is reconnected for the next query instead of failing it (advisory-lock holders release such connections)', async () => {
    const pool = createDb(inject('databaseUrl'), { max: 1 });
    try {
      const conn = await pool.sql.reserve();
      const [row] = await conn<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await killer.sql`select pg_terminate_backend(${row?.pid ?? 0})`;
      await expect(conn`select pg_sleep(0.2)`).rejects.toThrow();
      conn.release();
      // One connection in the pool: unpatched, this query gets the dead one and fails with CONNECTION_CLOSED.
      const [after] = await pool.sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
      expect(after?.pid).toBeGreaterThan(0);
      expect(after?.pid).not.toBe(row?.pid);
    } finally {
      await pool.close();
    }
  });
});
