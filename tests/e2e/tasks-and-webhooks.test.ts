// Agent tasks (queue, completion → workflow) and Resend delivery webhooks (verified, deduplicated, signalled).
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createChannelActivities } from '../../activities/channel.activities';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, agentTasks, debtorChannelStatus, outboundMessages, workflowOutbox } from '../../db/schema';
import { eventually, httpClient } from '../support/http';
import { testLinks } from '../support/links';
import { createWebhookSecret, emailEvent, signWebhook } from '../support/resend-server';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

const secret = createWebhookSecret();
let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let system: string;

async function openAccount() {
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: {
        externalId: uniqueId('D'),
        name: 'Marta Ruiz',
        kind: 'person',
        email: 'marta@example.com',
        country: 'MX',
      },
      amount: '800.00',
      currency: 'MXN',
      dueDate: DateTime.now().setZone('America/Mexico_City').minus({ days: 3 }).toISODate(),
    },
    system,
  );
  expect(res.status).toBe(201);
  return { accountId: res.body.accountId as string, workflowId: res.body.workflowId as string };
}

beforeAll(async () => {
  app = await startTestApp({ RESEND_WEBHOOK_SECRET: secret });
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

describe('agent tasks', () => {
  it('creates a task once per key, queues it by priority for its agent, and tells the workflow the outcome', async () => {
    const { accountId, workflowId } = await openAccount();
    const agentId = uniqueId('agent');
    await db.db.update(accounts).set({ assignedAgentId: agentId }).where(eq(accounts.id, accountId));
    const activities = createChannelActivities({ db: db.db, email: null, links: testLinks });
    const key = `${accountId}/v1/early/1/1`;
    const first = await activities.createAgentTask({
      accountId,
      idempotencyKey: key,
      channel: 'call',
      priority: 'high',
      dueAt: Date.now(),
    });
    const retried = await activities.createAgentTask({
      accountId,
      idempotencyKey: key,
      channel: 'call',
      priority: 'high',
      dueAt: Date.now(),
    });
    expect(retried.taskId).toBe(first.taskId);
    const low = await activities.createAgentTask({
      accountId,
      idempotencyKey: `${key}-low`,
      channel: 'visit',
      priority: 'low',
      dueAt: Date.now() - 60_000,
    });

    const agent = await app.keyFor('agent', agentId);
    const queue = await call('GET', '/v1/tasks?limit=1', undefined, agent);
    expect(queue.status).toBe(200);
    expect(queue.body.items).toEqual([
      expect.objectContaining({ id: first.taskId, priority: 'high', assignedAgentId: agentId }),
    ]);
    const next = await call('GET', `/v1/tasks?limit=1&cursor=${queue.body.nextCursor as string}`, undefined, agent);
    expect(next.body.items).toEqual([expect.objectContaining({ id: low.taskId })]);

    const stranger = await app.keyFor('agent', uniqueId('agent'));
    expect(
      (await call('POST', `/v1/tasks/${first.taskId}/complete`, { outcome: 'right_party' }, stranger)).status,
    ).toBe(404);
    const done = await call(
      'POST',
      `/v1/tasks/${first.taskId}/complete`,
      { outcome: 'right_party', note: 'habló con el titular' },
      agent,
    );
    expect(done.status).toBe(200);
    const again = await call('POST', `/v1/tasks/${first.taskId}/complete`, { outcome: 'right_party' }, agent);
    expect(again.status).toBe(200);
    const [row] = await db.db.select().from(agentTasks).where(eq(agentTasks.id, first.taskId));
    expect(row).toMatchObject({ status: 'done', outcome: 'right_party' });
    const signals = await eventually(
      () =>
        db.db
          .select()
          .from(workflowOutbox)
          .where(and(eq(workflowOutbox.workflowId, workflowId), eq(workflowOutbox.signalName, 'contactOutcome'))),
      (rows) => rows.length === 1 && rows[0]?.dispatchedAt !== null,
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]?.dispatchedAt).not.toBeNull();
  });
});

describe('Resend webhooks', () => {
  async function messageFor(accountId: string) {
    const [row] = await db.db
      .insert(outboundMessages)
      .values({
        idempotencyKey: `${accountId}/v1/early/0/1`,
        accountId,
        channel: 'email',
        template: 'overdue',
        locale: 'es',
        status: 'sent',
        provider: 'resend',
        providerMessageId: crypto.randomUUID(),
      })
      .returning();
    if (!row) throw new Error('no row');
    return row;
  }

  const post = (signed: { body: string; headers: Record<string, string> }) =>
    fetch(`${app.url}/v1/webhooks/resend`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signed.headers },
      body: signed.body,
    });

  it('records a delivery once, however often Resend retries it', async () => {
    const { accountId } = await openAccount();
    const message = await messageFor(accountId);
    const signed = signWebhook(
      emailEvent('email.delivered', {
        emailId: message.providerMessageId ?? '',
        tags: { account_id: accountId, message_id: message.id },
      }),
      secret,
    );
    const first = await post(signed);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    const retry = await post(signed);
    expect(await retry.json()).toEqual({ received: true, duplicate: true });
    const [row] = await db.db.select().from(outboundMessages).where(eq(outboundMessages.id, message.id));
    expect(row?.deliveryStatus).toBe('delivered');
  });

  it('never moves a status back: a late "delivered" retried after "opened" leaves "opened"', async () => {
    const { accountId } = await openAccount();
    const message = await messageFor(accountId);
    const event = (type: 'email.delivered' | 'email.opened', at: Date) =>
      signWebhook(
        emailEvent(type, { emailId: message.providerMessageId ?? '', tags: { message_id: message.id }, at }),
        secret,
      );
    expect((await post(event('email.opened', new Date('2026-11-02T10:05:00Z')))).status).toBe(200);
    expect((await post(event('email.delivered', new Date('2026-11-02T10:00:00Z')))).status).toBe(200);
    const [row] = await db.db.select().from(outboundMessages).where(eq(outboundMessages.id, message.id));
    expect(row?.deliveryStatus).toBe('opened');
    expect(row?.deliveryUpdatedAt?.toISOString()).toBe('2026-11-02T10:05:00.000Z');
  });

  it('refuses a tampered body or a wrong signature', async () => {
    const { accountId } = await openAccount();
    const message = await messageFor(accountId);
    const signed = signWebhook(
      emailEvent('email.opened', { emailId: message.providerMessageId ?? '', tags: { message_id: message.id } }),
      secret,
    );
    const tampered = await post({ ...signed, body: signed.body.replace('opened', 'clicked') });
    expect(tampered.status).toBe(401);
    const otherSecret = signWebhook(emailEvent('email.opened', { emailId: 'x' }), createWebhookSecret());
    expect((await post(otherSecret)).status).toBe(401);
  });

  it('marks a bounced address invalid and tells the workflow to use the fallback', async () => {
    const { accountId, workflowId } = await openAccount();
    const message = await messageFor(accountId);
    const event = emailEvent('email.bounced', {
      emailId: message.providerMessageId ?? '',
      tags: { message_id: message.id },
    });
    const res = await post(signWebhook(event, secret));
    expect(res.status).toBe(200);
    const [account] = await db.db.select().from(accounts).where(eq(accounts.id, accountId));
    const [status] = await db.db
      .select()
      .from(debtorChannelStatus)
      .where(eq(debtorChannelStatus.debtorId, account?.debtorId ?? ''));
    expect(status).toMatchObject({ channel: 'email', status: 'invalid' });
    const [signal] = await db.db
      .select()
      .from(workflowOutbox)
      .where(and(eq(workflowOutbox.workflowId, workflowId), eq(workflowOutbox.signalName, 'deliveryFailed')));
    expect(signal?.payload).toEqual({ signalArg: { key: 'early/0/1', channel: 'email', reason: 'bounced' } });
  });
});
