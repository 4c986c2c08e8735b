// Opt-outs are read (issue 8 item 7), on the real servers: each of the four ways a channel becomes
// unusable records it once for the debtor and tells every open account of theirs; an account opened
// later starts without the channel; a send decided before the opt-out is refused when it would leave.
import { ApplicationFailure } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createChannelActivities } from '../../activities/channel.activities';
import { createResendSender } from '../../activities/email/resend-sender';
import { createInboundHandler } from '../../activities/whatsapp/inbound-handler';
import { createWhatsAppActivities } from '../../activities/whatsapp/whatsapp.activities';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, debtorChannelStatus, outboundMessages, workflowOutbox } from '../../db/schema';
import { recordChannelStatus } from '../../lib/channel-status';
import { signOptOutToken } from '../../lib/links';
import type { AccountWorkflowInput } from '../../workflows/account.messages';
import { FakeWhatsAppChannel } from '../whatsapp/fake-channel';
import { eventually, httpClient } from '../support/http';
import { TEST_LINK_SIGNING_SECRET, testLinks } from '../support/links';
import {
  createWebhookSecret,
  emailEvent,
  signWebhook,
  startResendServer,
  type ResendServer,
} from '../support/resend-server';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { afternoonZone } from '../support/zones';

const webhookSecret = createWebhookSecret();
let app: TestApp;
let resend: ResendServer;
let db: DbHandle;
let temporal: Client;
let call: ReturnType<typeof httpClient>;
let system: string;
let agent: string;

interface Opened {
  debtorId: string;
  accounts: { accountId: string; workflowId: string }[];
}

const phone = () => `+52558${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

/** One invoice; due in 40 days so no step is due while the test runs (the preventive stage starts at −5). */
async function invoice(
  debtorExternalId: string,
  currency: string,
  contact: { email?: string; phone?: string },
  dueInDays = 40,
) {
  const timezone = afternoonZone();
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: {
        externalId: debtorExternalId,
        name: 'Ana Pérez',
        kind: 'person',
        country: 'US',
        timezone,
        locale: 'en-US',
        ...contact,
      },
      amount: '300.00',
      currency,
      dueDate: DateTime.now().setZone(timezone).plus({ days: dueInDays }).toISODate(),
      strategyId: 'consumer-mx',
    },
    system,
  );
  expect(res.status).toBe(201);
  return res.body as { accountId: string; workflowId: string };
}

/** A debtor with two open accounts (one per currency): an opt-out must reach both. */
async function debtorWithTwoAccounts(
  contact: { email?: string; phone?: string } = { email: 'ana@example.com' },
): Promise<Opened> {
  const externalId = uniqueId('D');
  const usd = await invoice(externalId, 'USD', contact);
  const mxn = await invoice(externalId, 'MXN', contact);
  const [row] = await db.db
    .select({ debtorId: accounts.debtorId })
    .from(accounts)
    .where(eq(accounts.id, usd.accountId));
  return { debtorId: row?.debtorId ?? '', accounts: [usd, mxn] };
}

async function optedOutSignals(opened: Opened) {
  return db.db
    .select({ workflowId: workflowOutbox.workflowId, payload: workflowOutbox.payload })
    .from(workflowOutbox)
    .where(
      and(
        inArray(
          workflowOutbox.workflowId,
          opened.accounts.map((a) => a.workflowId),
        ),
        eq(workflowOutbox.signalName, 'optedOut'),
      ),
    );
}

async function statuses(debtorId: string) {
  return db.db.select().from(debtorChannelStatus).where(eq(debtorChannelStatus.debtorId, debtorId));
}

/** Both accounts got exactly one optedOut for the channel, and the debtor has one status row for it. */
async function expectEveryAccountTold(opened: Opened, channel: string, status: string) {
  const signals = await optedOutSignals(opened);
  expect(signals.map((s) => s.workflowId).sort()).toEqual(opened.accounts.map((a) => a.workflowId).sort());
  for (const s of signals) expect(s.payload).toEqual({ signalArg: { channel } });
  const rows = await statuses(opened.debtorId);
  expect(rows.map((r) => ({ channel: r.channel, status: r.status }))).toEqual([{ channel, status }]);
}

beforeAll(async () => {
  resend = await startResendServer();
  app = await startTestApp({
    RESEND_API_KEY: resend.apiKey,
    RESEND_BASE_URL: resend.url,
    RESEND_WEBHOOK_SECRET: webhookSecret,
  });
  call = httpClient(app.url);
  system = await app.keyFor('system');
  agent = await app.keyFor('supervisor');
  db = createDb(inject('databaseUrl'), { max: 2 });
  temporal = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
});

afterAll(async () => {
  await app?.stop();
  await resend?.close();
  await temporal?.connection.close();
  await db?.close();
});

/** An email of the account's first preventive step, as sent through Resend. */
async function sentEmail(accountId: string) {
  const [message] = await db.db
    .insert(outboundMessages)
    .values({
      idempotencyKey: `${accountId}/v1/preventive/0/1`,
      accountId,
      channel: 'email',
      template: 'upcoming',
      locale: 'en',
      status: 'sent',
      provider: 'resend',
      providerMessageId: uniqueId('re'),
      sentAt: new Date(),
    })
    .returning();
  return message;
}

/** Resend reports `type` for the message twice, each delivery signed anew and answered 200; their bodies. */
async function reportTwice(
  type: Parameters<typeof emailEvent>[0],
  message: { id: string; providerMessageId: string | null } | undefined,
) {
  const event = emailEvent(type, {
    emailId: message?.providerMessageId ?? '',
    tags: { message_id: message?.id ?? '' },
  });
  const bodies: unknown[] = [];
  for (let i = 0; i < 2; i += 1) {
    const signed = signWebhook(event, webhookSecret);
    const res = await fetch(`${app.url}/v1/webhooks/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed.headers },
      body: signed.body,
    });
    expect(res.status).toBe(200);
    bodies.push(await res.json());
  }
  return bodies;
}

describe('every way to opt out reaches every open account of the debtor', () => {
  it('the staff route (POST /v1/accounts/{id}/opt-outs) on one account', async () => {
    const opened = await debtorWithTwoAccounts();
    const first = opened.accounts[0]?.accountId ?? '';
    for (let i = 0; i < 2; i += 1) {
      const res = await call('POST', `/v1/accounts/${first}/opt-outs`, { channel: 'email' }, agent);
      expect(res.status).toBe(202);
    }
    await expectEveryAccountTold(opened, 'email', 'opted_out');
  });

  it('the signed opt-out link of one account’s email', async () => {
    const opened = await debtorWithTwoAccounts();
    const token = signOptOutToken(
      { accountId: opened.accounts[0]?.accountId ?? '', channel: 'email', expiresAt: Date.now() + 86_400_000 },
      TEST_LINK_SIGNING_SECRET,
    );
    for (let i = 0; i < 2; i += 1) {
      const res = await fetch(`${app.url}/v1/self-service/opt-out?token=${token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(res.status).toBe(200);
    }
    await expectEveryAccountTold(opened, 'email', 'opted_out');
  });

  it('a STOP reply on WhatsApp', async () => {
    const from = phone();
    const opened = await debtorWithTwoAccounts({ phone: from });
    const onInbound = createInboundHandler({
      db: db.db,
      temporal,
      channel: new FakeWhatsAppChannel(uniqueId('wa')),
      outbox: { taskQueue: app.config.temporal.taskQueue, dispatchNow: () => Promise.resolve() },
      links: { secret: TEST_LINK_SIGNING_SECRET, publicBaseUrl: 'https://cobranza.example.test' },
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    for (let i = 0; i < 2; i += 1)
      await onInbound({ fromE164: from, text: 'STOP', providerMessageId: uniqueId('IN'), at: new Date() });
    await expectEveryAccountTold(opened, 'whatsapp', 'opted_out');
  });

  it('a permanent bounce of one account’s email (and the bounced step is told it failed: later steps use the fallback)', async () => {
    const opened = await debtorWithTwoAccounts();
    const bounced = opened.accounts[0];
    const message = await sentEmail(bounced?.accountId ?? '');
    // A new delivery id each time: Resend reporting the same address again records and tells nothing new.
    await reportTwice('email.bounced', message);
    await expectEveryAccountTold(opened, 'email', 'invalid');
    const failed = await db.db
      .select({ payload: workflowOutbox.payload })
      .from(workflowOutbox)
      .where(
        and(eq(workflowOutbox.workflowId, bounced?.workflowId ?? ''), eq(workflowOutbox.signalName, 'deliveryFailed')),
      );
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed)
      expect(f.payload).toEqual({ signalArg: { key: 'preventive/0/1', channel: 'email', reason: 'bounced' } });
  });
});

describe('a complaint (Resend email.complained)', () => {
  it('records the debtor’s email as complained, tells every open account, and tells the complained-of message’s step it failed', async () => {
    const opened = await debtorWithTwoAccounts();
    // The complaint is about the second account's message: the first account must hear of it all the same.
    const complainedOf = opened.accounts[1];
    const message = await sentEmail(complainedOf?.accountId ?? '');
    // Two deliveries of the complaint (new delivery ids): the second records and tells nothing new.
    expect(await reportTwice('email.complained', message)).toEqual([
      { received: true, duplicate: false },
      { received: true, duplicate: false },
    ]);
    await expectEveryAccountTold(opened, 'email', 'complained');
    const [row] = await db.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.id, message?.id ?? ''));
    expect(row?.deliveryStatus).toBe('complained');
    const failed = await db.db
      .select({ workflowId: workflowOutbox.workflowId, payload: workflowOutbox.payload })
      .from(workflowOutbox)
      .where(
        and(
          inArray(
            workflowOutbox.workflowId,
            opened.accounts.map((a) => a.workflowId),
          ),
          eq(workflowOutbox.signalName, 'deliveryFailed'),
        ),
      );
    // Only the complained-of message's account hears deliveryFailed (each delivery says it again: the
    // workflow marks the channel failed once, so a repeat changes nothing there).
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed)
      expect(f).toEqual({
        workflowId: complainedOf?.workflowId,
        payload: { signalArg: { key: 'preventive/0/1', channel: 'email', reason: 'complained' } },
      });
  });
});

describe('an account opened after the opt-out', () => {
  it('starts without the channel, and its first message does not use it', async () => {
    const externalId = uniqueId('D');
    const before = await invoice(externalId, 'USD', { email: 'ana@example.com' });
    expect((await call('POST', `/v1/accounts/${before.accountId}/opt-outs`, { channel: 'email' }, agent)).status).toBe(
      202,
    );

    // Due in three days: consumer-mx's preventive email (day −3) is due at once for a new account.
    const after = await invoice(externalId, 'MXN', { email: 'ana@example.com' }, 3);
    const [start] = await db.db
      .select({ payload: workflowOutbox.payload })
      .from(workflowOutbox)
      .where(and(eq(workflowOutbox.workflowId, after.workflowId), eq(workflowOutbox.kind, 'signal_with_start')));
    const input = (start?.payload as { input: AccountWorkflowInput }).input;
    expect(input.debtor.channels).toEqual({ email: false, whatsapp: false });

    const view = await eventually(
      () => call('GET', `/v1/accounts/${after.accountId}`, undefined, system),
      (r) => (r.body.timeline as { type: string }[] | undefined)?.some((e) => e.type === 'skipped') ?? false,
    );
    const timeline = view.body.timeline as { type: string; channel?: string }[];
    expect(timeline.find((e) => e.type === 'skipped')).toMatchObject({ channel: 'email' });
    expect(timeline.filter((e) => e.type === 'message')).toEqual([]);
    expect(resend.sent.filter((r) => JSON.stringify(r.body).includes(after.accountId))).toEqual([]);
  });
});

describe('a send decided before the opt-out landed', () => {
  async function optedOutAccount(channel: 'email' | 'whatsapp', contact: { email?: string; phone?: string }) {
    const opened = await invoice(uniqueId('D'), 'USD', contact);
    const [row] = await db.db
      .select({ debtorId: accounts.debtorId })
      .from(accounts)
      .where(eq(accounts.id, opened.accountId));
    // The status lands; the workflow that decided the send has not heard of it yet.
    await db.db.transaction((tx) =>
      recordChannelStatus(tx, uniqueId('nobody'), {
        debtorIds: [row?.debtorId ?? ''],
        channel,
        status: 'opted_out',
        reason: 'test',
      }),
    );
    return opened.accountId;
  }

  async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  it('an email is refused at send time as a channel failure and never reaches Resend', async () => {
    const accountId = await optedOutAccount('email', { email: 'ana@example.com' });
    const sentBefore = resend.sent.length;
    const activities = createChannelActivities({
      db: db.db,
      email: createResendSender({ apiKey: resend.apiKey, baseUrl: resend.url, from: 'cobranza@example.com' }),
      links: testLinks,
    });
    const failure = await failureOf(
      activities.deliverMessage({
        accountId,
        idempotencyKey: `${accountId}/v1/early/0/1`,
        channel: 'email',
        template: 'overdue',
        locale: 'en',
        balanceMinor: 30000,
        currency: 'USD',
      }),
    );
    expect(failure).toMatchObject({ type: 'opted_out', nonRetryable: true });
    expect(resend.sent.length).toBe(sentBefore);
    expect(resend.sent.filter((r) => JSON.stringify(r.body).includes(accountId))).toEqual([]);
    const rows = await db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, accountId));
    expect(rows.filter((r) => r.status === 'sent')).toEqual([]);
  });

  it('a WhatsApp message already rendered is refused at send time and never reaches the number', async () => {
    const from = phone();
    const accountId = await optedOutAccount('whatsapp', { phone: from });
    const key = `${accountId}/v1/early/1/1`;
    await db.db.insert(outboundMessages).values({
      idempotencyKey: key,
      accountId,
      channel: 'whatsapp',
      template: 'overdue',
      locale: 'en',
      status: 'pending',
      bodyText: 'Your payment is overdue',
    });
    const channel = new FakeWhatsAppChannel(uniqueId('wa'));
    const activities = createWhatsAppActivities({ db: db.db, channel });
    const failure = await failureOf(
      activities.sendWhatsApp({ accountId, idempotencyKey: key, text: 'Your payment is overdue' }),
    );
    expect(failure).toMatchObject({ type: 'opted_out', nonRetryable: true });
    expect(channel.sends).toEqual([]);
    const [row] = await db.db.select().from(outboundMessages).where(eq(outboundMessages.idempotencyKey, key));
    expect(row).toMatchObject({ status: 'failed', error: 'opted_out' });
  });
});
