// A worker killed between its ledger append (a local activity, written at once) and the end of the workflow
// task (what Temporal records): the task is retried by the next worker later, with a later clock, and both
// ledgers must then be the workflow's timeline row for row, the times being those of the run that committed
// (as the chaos run checks after its kill storm). The first worker is a real worker process that SIGKILLs
// itself right after its first append, so the fault lands in that window every time.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateKey, hashKey } from '../../api/auth';
import { createDb, type DbHandle } from '../../db/client';
import { apiKeys } from '../../db/schema';
import { checkAccounts, type Outcome } from '../../scripts/chaos/checks';
import { startRuntime, type Runtime } from '../../workers/runtime';
import { eventually, httpClient } from '../support/http';
import { testConfig, uniqueId } from '../support/runtime';
import { connectTestClient, TEST_TEMPORAL_ENCRYPTION_KEYS } from '../support/temporal';
import { afternoonZone } from '../support/zones';

const config = testConfig();
let api: Runtime;
let worker: Runtime | undefined;
let db: DbHandle;
let client: Client;
let key: string;

beforeAll(async () => {
  db = createDb(inject('databaseUrl'), { max: 2 });
  api = await startRuntime(config, { api: true, worker: false }, () => undefined);
  client = await connectTestClient();
  key = generateKey();
  await db.db.insert(apiKeys).values({ name: uniqueId('system'), role: 'system', keyHash: hashKey(key) });
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await client?.connection.close();
  await db?.close();
});

/** Starts the worker that dies after its first append; resolves with its exit once it has died. */
async function workerThatDies(): Promise<{ exited: Promise<NodeJS.Signals | number | null> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(import.meta.dirname, '../support/worker-dies-after-ledger.ts')],
    {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        DATABASE_URL: config.databaseUrl ?? '',
        TEMPORAL_ADDRESS: config.temporal.address ?? '',
        TEMPORAL_TASK_QUEUE: config.temporal.taskQueue,
        TEMPORAL_ENCRYPTION_KEYS: TEST_TEMPORAL_ENCRYPTION_KEYS,
        LINK_SIGNING_SECRET: config.linkSigningSecret ?? '',
        WORKFLOW_BUNDLE: inject('workflowBundlePath'),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then((how) => reject(new Error(`the worker exited before it was ready (${String(how)})`)));
  });
  return { exited };
}

describe('a worker killed after its ledger append, before Temporal recorded the task', () => {
  it('leaves both ledgers equal to the timeline the retried task committed', async () => {
    const lost = await workerThatDies();
    const zone = afternoonZone();
    const call = httpClient(api.api?.url ?? '');
    const opened = await call(
      'POST',
      '/v1/invoices',
      {
        externalId: uniqueId('F'),
        debtor: {
          externalId: uniqueId('D'),
          name: 'Acme Supplies LLC',
          kind: 'company',
          email: 'ap@example.com',
          country: 'US',
          timezone: zone,
        },
        amount: '500.00',
        currency: 'USD',
        dueDate: DateTime.now().setZone(zone).minus({ days: 3 }).toISODate(),
      },
      key,
    );
    expect(opened.status).toBe(201);
    const account = { accountId: String(opened.body.accountId), workflowId: String(opened.body.workflowId) };
    expect(await lost.exited).toBe('SIGKILL');

    // What the lost attempt left: its ledger rows and its contact decision, at its own time.
    const [left] = await db.db.execute<{ rows: number; at: string | null; decided: string | null }>(sql`
      select (select count(*)::int from account_ledger where account_id = ${account.accountId}) as rows,
        (select at::text from account_ledger where account_id = ${account.accountId} and seq = 0) as at,
        (select min(decided_at)::text from contact_decisions where account_id = ${account.accountId}) as decided`);
    expect(left?.rows).toBeGreaterThanOrEqual(3);
    expect(left?.decided).not.toBeNull();

    // The next worker gets the task once it times out (10 s), and decides it again, later.
    worker = await startRuntime(config, { api: false, worker: true }, () => undefined, {
      workflowBundle: { codePath: inject('workflowBundlePath') },
    });
    const out = await eventually<Outcome>(
      () => checkAccounts(db.db, client, [account]),
      (o) => o.delivered === 1 && o.eventLedgerMismatches === 0 && o.ledgerRows > 0,
      60_000,
    );
    expect(out.samples).toEqual([]);
    expect(out).toMatchObject({
      delivered: 1,
      lost: 0,
      duplicated: 0,
      ledgerMismatches: 0,
      ledgerTimeMismatches: 0,
      eventLedgerMismatches: 0,
    });
    expect(out.ledgerRows).toBe(1);
    expect(out.eventLedgerRows).toBeGreaterThanOrEqual(3);
    // The rows are the committed run's: its time, not the lost attempt's (the contact decision's too).
    const [now] = await db.db.execute<{ at: string; decided: string }>(sql`
      select (select at::text from account_ledger where account_id = ${account.accountId} and seq = 0) as at,
        (select min(decided_at)::text from contact_decisions where account_id = ${account.accountId}) as decided`);
    expect(now?.at).not.toBe(left?.at);
    expect(now?.decided).not.toBe(left?.decided);
  }, 120_000);
});
