// A message rendered for a real account: the library's variables come from the account's own rows (its oldest
// open invoice, the debtor's zone, the portal link, CREDITOR_NAME), and a retry renders the same bytes.
import { MockActivityEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createChannelActivities, type SendResult } from '../../activities/channel.activities';
import { createDb, type DbHandle } from '../../db/client';
import { outboundMessages } from '../../db/schema';
import { testLinks } from '../support/links';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let system: string;
const zone = 'America/Mexico_City';
const day = (n: number) => DateTime.now().setZone(zone).plus({ days: n }).toISODate() ?? '';

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

describe('deliverMessage', () => {
  it("fills the library's due date, days past due, invoice, payment link and creditor from the account", async () => {
    const debtor = uniqueId('D');
    const older = uniqueId('F');
    let accountId = '';
    for (const [externalId, amount, due] of [
      [older, '400.00', day(-12)],
      [uniqueId('F'), '600.00', day(-3)],
    ] as const) {
      const res = await call(
        'POST',
        '/v1/invoices',
        {
          externalId,
          debtor: { externalId: debtor, name: 'Ana Pérez', kind: 'person', email: 'ana@example.com', country: 'MX' },
          amount,
          currency: 'MXN',
          dueDate: due,
        },
        system,
      );
      expect(res.status).toBe(201);
      accountId = res.body.accountId as string;
    }
    await eventually(
      () => call('GET', `/v1/accounts/${accountId}`, undefined, system),
      (r) => r.body.balance?.amount === '1000.00',
    );
    const activities = createChannelActivities({
      db: db.db,
      email: null,
      links: testLinks,
      creditorName: 'Distribuidora del Norte',
    });
    const env = new MockActivityEnvironment();
    type Input = Parameters<typeof activities.deliverMessage>[0];
    const deliver = async (args: Input) => {
      const result: SendResult = await env.run((a: Input) => activities.deliverMessage(a), args);
      const [row] = await db.db.select().from(outboundMessages).where(eq(outboundMessages.id, result.messageId));
      return { result, text: row?.bodyText ?? '' };
    };
    const input = {
      accountId,
      idempotencyKey: uniqueId('msg'),
      channel: 'email',
      locale: 'es-MX',
      balanceMinor: 100000,
      currency: 'MXN',
    };
    const notice = await deliver({ ...input, template: 'prelegal-notice' });
    expect(notice.result.status).toBe('captured');
    expect(notice.text).toContain(
      'su saldo de $1,000.00 tiene 12 días de atraso. Comuníquese con Distribuidora del Norte para regularizarlo.',
    );
    // The oldest invoice with money open is named, with its due date in the message's language.
    const dueText = (d: string) => DateTime.fromISO(d).setLocale('es-MX').toLocaleString(DateTime.DATE_FULL);
    const reminder = await deliver({ ...input, idempotencyKey: uniqueId('msg'), template: 'invoice-reminder' });
    expect(reminder.text).toContain(`la factura ${older} por $1,000.00 vence el ${dueText(day(-12))}.`);
    // The portal link is the library's payment link.
    const overdue = await deliver({ ...input, idempotencyKey: uniqueId('msg'), template: 'overdue' });
    expect(overdue.text).toMatch(/Paga o propón una fecha: http:\/\/\S+\/portal\/p1\.\S+/);
    // With 600.00 left the older invoice is covered: the next one is named, 3 days past due.
    const partly = await deliver({
      ...input,
      idempotencyKey: uniqueId('msg'),
      balanceMinor: 60000,
      template: 'prelegal-notice',
    });
    expect(partly.text).toContain('tiene 3 días de atraso');
    // A retry of the same message is the first one's answer (nothing rendered or kept twice).
    expect((await deliver({ ...input, template: 'prelegal-notice' })).result).toEqual(notice.result);
  });
});
