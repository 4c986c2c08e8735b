// The contact ledger at send time: reservations under a per-debtor lock, other accounts' contacts
// handed back to the core, every decision queryable per debtor with its rule.
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createContactBudgetActivities } from '../../activities/contact-budget.activities';
import { createDb, type DbHandle } from '../../db/client';
import { contactDecisions } from '../../db/schema';
import { httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let system: string;

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 4 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

async function invoice(debtorId: string, currency: string, amount: string) {
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: {
        externalId: debtorId,
        name: 'Comercial Andina S.A.S.',
        kind: 'company',
        email: 'cartera@example.com',
        country: 'CO',
      },
      amount,
      currency,
      dueDate: DateTime.now().setZone('America/Bogota').plus({ days: 20 }).toISODate(),
    },
    system,
  );
  expect(res.status).toBe(201);
  return res.body.accountId as string;
}

describe('contact budget ledger', () => {
  it('keeps the time of the latest decision, whichever attempt writes last', async () => {
    const account = await invoice(uniqueId('NIT'), 'COP', '900000.00');
    const budget = createContactBudgetActivities({ db: db.db });
    const key = `${account}/v0/retried/0/1`;
    const reserve = (at: number) =>
      budget.reserveContacts({
        accountId: account,
        knownUpTo: 0,
        attempts: [{ key, channel: 'email', at }],
        decisions: [],
        packVersion: 'CO@1',
      });
    const lost = Date.now() - 60_000;
    const retried = lost + 10_000;
    const decidedAt = async () =>
      (await db.db.select().from(contactDecisions).where(eq(contactDecisions.attemptKey, key))).map((r) =>
        r.decidedAt.getTime(),
      );
    // A retried workflow task decides the same send again, later: its time replaces the lost attempt's.
    expect((await reserve(lost)).ok).toBe(true);
    expect((await reserve(retried)).ok).toBe(true);
    expect(await decidedAt()).toEqual([retried]);
    // The lost attempt's write arriving after the retry's (it waited behind the debtor's lock) changes nothing.
    expect((await reserve(lost)).ok).toBe(true);
    expect(await decidedAt()).toEqual([retried]);
  });

  it('lets one account of a debtor take a slot and hands it to the other before it can take one', async () => {
    const debtorId = uniqueId('NIT');
    const cop = await invoice(debtorId, 'COP', '2500000.00');
    const usd = await invoice(debtorId, 'USD', '800.00');
    expect(usd).not.toBe(cop);
    const budget = createContactBudgetActivities({ db: db.db });
    const now = Date.now();
    const keyA = `${cop}/v0/test/0/1`;
    const first = await budget.reserveContacts({
      accountId: cop,
      knownUpTo: 0,
      attempts: [{ key: keyA, channel: 'email', at: now }],
      decisions: [],
      packVersion: 'CO@1',
    });
    expect(first.ok).toBe(true);
    // A retried activity records the contact once.
    expect(
      (
        await budget.reserveContacts({
          accountId: cop,
          knownUpTo: 0,
          attempts: [{ key: keyA, channel: 'email', at: now }],
          decisions: [],
          packVersion: 'CO@1',
        })
      ).ok,
    ).toBe(true);

    const keyB = `${usd}/v0/test/0/1`;
    const second = await budget.reserveContacts({
      accountId: usd,
      knownUpTo: 0,
      attempts: [{ key: keyB, channel: 'whatsapp', at: now + 1000 }],
      decisions: [],
      packVersion: 'CO@1',
    });
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.contacts).toEqual([{ at: now, channel: 'email' }]);
    // The core decides again with that contact and defers; the deferral is recorded with its rule.
    const third = await budget.reserveContacts({
      accountId: usd,
      knownUpTo: second.knownUpTo,
      attempts: [],
      decisions: [
        {
          key: `${usd}/deferred/x`,
          channel: 'whatsapp',
          decision: 'deferred',
          rule: 'max_per_day',
          at: now + 1000,
          until: now + 86_400_000,
        },
      ],
      packVersion: 'CO@1',
    });
    expect(third.ok).toBe(true);

    const rows = await db.db
      .select()
      .from(contactDecisions)
      .where(
        and(
          inArray(contactDecisions.accountId, [cop, usd]),
          inArray(contactDecisions.attemptKey, [keyA, keyB, `${usd}/deferred/x`]),
        ),
      );
    expect(rows.map((r) => [r.accountId, r.decision, r.rule]).sort()).toEqual(
      [
        [cop, 'sent', null],
        [usd, 'deferred', 'max_per_day'],
      ].sort(),
    );

    const listed = await call('GET', `/v1/debtors/${debtorId}/contact-decisions`, undefined, system);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ accountId: cop, channel: 'email', decision: 'sent', rule: null }),
        expect.objectContaining({
          accountId: usd,
          channel: 'whatsapp',
          decision: 'deferred',
          rule: 'max_per_day',
          packVersion: 'CO@1',
        }),
      ]),
    );
    const agent = await app.keyFor('agent', uniqueId('agent'));
    expect((await call('GET', `/v1/debtors/${debtorId}/contact-decisions`, undefined, agent)).status).toBe(403);
    expect((await call('GET', `/v1/debtors/${uniqueId('nobody')}/contact-decisions`, undefined, system)).status).toBe(
      404,
    );
    const [row] = await db.db.select().from(contactDecisions).where(eq(contactDecisions.attemptKey, keyA));
    expect(row?.packVersion).toBe('CO@1');
  });
});
