// The harness of the tests of an account closing while something reaches it (tests/e2e/*-after-close and
// over-payment-close): the real servers, the account opened and followed, and the race between the run's
// closing write and an intake or a payment, made certain with a row lock.
import { eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { createDb } from '../../db/client';
import { workflowOutbox } from '../../db/schema';
import { invoiceBody } from '../api/helpers';
import { eventually, httpClient } from './http';
import { startTestApp, uniqueId, type TestApp } from './runtime';
import { connectTestClient } from './temporal';

/** Registers the servers' start and stop in the calling test file and answers its helpers. */
export function closingAccounts() {
  let app: TestApp | undefined;
  let keys: Record<'system' | 'admin', string> | undefined;
  let client: ReturnType<typeof httpClient> | undefined;
  const handle = createDb(inject('databaseUrl'), { max: 4 });
  const zone = 'America/Mexico_City';

  beforeAll(async () => {
    app = await startTestApp();
    client = httpClient(app.url);
    keys = { system: await app.keyFor('system'), admin: await app.keyFor('admin') };
  });

  afterAll(async () => {
    await app?.stop();
    await handle.close();
  });

  const started = () => {
    if (!app || !client || !keys) throw new Error('the servers are not started (use it inside a test)');
    return { app, call: client, keys };
  };
  const call: ReturnType<typeof httpClient> = (...args) => started().call(...args);
  const daysAgo = (n: number) => DateTime.now().setZone(zone).minus({ days: n }).toISODate() ?? '';
  const view = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, started().keys.system);
  const listed = (debtor: string) =>
    call('GET', `/v1/accounts?debtorExternalId=${encodeURIComponent(debtor)}`, undefined, started().keys.system);

  /** Sessions of this database waiting for a lock whose statement matches `like`. */
  async function lockWaiters(like: string): Promise<number> {
    const [row] = await handle.db.execute<{ n: number }>(sql`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and wait_event_type = 'Lock' and query ilike ${like}`);
    return row?.n ?? 0;
  }

  async function openAccount(debtor: string, amount: string) {
    const opened = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(uniqueId('F'), debtor, amount, { dueDate: daysAgo(3) }),
      started().keys.system,
    );
    expect(opened.status).toBe(201);
    const { accountId, workflowId } = opened.body as { accountId: string; workflowId: string };
    await eventually(
      () => view(accountId),
      (r) => r.body.source === 'workflow' && r.body.balance?.amount === amount,
    );
    return { accountId, workflowId };
  }

  async function completed(workflowId: string) {
    const temporal = await connectTestClient();
    const status = await eventually(
      () =>
        temporal.workflow
          .getHandle(workflowId)
          .describe()
          .then((d) => d.status.name),
      (s) => s === 'COMPLETED',
    );
    expect(status).toBe('COMPLETED');
  }

  /**
   * The interleaving, made certain with a row lock on the account (NO KEY UPDATE: a payment's foreign-key check
   * passes): the debtor pays the account in full, the run decides `paid` and its write marking the account
   * closed waits behind the lock; `whileClosing` is accepted for the still open account meanwhile. With
   * `intakeFirst` it is started first and waits for the lock itself (an invoice's intake locks the account), so
   * it commits before the run's write; otherwise it runs once the run's write waits (a payment takes no lock,
   * and booked before the full payment it would keep that one from its inline delivery). Then the run ends.
   */
  async function closingRace<T>(
    accountId: string,
    workflowId: string,
    whileClosing: () => Promise<T>,
    opts: { intakeFirst?: boolean } = {},
  ): Promise<T> {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = handle.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from accounts where id = ${accountId} for no key update`);
      locked();
      await gate;
    });
    await isLocked;
    // Settled whatever happens below, so a failure releases the lock and reports once.
    const settle = () =>
      whileClosing().then(
        (r) => r,
        (err: unknown) => err as Error,
      );
    let accepted: Promise<T | Error> | undefined;
    try {
      if (opts.intakeFirst) {
        accepted = settle();
        expect(
          await eventually(
            () => lockWaiters('%"accounts"%for update%'),
            (n) => n >= 1,
            10_000,
          ),
        ).toBeGreaterThanOrEqual(1);
      }
      const paid = await call(
        'POST',
        `/v1/accounts/${accountId}/payments`,
        { amount: '1500.00', currency: 'MXN', reference: uniqueId('P') },
        started().keys.system,
      );
      expect(paid.status).toBe(202);
      // The run decided `paid`; its read-model write waits behind the lock.
      expect(
        await eventually(
          () => lockWaiters('%'),
          (n) => n >= (opts.intakeFirst ? 2 : 1),
          10_000,
        ),
      ).toBeGreaterThanOrEqual(opts.intakeFirst ? 2 : 1);
      // A payment is booked while the lock is held (it takes none); an intake waits for it, and commits once
      // it is released, ahead of the run's write.
      if (!opts.intakeFirst) await (accepted = settle());
    } finally {
      release();
      await holder;
    }
    if (!accepted) throw new Error('nothing was accepted while the run was closing');
    const result = (await accepted) as T | Error;
    if (result instanceof Error) throw result;
    await completed(workflowId);
    expect((await view(accountId)).body).toMatchObject({ status: 'paid', balance: { amount: '0.00' } });
    return result;
  }

  /** The outbox row once the relay has dealt with it (delivered, or failed). */
  function settledRow(id: number) {
    return eventually(
      () => handle.db.select().from(workflowOutbox).where(eq(workflowOutbox.id, id)),
      ([r]) => r?.dispatchedAt !== null || r.failedAt !== null,
      40_000,
    ).then(([r]) => r);
  }

  /** The debtor's next invoice (700.00, due yesterday): answered 201, its account's workflow owes `owed`. */
  async function nextInvoiceOwes(debtor: string, owed: string) {
    const next = await call(
      'POST',
      '/v1/invoices',
      invoiceBody(uniqueId('F'), debtor, '700.00', { dueDate: daysAgo(1) }),
      started().keys.system,
    );
    expect(next.status).toBe(201);
    const v = await eventually(
      () => view(next.body.accountId as string),
      (r) => r.body.source === 'workflow' && r.body.balance?.amount === owed,
      20_000,
    );
    expect(v.body).toMatchObject({ status: 'active', balance: { amount: owed } });
    return next.body as { accountId: string };
  }

  return {
    handle,
    call,
    daysAgo,
    view,
    listed,
    lockWaiters,
    openAccount,
    completed,
    closingRace,
    settledRow,
    nextInvoiceOwes,
    get app() {
      return started().app;
    },
    get keys() {
      return started().keys;
    },
  };
}
