// The WhatsApp channel wired end to end on the real servers, with a fake WhatsAppChannel in place of
// Baileys: account workflows send their WhatsApp steps through the number's own worker exactly once,
// refusals fall back, receipts and debtor replies reach the workflow, and numbers pair over the API.
import type { Client } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WhatsAppSendError } from '../../activities/whatsapp/channel';
import { localToday, parseReply, replyFor } from '../../activities/whatsapp/inbound-menu';
import { normaliseE164 } from '../../lib/phone';
import { createDb, type DbHandle } from '../../db/client';
import {
  accounts,
  agentTasks,
  debtorChannelStatus,
  outboundMessages,
  strategyVersions,
  whatsappNumbers,
  portalLinks,
} from '../../db/schema';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { connectTestClient, decodedHistory } from '../support/temporal';
import { FakeWhatsAppChannel } from './fake-channel';

const numberId = uniqueId('wa-wiring');
const channel = new FakeWhatsAppChannel(numberId);
const strategyId = uniqueId('wa-wiring');
const definition = {
  id: strategyId,
  name: 'WhatsApp wiring',
  jurisdiction: 'US',
  // Any "day/month" within a year is a promise this strategy accepts, whatever day the suite runs.
  promise: { maxDaysAhead: 366, minPercent: 10, graceDays: 1 },
  stages: [
    {
      id: 'early',
      kind: 'administrative',
      fromDay: 1,
      steps: [
        { day: 2, action: 'message', channel: 'whatsapp', template: 'overdue', fallback: 'email' },
        { day: 3, action: 'message', channel: 'whatsapp', template: 'overdue', fallback: 'email' },
      ],
    },
  ],
  escalations: [],
  templates: {},
};

let app: TestApp;
let db: DbHandle;
let temporal: Client;
let call: ReturnType<typeof httpClient>;
let system: string;

/** A fixed-offset zone where it is early afternoon now: the US pack's window (08–21, every day) is open. */
function zoneAtOneInTheAfternoon(): string {
  let offset = 13 - new Date().getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  return offset === 0 ? 'Etc/UTC' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

/** Mexico City mobile numbers, unique per test: debtors are found by phone. */
function uniquePhone(): string {
  for (;;) {
    const candidate = `+5255${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    if (normaliseE164(candidate) === candidate) return candidate;
  }
}

interface Opened {
  accountId: string;
  workflowId: string;
  phone: string;
  zone: string;
}

async function openAccount(amount = '900.00'): Promise<Opened> {
  const zone = zoneAtOneInTheAfternoon();
  const phone = uniquePhone();
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: {
        externalId: uniqueId('D'),
        name: 'Lucía Gómez',
        kind: 'person',
        email: 'lucia@example.com',
        phone,
        country: 'US',
        timezone: zone,
        locale: 'es-MX',
      },
      amount,
      currency: 'USD',
      dueDate: DateTime.now().setZone(zone).minus({ days: 2 }).toISODate(),
      strategyId,
    },
    system,
  );
  expect(res.status).toBe(201);
  return { accountId: res.body.accountId as string, workflowId: res.body.workflowId as string, phone, zone };
}

const view = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, system);
const sendsTo = (phone: string) => channel.sends.filter((s) => s.to === phone);

async function signalsOf(workflowId: string): Promise<{ name: string; arg: unknown }[]> {
  const history = await decodedHistory(temporal, workflowId);
  const converter = temporal.options.loadedDataConverter.payloadConverter;
  return (history.events ?? []).flatMap((e) => {
    const s = e.workflowExecutionSignaledEventAttributes;
    if (!s?.signalName) return [];
    const payload = s.input?.payloads?.[0];
    return [{ name: s.signalName, arg: payload ? converter.fromPayload(payload) : undefined }];
  });
}

async function stepRow(accountId: string) {
  return eventually(
    async () =>
      (
        await db.db
          .select()
          .from(outboundMessages)
          .where(and(eq(outboundMessages.accountId, accountId), eq(outboundMessages.template, 'overdue')))
      )[0],
    (row) => row !== undefined && row.status !== 'pending',
  );
}

function inbound(from: string, text: string) {
  const m = { fromE164: from, text, providerMessageId: uniqueId('IN').toUpperCase(), at: new Date() };
  channel.emitInbound(m);
  return m;
}

beforeAll(async () => {
  db = createDb(inject('databaseUrl'), { max: 2 });
  await db.db.insert(strategyVersions).values({ strategyId, version: 1, definition });
  app = await startTestApp(
    { WHATSAPP_NUMBERS: numberId, WHATSAPP_SEND_NUMBER: numberId, PUBLIC_BASE_URL: 'https://cobranza.example.test' },
    { whatsappChannel: () => channel, whatsappPairingPollMs: 100 },
  );
  call = httpClient(app.url);
  system = await app.keyFor('system');
  temporal = await connectTestClient();
});

afterAll(async () => {
  await app?.stop();
  await temporal?.connection.close();
  await db?.close();
});

describe('outbound WhatsApp steps', () => {
  it('are sent once, from the number worker, and their receipts reach the workflow', async () => {
    expect(app.runtime.whatsapp.map((w) => w.taskQueue)).toEqual([`whatsapp-${numberId}`]);
    const { accountId, workflowId, phone } = await openAccount();
    const row = await stepRow(accountId);
    expect(row).toMatchObject({
      channel: 'whatsapp',
      status: 'sent',
      provider: 'baileys',
      idempotencyKey: `${accountId}/v1/early/0/1`,
    });
    expect(sendsTo(phone)).toHaveLength(1);
    expect(sendsTo(phone)[0]?.text).toContain('Lucía Gómez');
    expect(row?.bodyText).toBe(sendsTo(phone)[0]?.text);
    const opened = await view(accountId);
    expect(opened.body.timeline).toContainEqual(
      expect.objectContaining({ type: 'message', channel: 'whatsapp', template: 'overdue' }),
    );
    expect(opened.body.nextAction).toMatchObject({ type: 'message', channel: 'whatsapp' });

    const providerMessageId = row?.providerMessageId ?? '';
    channel.emitStatus({ providerMessageId, status: 'delivered' });
    channel.emitStatus({ providerMessageId, status: 'delivered' });
    await eventually(
      () => signalsOf(workflowId),
      (s) => s.some((x) => x.name === 'contactOutcome'),
    );
    // A read receipt right behind an undelivered signal would wait for the relay (the outbox keeps the order).
    channel.emitStatus({ providerMessageId, status: 'read' });
    const signals = await eventually(
      () => signalsOf(workflowId),
      (s) => s.filter((x) => x.name === 'contactOutcome').length >= 2,
    );
    expect(signals.filter((s) => s.name === 'contactOutcome').map((s) => s.arg)).toEqual([
      { channel: 'whatsapp', outcome: 'whatsapp_delivered' },
      { channel: 'whatsapp', outcome: 'whatsapp_read' },
    ]);
    const [stored] = await db.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.id, row?.id ?? ''));
    expect(stored?.deliveryStatus).toBe('read');
    // Still exactly one message, however the receipts went.
    expect(sendsTo(phone)).toHaveLength(1);
  });

  it('tells the workflow a failed delivery with its step key, and the next step falls back to email', async () => {
    const { accountId, workflowId } = await openAccount();
    const row = await stepRow(accountId);
    channel.emitStatus({ providerMessageId: row?.providerMessageId ?? '', status: 'failed' });
    const signals = await eventually(
      () => signalsOf(workflowId),
      (s) => s.some((x) => x.name === 'deliveryFailed'),
    );
    expect(signals.find((s) => s.name === 'deliveryFailed')?.arg).toEqual({
      key: 'early/0/1',
      channel: 'whatsapp',
      reason: 'failed',
    });
    const after = await eventually(
      () => view(accountId),
      (r) => r.body.nextAction?.channel === 'email',
    );
    expect(after.body.nextAction).toMatchObject({ type: 'message', channel: 'email' });
  });

  it('falls back per the core when WhatsApp refuses for good (not on WhatsApp), without retrying', async () => {
    const attempts = channel.attempts;
    channel.failNext(new WhatsAppSendError('The number has no WhatsApp account', 'not_on_whatsapp', false, 'not_sent'));
    const { accountId, phone } = await openAccount();
    const row = await stepRow(accountId);
    expect(row).toMatchObject({ status: 'failed', error: 'not_on_whatsapp' });
    const after = await eventually(
      () => view(accountId),
      (r) => r.body.nextAction?.channel === 'email',
    );
    expect(after.body.nextAction).toMatchObject({ type: 'message', channel: 'email' });
    expect(channel.attempts - attempts).toBe(1);
    expect(sendsTo(phone)).toHaveLength(0);
  });
});

describe('debtor replies', () => {
  async function opened(): Promise<Opened> {
    const account = await openAccount('1200.00');
    await stepRow(account.accountId);
    await eventually(
      () => view(account.accountId),
      (r) => r.body.balance?.amount === '1200.00',
    );
    return account;
  }

  it('"2 15/12" registers a promise for the whole balance and answers with the date', async () => {
    const { accountId, workflowId, phone, zone } = await opened();
    const m = inbound(phone, '2 15/12');
    const date = parseReply('2 15/12', 'es-MX', localToday(m.at, zone)).date ?? '';
    const expected = replyFor({ kind: 'promise_accepted', date }, 'es-MX');
    await eventually(
      () => Promise.resolve(sendsTo(phone).map((s) => s.text)),
      (texts) => texts.includes(expected),
    );
    expect(sendsTo(phone).map((s) => s.text)).toContain(expected);
    const promised = await view(accountId);
    expect(promised.body.promise).toMatchObject({ amount: '1200.00', dueDate: date, status: 'active' });
    const signals = await signalsOf(workflowId);
    expect(signals.filter((s) => s.name === 'debtorReplied').map((s) => s.arg)).toEqual([
      { channel: 'whatsapp', text: '2 15/12' },
    ]);
    const [reply] = await db.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.idempotencyKey, `${accountId}/reply/${m.providerMessageId}`));
    expect(reply).toMatchObject({ status: 'sent', template: 'reply:promise_accepted', bodyText: expected });

    // The same WhatsApp message delivered again is not handled again.
    const before = sendsTo(phone).length;
    channel.emitInbound(m);
    await new Promise((r) => setTimeout(r, 500));
    expect(sendsTo(phone)).toHaveLength(before);
  });

  it('"STOP" opts the debtor out of WhatsApp and confirms', async () => {
    const { accountId, workflowId, phone } = await opened();
    inbound(phone, 'STOP');
    const expected = replyFor({ kind: 'opted_out' }, 'es-MX');
    await eventually(
      () => Promise.resolve(sendsTo(phone).map((s) => s.text)),
      (texts) => texts.includes(expected),
    );
    const [account] = await db.db.select().from(accounts).where(eq(accounts.id, accountId));
    const [status] = await db.db
      .select()
      .from(debtorChannelStatus)
      .where(
        and(eq(debtorChannelStatus.debtorId, account?.debtorId ?? ''), eq(debtorChannelStatus.channel, 'whatsapp')),
      );
    expect(status?.status).toBe('opted_out');
    const signals = await eventually(
      () => signalsOf(workflowId),
      (s) => s.some((x) => x.name === 'optedOut'),
    );
    expect(signals.filter((s) => s.name === 'optedOut').map((s) => s.arg)).toEqual([{ channel: 'whatsapp' }]);
    expect(signals.filter((s) => s.name === 'debtorReplied')).toHaveLength(1);
    // The day-3 WhatsApp step now goes by email.
    const after = await eventually(
      () => view(accountId),
      (r) => r.body.nextAction?.channel === 'email',
    );
    expect(after.body.nextAction?.channel).toBe('email');
  });

  it('answers "1" with a payment link, "4" with an agent task, "3 …" with a dispute, anything else with the menu', async () => {
    const { accountId, workflowId, phone } = await opened();
    const texts = () => sendsTo(phone).map((s) => s.text);
    const replies = () => Promise.resolve(texts());

    inbound(phone, '1');
    // The debtor's portal link (one per debtor, signed): the same link the account's portal-link route gives.
    const prefix = replyFor({ kind: 'payment_link', url: 'https://cobranza.example.test/portal/' }, 'es-MX');
    const sent = await eventually(
      () => Promise.resolve(texts().find((t) => t.startsWith(prefix))),
      (t) => t !== undefined,
    );
    const token = sent?.slice(prefix.length) ?? '';
    const [account] = await db.db.select().from(accounts).where(eq(accounts.id, accountId));
    const [link] = await db.db
      .select()
      .from(portalLinks)
      .where(eq(portalLinks.debtorId, account?.debtorId ?? ''));
    expect(token).toMatch(/^p1\./);
    expect(token.split('.')[1]).toBe(link?.linkId);

    const agent = inbound(phone, '4');
    await eventually(replies, (t) => t.includes(replyFor({ kind: 'agent_will_call' }, 'es-MX')));
    const [task] = await db.db
      .select()
      .from(agentTasks)
      .where(eq(agentTasks.idempotencyKey, `whatsapp-inbound/${agent.providerMessageId}`));
    expect(task).toMatchObject({ accountId, channel: 'call', priority: 'high', status: 'open' });

    inbound(phone, 'hola?');
    await eventually(replies, (t) => t.includes(replyFor({ kind: 'menu' }, 'es-MX')));

    inbound(phone, '3 no reconozco la factura');
    await eventually(replies, (t) => t.includes(replyFor({ kind: 'dispute_opened' }, 'es-MX')));
    const disputed = await eventually(
      () => view(accountId),
      (r) => r.body.status === 'disputed',
    );
    expect(disputed.body.timeline).toContainEqual(
      expect.objectContaining({ type: 'dispute_opened', reason: 'no reconozco la factura' }),
    );
    const signals = await signalsOf(workflowId);
    expect(signals.filter((s) => s.name === 'debtorReplied')).toHaveLength(4);
  });

  it('says why a promise is refused, and asks for the date when there is none', async () => {
    const { accountId, phone, zone } = await opened();
    const texts = () => Promise.resolve(sendsTo(phone).map((s) => s.text));
    inbound(phone, '2');
    const needsDate = replyFor({ kind: 'promise_needs_date' }, 'es-MX');
    expect(await eventually(texts, (t) => t.includes(needsDate))).toContain(needsDate);

    const far = inbound(phone, '2 2099-01-01');
    const latestDate = DateTime.fromISO(localToday(far.at, zone)).plus({ days: 366 }).toISODate() ?? '';
    const refused = replyFor({ kind: 'promise_rejected', reason: 'due_date_too_far', latestDate }, 'es-MX');
    expect(await eventually(texts, (t) => t.includes(refused))).toContain(refused);
    const after = await view(accountId);
    expect(after.body.promise).toBeNull();
    expect(after.body.timeline).toContainEqual(
      expect.objectContaining({ type: 'promise_rejected', reason: 'due_date_too_far' }),
    );
  });

  it('ignores numbers that belong to no debtor', async () => {
    const stranger = uniquePhone();
    inbound(stranger, '1');
    await new Promise((r) => setTimeout(r, 500));
    expect(sendsTo(stranger)).toHaveLength(0);
  });
});

describe('pairing over the API', () => {
  it('registers a number, takes a pairing-code request to the process holding the socket, and shows the code', async () => {
    const admin = await app.keyFor('admin');
    const created = await call('POST', '/v1/whatsapp/numbers', { id: numberId }, admin);
    expect([200, 201]).toContain(created.status);
    expect(created.body).toMatchObject({ id: numberId, qr: null, pairingCode: null });
    expect((await call('POST', '/v1/whatsapp/numbers', { id: numberId }, admin)).status).toBe(200);

    const asked = await call(
      'POST',
      `/v1/whatsapp/numbers/${numberId}/pairing-code`,
      { phone: '+52 55 1234 5678' },
      admin,
    );
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({
      id: numberId,
      phone: '+525512345678',
      pairingRequested: true,
      pairingCode: null,
    });
    const paired = await eventually(
      () => call('GET', `/v1/whatsapp/numbers/${numberId}`, undefined, admin),
      (r) => r.body.pairingCode !== null,
    );
    expect(paired.status).toBe(200);
    expect(paired.body).toMatchObject({
      id: numberId,
      status: 'pairing',
      pairingCode: 'ABCD1234',
      phone: '+525512345678',
      pairingRequested: false,
      pairingError: null,
    });
  });

  it('answers with problem details: bad phone, unknown number, already paired, unknown fields, wrong role', async () => {
    const admin = await app.keyFor('admin');
    const other = uniqueId('wa-new');
    const fresh = await call('POST', '/v1/whatsapp/numbers', { id: other }, admin);
    expect(fresh.status).toBe(201);
    expect(fresh.body).toMatchObject({ id: other, status: 'unpaired', qr: null, pairingCode: null, phone: null });

    const badPhone = await call('POST', `/v1/whatsapp/numbers/${other}/pairing-code`, { phone: '+52 1' }, admin);
    expect(badPhone.status).toBe(400);
    expect(badPhone.type).toContain('application/problem+json');
    expect(badPhone.body.errors).toEqual([{ field: 'phone', message: expect.any(String) }]);
    const unknownField = await call('POST', '/v1/whatsapp/numbers', { id: uniqueId('wa'), colour: 'green' }, admin);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors.map((e: { field: string }) => e.field)).toEqual(['colour']);
    const badId = await call('POST', '/v1/whatsapp/numbers', { id: 'no spaces/please' }, admin);
    expect(badId.status).toBe(400);

    const missing = await call('GET', `/v1/whatsapp/numbers/${uniqueId('wa-none')}`, undefined, admin);
    expect(missing.status).toBe(404);
    expect(missing.type).toContain('application/problem+json');
    expect(
      (
        await call(
          'POST',
          `/v1/whatsapp/numbers/${uniqueId('wa-none')}/pairing-code`,
          { phone: '+525512345678' },
          admin,
        )
      ).status,
    ).toBe(404);

    await db.db.update(whatsappNumbers).set({ status: 'connected' }).where(eq(whatsappNumbers.id, other));
    const paired = await call('POST', `/v1/whatsapp/numbers/${other}/pairing-code`, { phone: '+525512345678' }, admin);
    expect(paired.status).toBe(409);

    expect((await call('GET', `/v1/whatsapp/numbers/${other}`, undefined, null)).status).toBe(401);
    expect((await call('GET', `/v1/whatsapp/numbers/${other}`, undefined, system)).status).toBe(403);
    expect(
      (await call('POST', '/v1/whatsapp/numbers', { id: uniqueId('wa') }, await app.keyFor('supervisor'))).status,
    ).toBe(403);
  });
});
