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
