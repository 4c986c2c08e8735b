// Segmentation sees the whole debtor and account (issue 8 item 8), on the real servers: one account per
// rule of the built-in segmentation, opened through the API without a strategyId, gets that rule's
// strategy. The debtor's kind is read from PostgreSQL by the activity; the workflow input never had it.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { generateKey, hashKey } from '../../api/auth';
import { createDb, type DbHandle } from '../../db/client';
import { apiKeys } from '../../db/schema';
import { DEFAULT_SEGMENTATION } from '../../lib/strategies/store';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let system: string;

/**
 * A database of its own: other test files publish segmentations of their own in the shared one, and the
 * latest published document would then decide instead of the built-in.
 */
async function freshDatabase(): Promise<string> {
  const url = new URL(inject('databaseUrl'));
  const name = `segmentation_${crypto.randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const admin = createDb(url.toString(), { max: 1 });
  await admin.sql.unsafe(`create database ${name}`);
  await admin.close();
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  const databaseUrl = await freshDatabase();
  app = await startTestApp({ DATABASE_URL: databaseUrl });
  db = createDb(databaseUrl, { max: 1 });
  system = generateKey();
  await db.db.insert(apiKeys).values({ name: uniqueId('system'), role: 'system', keyHash: hashKey(system) });
  call = httpClient(app.url);
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

async function strategyOf(
  kind: 'person' | 'company',
  country: string,
  currency: string,
  attributes?: Record<string, unknown>,
): Promise<string> {
  const opened = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: { externalId: uniqueId('D'), name: 'Cliente', kind, country, ...(attributes ? { attributes } : {}) },
      amount: '1500.00',
      currency,
      dueDate: DateTime.now().plus({ days: 20 }).toISODate(),
    },
    system,
  );
  expect(opened.status).toBe(201);
  const view = await eventually(
    () => call('GET', `/v1/accounts/${opened.body.accountId}`, undefined, system),
    (r) => typeof r.body.strategy?.id === 'string',
  );
  return view.body.strategy?.id as string;
}

/** An account for each rule of the built-in segmentation (and its default), with the strategy it must get. */
const cases: Record<string, { kind: 'person' | 'company'; country: string; currency: string }[]> = {
  companies: [
    { kind: 'company', country: 'CO', currency: 'COP' },
    { kind: 'company', country: 'MX', currency: 'MXN' },
  ],
  default: [
    { kind: 'person', country: 'MX', currency: 'MXN' },
    { kind: 'person', country: 'CO', currency: 'COP' },
  ],
};

describe('the built-in segmentation, one account per rule', () => {
  it('has a case for every rule', () => {
    expect(Object.keys(cases).sort()).toEqual([...DEFAULT_SEGMENTATION.rules.map((r) => r.id), 'default'].sort());
  });

  for (const rule of [...DEFAULT_SEGMENTATION.rules, { id: 'default', ...DEFAULT_SEGMENTATION.default }])
    it(`rule ${rule.id}: ${rule.strategy}`, async () => {
      for (const facts of cases[rule.id] ?? [])
        expect({ ...facts, strategy: await strategyOf(facts.kind, facts.country, facts.currency) }).toEqual({
          ...facts,
          strategy: rule.strategy,
        });
    });
});

describe('a published segmentation on currency and the debtor attributes the integrator sent', () => {
  it('picks the strategy of the first rule that holds', async () => {
    const strategist = generateKey();
    await db.db
      .insert(apiKeys)
      .values({ name: uniqueId('strategist'), role: 'strategist', keyHash: hashKey(strategist) });
    const published = await call(
      'PUT',
      '/v1/segmentation',
      {
        rules: [
          { id: 'usd', when: { currency: 'USD' }, strategy: 'b2b-co' },
          {
            id: 'premium-cards',
            when: { attributes: { segment: 'premium', product: ['card', 'loan'] } },
            strategy: 'b2b-co',
          },
          { id: 'vip', when: { tags: ['vip'] }, strategy: 'b2b-co' },
        ],
        default: { strategy: 'consumer-mx' },
      },
      strategist,
    );
    expect(published.status).toBeLessThan(300);
    expect(await strategyOf('person', 'MX', 'USD')).toBe('b2b-co');
    expect(await strategyOf('person', 'MX', 'MXN', { segment: 'premium', product: 'card' })).toBe('b2b-co');
    expect(await strategyOf('person', 'MX', 'MXN', { segment: 'premium', product: 'mortgage' })).toBe('consumer-mx');
    expect(await strategyOf('person', 'MX', 'MXN', { tags: ['new', 'vip'] })).toBe('b2b-co');
    expect(await strategyOf('person', 'MX', 'MXN', { segment: 'basic' })).toBe('consumer-mx');
  });

  it('refuses attributes that are not plain facts, naming the field', async () => {
    const res = await call(
      'POST',
      '/v1/invoices',
      {
        externalId: uniqueId('F'),
        debtor: {
          externalId: uniqueId('D'),
          name: 'Cliente',
          kind: 'person',
          country: 'MX',
          attributes: { nested: { a: 1 } },
        },
        amount: '10.00',
        currency: 'MXN',
        dueDate: DateTime.now().toISODate(),
      },
      system,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('debtor.attributes.nested');
  });

  it('refuses an attribute name that is not a plain identifier, naming it', async () => {
    const res = await call(
      'POST',
      '/v1/invoices',
      {
        externalId: uniqueId('F'),
        debtor: {
          externalId: uniqueId('D'),
          name: 'Cliente',
          kind: 'person',
          country: 'MX',
          attributes: { '1 bad': 'x' },
        },
        amount: '10.00',
        currency: 'MXN',
        dueDate: DateTime.now().toISODate(),
      },
      system,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['debtor.attributes.1 bad']);
  });
});
