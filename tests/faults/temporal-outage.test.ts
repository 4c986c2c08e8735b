// Temporal stopped and started again under an app of its own: reads fall back to the read model within
// the query deadline, the outbox drains soon after Temporal answers (few attempts per row, no storm), and a
// workflow run that closed badly is visible and recoverable instead of silently swallowing messages.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq, isNull, max, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { workflowOutbox } from '../../db/schema';
import { freePort } from '../../scripts/embedded-postgres';
import { startTemporalDevServer, type RunningTemporal } from '../../scripts/temporal-dev-server';
import { resolveTemporalCli } from '../../scripts/temporal-binaries';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { connectTestClient } from '../support/temporal';

const work = mkdtempSync(path.join(tmpdir(), 'faults-temporal-'));
let temporal: RunningTemporal | undefined;
let app: TestApp;
let db: DbHandle;
let port: number;
let call: ReturnType<typeof httpClient>;
let system: string;
let admin: string;

const startTemporal = () =>
  startTemporalDevServer({
    cli: resolveTemporalCli(undefined),
    port,
    namespace: 'default',
    dbFile: path.join(work, 'temporal.sqlite'),
  });
const dueDate = () => DateTime.now().setZone('America/Bogota').minus({ days: 3 }).toISODate();
const invoiceFor = (debtorId: string, amount: string) => ({
  externalId: uniqueId('F'),
  debtor: { externalId: debtorId, name: 'Empresa S.A.S.', kind: 'company', email: 'pagos@example.com', country: 'CO' },
  amount,
  currency: 'COP',
  dueDate: dueDate(),
});

beforeAll(async () => {
  port = await freePort();
  temporal = await startTemporal();
  app = await startTestApp({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
  call = httpClient(app.url);
  system = await app.keyFor('system');
  admin = await app.keyFor('admin');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop().catch(() => undefined);
  await temporal?.stop();
  await db?.close();
  rmSync(work, { recursive: true, force: true });
});

const pendingRows = () =>
  db.db
    .select({ n: sql<number>`count(*)::int` })
    .from(workflowOutbox)
    .where(and(eq(workflowOutbox.taskQueue, app.config.temporal.taskQueue), isNull(workflowOutbox.dispatchedAt)))
    .then((r) => r[0]?.n ?? 0);

describe('Temporal stopped and started again', () => {
  it('answers reads from the read model quickly and drains the outbox soon after Temporal is back', async () => {
    const first = await call('POST', '/v1/invoices', invoiceFor(uniqueId('D'), '100000.00'), system);
    expect(first.status).toBe(201);
    await temporal?.stop();

    const started = performance.now();
    const read = await call('GET', `/v1/accounts/${first.body.accountId}`, undefined, system);
    const readMs = performance.now() - started;
    expect(read.status).toBe(200);
    expect(read.body.source).toBe('read-model');
    expect(readMs).toBeLessThan(3000);

    const invoices = Array.from({ length: 60 }, () => invoiceFor(uniqueId('D'), '50000.00'));
    const batch = await call('POST', '/v1/invoices/batch', { invoices }, system);
    expect(batch.status).toBe(200);
    expect(batch.body.results.every((r: { status: number }) => r.status === 201)).toBe(true);
    // Down for a while: rows back off (the old relay waited up to 60 s between tries by now).
    await new Promise((r) => setTimeout(r, 20_000));

    temporal = await startTemporal();
    const back = performance.now();
    const left = await eventually(pendingRows, (n) => n === 0, 60_000);
    const drainMs = performance.now() - back;
    expect(left).toBe(0);
    expect(drainMs).toBeLessThan(15_000);
    const [most] = await db.db
      .select({ attempts: max(workflowOutbox.attempts) })
      .from(workflowOutbox)
      .where(eq(workflowOutbox.taskQueue, app.config.temporal.taskQueue));
    expect(most?.attempts ?? 0).toBeLessThanOrEqual(5);
    // Reads go back to the workflow once its worker polls again (the worker's own reconnect backoff may
    // still be running when the outbox has drained).
    const again = await eventually(
      () => call('GET', `/v1/accounts/${first.body.accountId}`, undefined, system),
      (r) => r.body.source === 'workflow',
      30_000,
    );
    expect(again.body.source).toBe('workflow');
  }, 180_000);

  it('keeps what no workflow took visible, starts a failed run again with every invoice, and retries', async () => {
    const debtorId = uniqueId('D');
    const opened = await call('POST', '/v1/invoices', invoiceFor(debtorId, '100000.00'), system);
    expect(opened.status).toBe(201);
    const { accountId, workflowId } = opened.body as { accountId: string; workflowId: string };
    const client = await connectTestClient(`127.0.0.1:${port}`);
    try {
      const handle = client.workflow.getHandle(workflowId);
      await eventually(
        () =>
          handle.describe().then(
            (d) => d.status.name,
            () => 'missing',
          ),
        (s) => s === 'RUNNING',
      );
      const firstRun = (await handle.describe()).runId;
      // The run ends badly (as a run whose strategy could not load did).
      await handle.terminate('test: a run that failed');

      // A payment now reaches no workflow: its row fails, visibly, instead of being marked delivered.
      const paid = await call(
        'POST',
        `/v1/accounts/${accountId}/payments`,
        { amount: '30000.00', currency: 'COP', reference: uniqueId('P') },
        system,
      );
      expect(paid.status).toBe(202);
      const failed = await eventually(
        () => call('GET', '/v1/outbox/failed', undefined, admin),
        (r) => r.body.items?.some((i: { workflowId: string }) => i.workflowId === workflowId),
        30_000,
      );
      const row = failed.body.items.find((i: { workflowId: string }) => i.workflowId === workflowId);
      expect(row.signalName).toBe('paymentReceived');
      expect(row.lastError).toMatch(/^closed/);
      const health = await eventually(
        () => call('GET', '/health', undefined, null),
        (r) => (r.body.outbox?.failed ?? 0) >= 1,
        10_000,
      );
      expect(health.body.outbox.failed).toBeGreaterThanOrEqual(1);

      // The next invoice of the debtor reaches a new run, which knows every invoice and the payment.
      const next = await call('POST', '/v1/invoices', invoiceFor(debtorId, '50000.00'), system);
      expect(next.status).toBe(201);
      expect(next.body.workflowId).toBe(workflowId);
      const view = await eventually(
        () => call('GET', `/v1/accounts/${accountId}`, undefined, system),
        (r) => r.body.source === 'workflow' && r.body.balance?.amount === '120000.00',
        30_000,
      );
      expect(view.body.balance.amount).toBe('120000.00');
      const now = await handle.describe();
      expect(now.status.name).toBe('RUNNING');
      expect(now.runId).not.toBe(firstRun);

      // The operator's retry delivers the failed payment row to the new run; the reference makes it a no-op.
      const retried = await call('POST', '/v1/outbox/retry', { ids: [row.id] }, admin);
      expect(retried.body.retried).toBe(1);
      const delivered = await eventually(
        () =>
          db.db
            .select({ dispatchedAt: workflowOutbox.dispatchedAt, failedAt: workflowOutbox.failedAt })
            .from(workflowOutbox)
            .where(eq(workflowOutbox.id, row.id))
            .then((r) => r[0]),
        (r) => r?.dispatchedAt != null,
        15_000,
      );
      expect(delivered?.dispatchedAt).not.toBeNull();
      expect(delivered?.failedAt).toBeNull();
      const final = await call('GET', `/v1/accounts/${accountId}`, undefined, system);
      expect(final.body.balance.amount).toBe('120000.00');
    } finally {
      await client.connection.close();
    }
  }, 120_000);
});
