// The inbound handler on its own, with a fake channel: messages with nothing to act on.
import { Client, Connection } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createInboundHandler } from '../../activities/whatsapp/inbound-handler';
import { replyFor } from '../../activities/whatsapp/inbound-menu';
import { createDb } from '../../db/client';
import { accounts, debtorChannelStatus, debtors } from '../../db/schema';
import { FakeWhatsAppChannel } from './fake-channel';
import { TEST_LINK_SIGNING_SECRET } from '../support/links';

const handle = createDb(inject('databaseUrl'), { max: 2 });
const { db } = handle;
const uid = () => crypto.randomUUID().slice(0, 8);
const channel = new FakeWhatsAppChannel(`wa-inbound-${uid()}`);
const dispatched: number[][] = [];
let temporal: Client;
let onInbound: ReturnType<typeof createInboundHandler>;

beforeAll(async () => {
  temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  onInbound = createInboundHandler({
    db,
    temporal,
    channel,
    outbox: { taskQueue: `wa-inbound-${uid()}`, dispatchNow: (ids) => Promise.resolve(void dispatched.push(ids)) },
    links: { secret: TEST_LINK_SIGNING_SECRET, publicBaseUrl: 'https://cobranza.example.test' },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
});

afterAll(async () => {
  await temporal?.connection.close();
  await handle.close();
});

const phone = () => `+52558${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
const message = (from: string, text: string) => ({
  fromE164: from,
  text,
  providerMessageId: `IN-${uid()}`,
  at: new Date(),
});

async function debtorWithClosedAccount(from: string): Promise<string> {
  const [d] = await db
    .insert(debtors)
    .values({ externalId: `wa-${uid()}`, kind: 'person', name: 'Ana', phone: from, country: 'MX', locale: 'en' })
    .returning({ id: debtors.id });
  await db.insert(accounts).values({
    debtorId: d!.id,
    currency: 'MXN',
    workflowId: `account-wa-${uid()}`,
    status: 'paid',
    closedAt: new Date(),
  });
  return d!.id;
}

describe('inbound WhatsApp handler', () => {
  it('ignores a sender that is no debtor', async () => {
    const from = phone();
    expect(await onInbound(message(from, 'STOP'))).toEqual({ handled: false, reason: 'unknown_sender' });
    expect(channel.sends.filter((s) => s.to === from)).toEqual([]);
  });

  it('records an opt-out from a debtor with nothing open, in their language, and signals nobody', async () => {
    const from = phone();
    const debtorId = await debtorWithClosedAccount(from);
    expect(await onInbound(message(from, 'stop'))).toEqual({
      handled: true,
      accountId: null,
      intent: 'stop',
      reply: 'opted_out',
    });
    const [status] = await db
      .select()
      .from(debtorChannelStatus)
      .where(and(eq(debtorChannelStatus.debtorId, debtorId), eq(debtorChannelStatus.channel, 'whatsapp')));
    expect(status?.status).toBe('opted_out');
    expect(channel.sends.filter((s) => s.to === from).map((s) => s.text)).toEqual([
      replyFor({ kind: 'opted_out' }, 'en'),
    ]);
    expect(dispatched.flat()).toEqual([]);
  });

  it('leaves other messages of a debtor with nothing open unanswered', async () => {
    const from = phone();
    await debtorWithClosedAccount(from);
    expect(await onInbound(message(from, '1'))).toEqual({ handled: false, reason: 'no_open_account' });
    expect(channel.sends.filter((s) => s.to === from)).toEqual([]);
  });
});
