// sendWhatsApp against real PostgreSQL and a fake channel: at most one send per idempotency key,
// whatever retries, crashes and concurrent attempts happen.
import { ApplicationFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb } from '../../db/client';
import { accounts, debtors, outboundMessages } from '../../db/schema';
import { WhatsAppSendError } from '../../activities/whatsapp/channel';
import { claimInbound, recordDeliveryStatus } from '../../activities/whatsapp/receipts';
import { createWhatsAppActivities, IN_FLIGHT, UNCERTAIN_DELIVERY } from '../../activities/whatsapp/whatsapp.activities';
import { FakeWhatsAppChannel } from './fake-channel';

const handle = createDb(inject('databaseUrl'), { max: 5 });
const { db } = handle;
afterAll(() => handle.close());

const uid = () => crypto.randomUUID().slice(0, 8);

async function account(phone: string | null = '+525512345678', locale: string | null = 'es-MX'): Promise<string> {
  const [d] = await db
    .insert(debtors)
    .values({ externalId: `wa-${uid()}`, kind: 'person', name: 'Ana Pérez', phone, country: 'MX', locale })
    .returning({ id: debtors.id });
  const [a] = await db
    .insert(accounts)
    .values({ debtorId: d!.id, currency: 'MXN', workflowId: `account-wa-${uid()}` })
    .returning({ id: accounts.id });
  return a!.id;
}

async function row(key: string) {
  const [r] = await db.select().from(outboundMessages).where(eq(outboundMessages.idempotencyKey, key));
  return r;
}

async function failure(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

function setup() {
  const channel = new FakeWhatsAppChannel();
  return { channel, ...createWhatsAppActivities({ db, channel }) };
}

describe('sendWhatsApp', () => {
  it('sends once to the debtor phone and answers retries from the row', async () => {
    const { channel, sendWhatsApp } = setup();
    const accountId = await account();
    const input = { accountId, idempotencyKey: `k-${uid()}`, text: 'Hola Ana, tu saldo es $1,500.00.' };
    const first = await sendWhatsApp(input);
    const second = await sendWhatsApp(input);
    expect(second).toEqual(first);
    expect(first.status).toBe('sent');
    expect(channel.sends).toEqual([{ to: '+525512345678', text: input.text }]);
    const r = await row(input.idempotencyKey);
    expect(r).toMatchObject({
      status: 'sent',
      provider: 'baileys',
      error: null,
      channel: 'whatsapp',
      locale: 'es-MX',
      template: 'text',
      providerMessageId: first.providerMessageId,
      bodyText: input.text,
    });
    expect(r?.sentAt).toBeInstanceOf(Date);
  });

  it('sends to an explicit number, normalised to E.164', async () => {
    const { channel, sendWhatsApp } = setup();
    await sendWhatsApp({
      accountId: await account(null),
      idempotencyKey: `k-${uid()}`,
      text: 'x',
      toE164: '+57 300 123 4567',
      template: 'overdue',
      locale: 'es',
    });
    expect(channel.sends[0]?.to).toBe('+573001234567');
  });

  it('refuses for good when the debtor has no phone or an invalid one, without a row', async () => {
    const { channel, sendWhatsApp } = setup();
    const noPhone = await failure(
      sendWhatsApp({ accountId: await account(null), idempotencyKey: `k-${uid()}`, text: 'x' }),
    );
    expect(noPhone).toMatchObject({ type: 'NoPhone', nonRetryable: true });
    const key = `k-${uid()}`;
    const invalid = await failure(sendWhatsApp({ accountId: await account('12345'), idempotencyKey: key, text: 'x' }));
    expect(invalid).toMatchObject({ type: 'InvalidPhone', nonRetryable: true });
    expect(await row(key)).toBeUndefined();
    expect(channel.sends).toHaveLength(0);
  });

  it('never sends again after a crash in flight: the retry marks the message uncertain', async () => {
    const { channel, sendWhatsApp } = setup();
    const accountId = await account();
    const key = `k-${uid()}`;
    // The state a worker leaves behind when it dies after handing the message to WhatsApp.
    await db.insert(outboundMessages).values({
      idempotencyKey: key,
      accountId,
      channel: 'whatsapp',
      template: 'text',
      locale: 'es',
      status: 'pending',
      provider: 'baileys',
      error: IN_FLIGHT,
    });

    const retry = await failure(sendWhatsApp({ accountId, idempotencyKey: key, text: 'x' }));
    expect(retry).toMatchObject({ type: 'WhatsAppUncertainDelivery', nonRetryable: true });
    expect(await row(key)).toMatchObject({ status: 'failed', error: UNCERTAIN_DELIVERY });
    const again = await failure(sendWhatsApp({ accountId, idempotencyKey: key, text: 'x' }));
    expect(again.type).toBe('WhatsAppUncertainDelivery');
    expect(channel.sends).toHaveLength(0);
  });

  it('a retry while the first attempt hangs inside the send does not send a second time', async () => {
    const { channel, sendWhatsApp } = setup();
    const accountId = await account();
    const input = { accountId, idempotencyKey: `k-${uid()}`, text: 'x' };
    const release = channel.hold();
    const first = sendWhatsApp(input);
    await channel.waitForSends(1);

    const retry = await failure(sendWhatsApp(input));
    expect(retry).toMatchObject({ type: 'WhatsAppUncertainDelivery', nonRetryable: true });
    expect(channel.sends).toHaveLength(1);

    // When the stuck attempt does finish, the row records the truth: the message went out, once.
    release();
    await first;
    expect(await row(input.idempotencyKey)).toMatchObject({ status: 'sent', error: null });
    expect(channel.sends).toHaveLength(1);
  });

  it('lets only one of two concurrent attempts send', async () => {
    const { channel, sendWhatsApp } = setup();
    const input = { accountId: await account(), idempotencyKey: `k-${uid()}`, text: 'x' };
    // The attempt that won the claim is held inside the channel until the other two have answered, so they
    // really run while it is in flight (a fixed 50 ms delay let a loaded machine start one after it finished).
    const release = channel.hold();
    let answered = 0;
    const attempts = [sendWhatsApp(input), sendWhatsApp(input), sendWhatsApp(input)];
    const settled = Promise.allSettled(attempts.map((p) => p.finally(() => (answered += 1))));
    await channel.waitForSends(1);
    while (answered < 2) await new Promise((r) => setTimeout(r, 5));
    release();
    const results = await settled;
    expect(channel.sends).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as ApplicationFailure).nonRetryable).toBe(true);
  });

  it('marks a send that failed mid-way as uncertain and never retries it', async () => {
    const { channel, sendWhatsApp } = setup();
    const input = { accountId: await account(), idempotencyKey: `k-${uid()}`, text: 'x' };
    channel.failNext(new Error('socket closed while sending'));
    const err = await failure(sendWhatsApp(input));
    expect(err).toMatchObject({ type: 'WhatsAppUncertainDelivery', nonRetryable: true });
    expect((await failure(sendWhatsApp(input))).type).toBe('WhatsAppUncertainDelivery');
    expect(channel.sends).toHaveLength(1);
    expect(await row(input.idempotencyKey)).toMatchObject({ status: 'failed', error: UNCERTAIN_DELIVERY });
  });

  it('retries what never left (disconnected, rate limit): the claim is released and the retry sends once', async () => {
    const { channel, sendWhatsApp } = setup();
    const input = { accountId: await account(), idempotencyKey: `k-${uid()}`, text: 'x' };
    channel.failNext(new WhatsAppSendError('not connected', 'disconnected', true, 'not_sent'));
    const disconnected = await failure(sendWhatsApp(input));
    expect(disconnected).toMatchObject({ type: 'WhatsAppSendError:disconnected', nonRetryable: false });
    expect(await row(input.idempotencyKey)).toMatchObject({ status: 'pending', error: null });

    channel.failNext(new WhatsAppSendError('daily cap', 'daily_cap', true, 'not_sent', 3_600_000));
    const capped = await failure(sendWhatsApp(input));
    expect(capped).toMatchObject({
      type: 'WhatsAppSendError:daily_cap',
      nonRetryable: false,
      nextRetryDelay: 3_600_000,
    });

    await sendWhatsApp(input);
    await sendWhatsApp(input);
    expect(channel.attempts).toBe(3);
    expect(channel.sends).toHaveLength(1);
  });

  it('stops for good when the number is not on WhatsApp', async () => {
    const { channel, sendWhatsApp } = setup();
    const input = { accountId: await account(), idempotencyKey: `k-${uid()}`, text: 'x' };
    channel.failNext(new WhatsAppSendError('no account', 'not_on_whatsapp', false, 'not_sent'));
    expect(await failure(sendWhatsApp(input))).toMatchObject({
      type: 'WhatsAppSendError:not_on_whatsapp',
      nonRetryable: true,
    });
    expect(await failure(sendWhatsApp(input))).toMatchObject({
      type: 'WhatsAppSendError:not_on_whatsapp',
      nonRetryable: true,
    });
    expect(channel.attempts).toBe(1);
    expect(await row(input.idempotencyKey)).toMatchObject({ status: 'failed', error: 'not_on_whatsapp' });
  });
});

describe('receipts', () => {
  it('records delivery receipts without stepping back', async () => {
    const { sendWhatsApp } = setup();
    const input = { accountId: await account(), idempotencyKey: `k-${uid()}`, text: 'x' };
    const { providerMessageId } = await sendWhatsApp(input);
    expect(await recordDeliveryStatus(db, { providerMessageId, status: 'delivered' })).toBe(true);
    expect(await recordDeliveryStatus(db, { providerMessageId, status: 'sent' })).toBe(false);
    expect((await row(input.idempotencyKey))?.deliveryStatus).toBe('delivered');
    expect(await recordDeliveryStatus(db, { providerMessageId, status: 'read' })).toBe(true);
    expect((await row(input.idempotencyKey))?.deliveryStatus).toBe('read');
    expect(await recordDeliveryStatus(db, { providerMessageId: `unknown-${uid()}`, status: 'read' })).toBe(false);
  });

  it('handles an inbound message id once', async () => {
    const id = `IN-${uid()}`;
    expect(await claimInbound(db, id)).toBe(true);
    expect(await claimInbound(db, id)).toBe(false);
  });
});
