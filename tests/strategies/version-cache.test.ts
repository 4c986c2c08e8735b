// The worker's cache of published strategy versions (activities/strategy.activities.ts): a version by
// number is read from PostgreSQL once (versions never change), "the latest" sees a new publication at
// once, and an unknown id or version is not remembered as missing.
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { strategyVersionCache } from '../../activities/strategy.activities';
import { createDb } from '../../db/client';
import { strategyVersions } from '../../db/schema';
import { publishVersion } from '../../lib/strategies/store';
import { consumerMx } from '../../strategies/builtin/consumer-mx';
import { uniqueId } from '../support/runtime';

const handle = createDb(inject('databaseUrl'), { max: 2 });
afterAll(() => handle.close());

describe('strategyVersionCache', () => {
  it('reads a published version once, and the latest as it is now', async () => {
    const db = handle.db;
    const id = uniqueId('cache').toLowerCase();
    const load = strategyVersionCache(db);
    expect(await load(id, 1)).toBeNull();
    await publishVersion(db, id, { ...consumerMx, id, name: 'First' }, null);
    // Not remembered as missing.
    expect((await load(id, 1))?.strategy.name).toBe('First');
    // Rewritten behind the cache's back (never done by the app: versions are immutable): still the first read.
    await db
      .update(strategyVersions)
      .set({ definition: sql`jsonb_set(definition, '{name}', '"Changed"')` })
      .where(and(eq(strategyVersions.strategyId, id), eq(strategyVersions.version, 1)));
    expect((await load(id, 1))?.strategy.name).toBe('First');
    expect((await load(id))?.version).toBe(1);
    await publishVersion(db, id, { ...consumerMx, id, name: 'Second' }, null);
    const latest = await load(id);
    expect(latest).toMatchObject({ version: 2, strategy: { name: 'Second' } });
    // Built-ins come from the code as before.
    expect((await load('consumer-mx'))?.version).toBe(0);
  });
});
