// The per-number worker on a real Temporal server: a workflow reaches sendWhatsApp through the
// number's task queue, a second process cannot take the same number, receipts and replies are stored.
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../db/client';
import { accounts, debtors, outboundMessages } from '../../db/schema';
import type { InboundMessage } from '../../activities/whatsapp/channel';
import { holdNumber, startWhatsAppWorker, type WhatsAppWorker } from '../../workers/whatsapp-worker';
import { eventually } from '../support/http';
import { FakeWhatsAppChannel } from './fake-channel';

const handle = createDb(inject('databaseUrl'), { max: 5 });
const { db } = handle;
const uid = () => crypto.randomUUID().slice(0, 8);
const numberId = `wa-worker-${uid()}`;
const log = {
  info: () => undefined,
  warn: () => undefined,
  error: (m: string, meta?: object) => console.error(m, meta),
};
const channel = new FakeWhatsAppChannel(numberId);
const inbound: InboundMessage[] = [];

let native: NativeConnection;
let clientConnection: Connection;
let client: Client;
let wa: WhatsAppWorker;
let wfWorker: Worker;
let running: Promise<unknown>;
const workflowQueue = `wa-wf-${uid()}`;

beforeAll(async () => {
  native = await NativeConnection.connect({ address: inject('temporalAddress') });
  clientConnection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection: clientConnection });
  wa = await startWhatsAppWorker({
    db,
    sql: handle.sql,
    connection: native,
    namespace: 'default',
    numberId,
    log,
    channel,
    onInbound: (m) => void inbound.push(m),
  });
  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve(import.meta.dirname, 'fixtures/send-reminder.workflow.ts'),
    logger: {
      log: () => undefined,
      trace: () => undefined,
      debug: () => undefined,
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    },
  });
  wfWorker = await Worker.create({
    connection: native,
    namespace: 'default',
    taskQueue: workflowQueue,
    workflowBundle: { code },
  });
  running = Promise.all([wa.run(), wfWorker.run()]);
});

afterAll(async () => {
  wa?.shutdown();
  wfWorker?.shutdown();
  await running;
  await clientConnection?.close();
  await native?.close();
  await handle.close();
});

async function account(phone: string | null): Promise<string> {
  const [d] = await db
    .insert(debtors)
    .values({ externalId: `wa-${uid()}`, kind: 'person', name: 'Ana', phone, country: 'MX' })
    .returning({ id: debtors.id });
  const [a] = await db
    .insert(accounts)
    .values({ debtorId: d!.id, currency: 'MXN', workflowId: `account-wa-${uid()}` })
    .returning({ id: accounts.id });
  return a!.id;
}

describe('startWhatsAppWorker', () => {
  it('serves sendWhatsApp on whatsapp-<numberId> to workflows', async () => {
    expect(wa.taskQueue).toBe(`whatsapp-${numberId}`);
    const input = { accountId: await account('+525512345678'), idempotencyKey: `k-${uid()}`, text: 'Hola' };
    const result = await client.workflow.execute('sendReminder', {
      taskQueue: workflowQueue,
      workflowId: `wa-${uid()}`,
      args: [numberId, input],
    });
    expect(result).toMatchObject({ status: 'sent' });
    expect(channel.sends.filter((s) => s.text === 'Hola')).toHaveLength(1);
  });

  it('fails the workflow without retrying when the debtor has no phone', async () => {
    const input = { accountId: await account(null), idempotencyKey: `k-${uid()}`, text: 'x' };
    const err = await client.workflow
      .execute('sendReminder', { taskQueue: workflowQueue, workflowId: `wa-${uid()}`, args: [numberId, input] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('NoPhone');
  });

  it('keeps each number in one process', async () => {
    await expect(
      startWhatsAppWorker({
        db,
        sql: handle.sql,
        connection: native,
        namespace: 'default',
        numberId,
        log,
        channel: new FakeWhatsAppChannel(numberId),
      }),
    ).rejects.toThrow(/already served by another process/);
  });

  it('takes its lock again when the connection holding it dies, and stops if another process took it', async () => {
    const lockHolders = async (key: string) =>
      handle.sql<{ pid: number }[]>`
        select pid from pg_locks where locktype = 'advisory' and granted
          and ((classid::bigint << 32) | objid::bigint) = (hashtextextended(${key}, 0) & x'ffffffffffffffff'::bigint)`;
    const id = `wa-lock-${uid()}`;
    const key = `whatsapp-number:${id}`;
    const lost: string[] = [];
    const release = await holdNumber(handle.sql, id, { checkEveryMs: 100, onLost: () => lost.push('lost') });
    const [first] = await lockHolders(key);
    expect(first?.pid).toBeGreaterThan(0);
    // A restart, as far as this lock knows: its backend is gone, and the lock with it.
    await handle.sql`select pg_terminate_backend(${first?.pid ?? 0})`;
    const again = await eventually(
      () => lockHolders(key),
      (rows) => rows.length === 1 && rows[0]?.pid !== first?.pid,
    );
    expect(again).toHaveLength(1);
    expect(lost).toEqual([]);
    await release();
    expect(await lockHolders(key)).toHaveLength(0);

    // Another process gets in first while the connection is down: this one gives the number up. (Its check
    // runs every 2 s, started just now, so the other process's attempts right after the kill come first.)
    const lostOther: string[] = [];
    const releaseOther = await holdNumber(handle.sql, id, { checkEveryMs: 2000, onLost: () => lostOther.push('lost') });
    const [mine] = await lockHolders(key);
    const other = await handle.sql.reserve();
    await handle.sql`select pg_terminate_backend(${mine?.pid ?? 0})`;
    const taken = await eventually(
      () => other<{ locked: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as locked`,
      (rows) => rows[0]?.locked === true,
      1500,
    );
    expect(taken[0]?.locked).toBe(true);
    await eventually(
      () => Promise.resolve(lostOther),
      (l) => l.length === 1,
    );
    expect(lostOther).toEqual(['lost']);
    await releaseOther();
    const holders = await lockHolders(key);
    expect(holders).toHaveLength(1);
    expect(holders[0]?.pid).not.toBe(mine?.pid);
    await other`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
    other.release();
  });

  it('stores receipts and passes each reply on once', async () => {
    const input = { accountId: await account('+525512345678'), idempotencyKey: `k-${uid()}`, text: 'receipt' };
    const sent = await client.workflow.execute('sendReminder', {
      taskQueue: workflowQueue,
      workflowId: `wa-${uid()}`,
      args: [numberId, input],
    });
    channel.emitStatus({ providerMessageId: sent.providerMessageId, status: 'read' });
    const reply = { fromE164: '+525512345678', text: '1', providerMessageId: `IN-${uid()}`, at: new Date() };
    channel.emitInbound(reply);
    channel.emitInbound(reply);
    await expect
      .poll(
        async () =>
          (await db.select().from(outboundMessages).where(eq(outboundMessages.idempotencyKey, input.idempotencyKey)))[0]
            ?.deliveryStatus,
      )
      .toBe('read');
    await expect.poll(() => inbound.filter((m) => m.providerMessageId === reply.providerMessageId).length).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(inbound.filter((m) => m.providerMessageId === reply.providerMessageId)).toHaveLength(1);
  });
});
