// The outbox's bound on deliveries in flight (MAX_DELIVERIES_IN_FLIGHT per Temporal client, inline and relay
// together), on the real PostgreSQL and Temporal. Every delivery passes through a client interceptor that
// counts the calls in flight and can hold them at a gate (a Temporal that answers slowly), so a backlog far
// larger than the bound piles up: the calls in flight must reach the bound and never pass it, whichever path
// sent them. And a pass of the relay leaves alone the rows an inline delivery of this process still holds
// (it delivered them a second time: it compared the driver's string ids with the inline path's numbers).
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { and, inArray, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { workflowOutbox } from '../../db/schema';
import { createOutboxRelay, MAX_DELIVERIES_IN_FLIGHT, type OutboxRelay } from '../../lib/outbox/relay';
import { eventually } from '../support/http';
import { uniqueId } from '../support/runtime';

const taskQueue = uniqueId('outbox-bound');
const backlog = MAX_DELIVERIES_IN_FLIGHT * 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let db: DbHandle;
/** The relay's own connections, named so the test can see where its pass is (pg_stat_activity). */
let relayDb: DbHandle;
let client: Client;
let outbox: OutboxRelay;

const seen = { inFlight: 0, most: 0, perWorkflow: new Map<string, number>() };
let gate: Promise<void> = Promise.resolve();
let openGate: () => void = () => undefined;
const closeGate = () => {
  gate = new Promise<void>((resolve) => (openGate = resolve));
};

function held<I, O>(workflowId: string, next: (input: I) => Promise<O>, input: I): Promise<O> {
  seen.inFlight += 1;
  seen.most = Math.max(seen.most, seen.inFlight);
  seen.perWorkflow.set(workflowId, (seen.perWorkflow.get(workflowId) ?? 0) + 1);
  return gate
    .then(() => sleep(10))
    .then(() => next(input))
    .finally(() => (seen.inFlight -= 1));
}

const counting: WorkflowClientInterceptor = {
  signalWithStart: (input, next) => held(input.options.workflowId, next, input),
  signal: (input, next) => held(input.workflowExecution.workflowId, next, input),
};

beforeAll(async () => {
  db = createDb(inject('databaseUrl'), { max: 2 });
  const url = new URL(inject('databaseUrl'));
  url.searchParams.set('application_name', taskQueue);
  relayDb = createDb(url.toString(), { max: 4 });
  // A client of its own: the bound is per client, and only this test's deliveries go through it.
  client = new Client({
    connection: await Connection.connect({ address: inject('temporalAddress') }),
    interceptors: { workflow: [counting] },
  });
  outbox = createOutboxRelay({
    db: relayDb.db,
    temporal: client,
    taskQueue,
    // No rate limit: only the bound on calls in flight holds the backlog back.
    ratePerSecond: 0,
    log: { warn: () => undefined },
  });
});

afterAll(async () => {
  openGate();
  await outbox?.stop();
  await client?.connection.close();
  await relayDb?.close();
  await db?.close();
});

/**
 * Outbox rows that each open a workflow of their own on a queue no worker polls (Temporal just records them),
 * left to the inline path for a while as the API writes them (`grace`), or due for the relay at once.
 */
async function rows(count: number, grace: boolean): Promise<number[]> {
  const inserted = await db.db
    .insert(workflowOutbox)
    .values(
      Array.from({ length: count }, () => {
        const accountId = crypto.randomUUID();
        return {
          workflowId: `account-${accountId}`,
          taskQueue,
          kind: 'signal_with_start' as const,
          signalName: 'invoiceAdded',
          payload: {
            input: { accountId, currency: 'USD' },
            signalArg: { externalId: uniqueId('F'), amountMinor: 100, currency: 'USD', dueDate: '2030-01-01' },
          },
          nextAttemptAt: grace ? sql`now() + interval '10 minutes'` : sql`now()`,
        };
      }),
    )
    .returning({ id: workflowOutbox.id });
  return inserted.map((r) => r.id);
}

const undelivered = (ids: number[]) =>
  db.db
    .select({ n: sql<number>`count(*)::int` })
    .from(workflowOutbox)
    .where(and(inArray(workflowOutbox.id, ids), isNull(workflowOutbox.dispatchedAt)))
    .then((r) => r[0]?.n ?? -1);

const delivered = async (ids: number[]) =>
  expect(
    await eventually(
      () => undelivered(ids),
      (n) => n === 0,
    ),
  ).toBe(0);

/** Until the relay's pass has read and locked its rows and waits for their deliveries. */
const passWaiting = () =>
  eventually(
    () =>
      db.db
        .execute<{ n: number }>(
          sql`select count(*)::int as n from pg_stat_activity where application_name = ${taskQueue}
            and state = 'idle in transaction' and query ilike '%for update skip locked%'`,
        )
        .then((r) => r[0]?.n ?? 0),
    (n) => n > 0,
    10_000,
  );

/** The calls in flight once they have had time to pile up at the gate. */
async function pileUp(): Promise<number> {
  await eventually(
    () => Promise.resolve(seen.inFlight),
    (n) => n >= MAX_DELIVERIES_IN_FLIGHT,
    10_000,
  );
  await sleep(300);
  return seen.inFlight;
}

describe('deliveries in flight', () => {
  it('reach the bound and stay within it when a batch hands over more rows than it (inline)', async () => {
    closeGate();
    const ids = await rows(backlog, true);
    await outbox.dispatchNow(ids, { waitMs: 0 });
    expect(await pileUp()).toBe(MAX_DELIVERIES_IN_FLIGHT);
    openGate();
    await delivered(ids);
  });

  it('share the bound between inline deliveries and the relay’s pass', async () => {
    closeGate();
    const inline = await rows(backlog, true);
    const due = await rows(backlog, false);
    await outbox.dispatchNow(inline, { waitMs: 0 });
    const pass = outbox.drain();
    await passWaiting();
    expect(await pileUp()).toBe(MAX_DELIVERIES_IN_FLIGHT);
    openGate();
    expect(await pass).toBe(due.length);
    await delivered([...inline, ...due]);
  });

  it('leave to an inline delivery the rows it holds, when the relay finds them due', async () => {
    closeGate();
    // Due at once, as after Temporal comes back (the relay's probe makes every waiting row due).
    const ids = await rows(backlog, false);
    await outbox.dispatchNow(ids, { waitMs: 0 });
    await pileUp();
    const pass = await Promise.race([outbox.drain(), sleep(5000).then(() => 'the pass waited on rows held inline')]);
    expect(pass).toBe(0);
    openGate();
    await delivered(ids);
  });

  it('delivered every row once and never had more calls in flight than the bound', () => {
    expect(seen.most).toBe(MAX_DELIVERIES_IN_FLIGHT);
    expect(seen.perWorkflow.size).toBe(4 * backlog);
    expect([...seen.perWorkflow.values()].every((n) => n === 1)).toBe(true);
    expect(seen.inFlight).toBe(0);
  });
});
