// The accounts export is filtered as the account list is (the portfolio explorer's "Export to Excel" of what it
// shows): balance bounds with their currency, and the list's 400s for a balance without currency or an unknown stage.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, debtors } from '../../db/schema';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let supervisor: string;
const agent = uniqueId('agent');
const ids: Record<'big' | 'small' | 'clp', string> = { big: '', small: '', clp: '' };

const get = (path: string) => fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${supervisor}` } });

beforeAll(async () => {
  app = await startTestApp();
  supervisor = await app.keyFor('supervisor');
  db = createDb(inject('databaseUrl'), { max: 2 });
  const open = async (currency: string, balanceMinor: number) => {
    const [d] = await db.db
      .insert(debtors)
      .values({ externalId: uniqueId('D'), kind: 'person', name: 'Deudora Filtro', country: 'MX' })
      .returning();
    const [a] = await db.db
      .insert(accounts)
      .values({
        debtorId: d!.id,
        currency,
        balanceMinor,
        status: 'active',
        stage: 'early',
        strategyId: 'consumer-mx',
        strategyVersion: 2,
        assignedAgentId: agent,
        workflowId: uniqueId('export-filter-test'),
      })
      .returning();
    return a!.id;
  };
  ids.big = await open('MXN', 150050);
  ids.small = await open('MXN', 20000);
  ids.clp = await open('CLP', 500000);
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

describe('GET /v1/exports/accounts.csv with the list’s filters', () => {
  it('keeps the accounts within the balance bounds, as GET /v1/accounts does', async () => {
    const cases: [string, string[]][] = [
      ['minBalance=1000.00', [ids.big]],
      ['maxBalance=1000.00', [ids.small]],
      ['minBalance=200.00&maxBalance=1500.50', [ids.big, ids.small]],
    ];
    for (const [bounds, expected] of cases) {
      const query = `assignedAgentId=${agent}&currency=MXN&${bounds}`;
      const res = await get(`/v1/exports/accounts.csv?${query}`);
      expect(res.status, bounds).toBe(200);
      const [header = [], ...rows]: string[][] = parse(await res.text(), { bom: true, record_delimiter: '\r\n' });
      const exported = rows.map((r) => r[header.indexOf('accountId')]).sort();
      expect(exported, bounds).toEqual([...expected].sort());
      const list = (await (await get(`/v1/accounts?${query}`)).json()) as { items: { accountId: string }[] };
      expect(list.items.map((a) => a.accountId).sort(), bounds).toEqual(exported);
    }
  });

  it('answers the list’s 400s, naming the parameter', async () => {
    const cases: [string, string][] = [
      ['minBalance=100.00', 'querystring.currency'],
      ['currency=MXN&minBalance=1.001', 'querystring.minBalance'],
      ['stage=no-such-stage', 'querystring.stage'],
      ['status=sleeping', 'querystring.status'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/v1/exports/accounts.xlsx?${query}`);
      expect(res.status, query).toBe(400);
      const problem = (await res.json()) as { errors?: { field: string }[] };
      expect(
        problem.errors?.map((e) => e.field),
        query,
      ).toContain(field);
    }
  });
});
