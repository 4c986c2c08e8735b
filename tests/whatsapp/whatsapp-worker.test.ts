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
import { startWhatsAppWorker, type WhatsAppWorker } from '../../workers/whatsapp-worker';
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
