// An audit entry that cannot be written never changes the answer, and its log line carries no query parameter
// values. The app is built on the run's real PostgreSQL and driven with app.inject; a trigger refuses the
// entries of this test's requests only (their body carries a marker), so the failure is PostgreSQL's own.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp, type AppDeps } from '../../api/app';
import { generateKey, hashKey } from '../../api/auth';
import { createDb } from '../../db/client';
import { accounts, apiKeys, auditLog, debtors } from '../../db/schema';
import { TEST_LINK_SIGNING_SECRET } from '../support/links';
import { testConfig, uniqueId } from '../support/runtime';

const handle = createDb(inject('databaseUrl'), { max: 3 });
const logLines: string[] = [];
const marker = uniqueId('audit-fail');
const trigger = `audit_fail_${marker.replace(/\W/g, '_')}`.slice(0, 60);
let app: FastifyInstance;
let supervisor: string;
let accountId: string;

beforeAll(async () => {
  const deps = {
    config: testConfig({ LOG_LEVEL: 'info' }),
    db: handle.db,
    temporal: { options: { loadedDataConverter: { payloadCodecs: [] } } },
    outbox: {
      taskQueue: uniqueId('audit'),
      dispatchNow: () => Promise.resolve(),
      start() {},
      stop: () => Promise.resolve(),
    },
    links: { secret: TEST_LINK_SIGNING_SECRET, publicBaseUrl: 'http://127.0.0.1' },
    logStream: { write: (line: string) => void logLines.push(line) },
  } as unknown as AppDeps;
  app = await buildApp(deps);
  await app.ready();
  supervisor = generateKey();
  await handle.db
    .insert(apiKeys)
    .values({ name: uniqueId('supervisor'), role: 'supervisor', keyHash: hashKey(supervisor) });
  const [d] = await handle.db
    .insert(debtors)
    .values({ externalId: uniqueId('D'), kind: 'person', name: 'Ana Pérez', country: 'MX' })
    .returning();
  const [a] = await handle.db
    .insert(accounts)
    .values({
      debtorId: d!.id,
      currency: 'MXN',
      balanceMinor: 1000,
      status: 'active',
      stage: 'early',
      workflowId: uniqueId('wf'),
    })
    .returning();
  accountId = a!.id;
  await handle.db.execute(
    sql.raw(`create function ${trigger}() returns trigger language plpgsql as $$
      begin raise exception 'audit entry refused by the test'; end $$;
      create trigger ${trigger} before insert on audit_log for each row
      when (new.body::text like '%${marker}%') execute function ${trigger}();`),
  );
});

afterAll(async () => {
  await handle.db.execute(
    sql.raw(`drop trigger if exists ${trigger} on audit_log; drop function if exists ${trigger}();`),
  );
  await app?.close();
  await handle.close();
});

describe('an audit entry that cannot be written', () => {
  it('leaves the answer as it was and logs the failure without the query parameter values', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: `/v1/accounts/${accountId}/assignment`,
      headers: { authorization: `Bearer ${supervisor}` },
      payload: { agentId: marker },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accountId, assignedAgentId: marker });
    const deadline = Date.now() + 5000;
    while (!logLines.some((l) => l.includes('audit entry not written')) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const line = logLines.find((l) => l.includes('audit entry not written'));
    expect(line).toContain('audit entry refused by the test');
    expect(line).not.toContain(marker);
    const rows = await handle.db
      .select()
      .from(auditLog)
      .where(sql`${auditLog.accountId} = ${accountId}`);
    expect(rows).toEqual([]);
  });
});
