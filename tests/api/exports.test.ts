// Exports through HTTP against the real servers: CSV parsed back with csv-parse, XLSX with exceljs' reader;
// BOM, separators and decimal commas for Spanish locales, accents, quoting, numeric cells, filters, bad filters.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { sql } from 'drizzle-orm';
import { accountLedger, accounts, debtors, payments } from '../../db/schema';
import { rebuildKpiRollups } from '../../lib/ledger/append';
import { exportSource } from '../../lib/ledger/exports';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

let app: TestApp;
let db: DbHandle;
let supervisor: string;
const agent = uniqueId('agent');
const ids = { mxn: '', clp: '', paid: '' };

async function download(path: string, key = supervisor) {
  const res = await fetch(`${app.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    body: Buffer.from(await res.arrayBuffer()),
  };
}

async function csv(path: string, delimiter = ',') {
  const res = await download(path);
  expect(res.status).toBe(200);
  expect(res.type).toBe('text/csv; charset=utf-8');
  // The UTF-8 byte order mark Excel needs to read accents right.
  expect([...res.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = res.body.toString('utf8');
  const [header, ...rows] = parse(text, { bom: true, delimiter, record_delimiter: '\r\n' });
  return { text, header: header ?? [], rows, byHeader: (row: string[], h: string) => row[(header ?? []).indexOf(h)] };
}

async function insertDebtor(name: string) {
  const [d] = await db.db
    .insert(debtors)
    .values({ externalId: uniqueId('D'), kind: 'person', name, country: 'MX' })
    .returning();
  return d!.id;
}

beforeAll(async () => {
  app = await startTestApp();
  supervisor = await app.keyFor('supervisor');
  db = createDb(inject('databaseUrl'), { max: 2 });
  const open = async (name: string, currency: string, balanceMinor: number, status: string) => {
    const [a] = await db.db
      .insert(accounts)
      .values({
        debtorId: await insertDebtor(name),
        currency,
        balanceMinor,
        status,
        stage: 'early',
        strategyId: 'consumer-mx',
        strategyVersion: 2,
        assignedAgentId: agent,
        workflowId: uniqueId('export-test'),
      })
      .returning();
    return a!.id;
  };
  ids.mxn = await open('José Pérez; "Pepe"', 'MXN', 150050, 'active');
  ids.clp = await open('=HYPERLINK("x")', 'CLP', 12345, 'active');
  ids.paid = await open('Ñandú Comercial', 'MXN', 0, 'paid');
  const entry = (seq: number, localDate: string, type: string, amountMinor: number | null, extra = {}) => ({
    accountId: ids.mxn,
    seq,
    at: new Date(`${localDate}T16:00:00Z`),
    localDate,
    type,
    stage: 'early',
    strategyId: 'consumer-mx',
    strategyVersion: 2,
    currency: 'MXN',
    amountMinor,
    entry: { at: `${localDate}T10:00:00-06:00`, day: 3, stage: 'early', type, ...extra },
  });
  await db.db.insert(accountLedger).values([
    entry(0, '2026-03-02', 'stage_entered', null),
    entry(1, '2026-03-03', 'promise_accepted', 50000, {
      promiseId: 'promise-1',
      amount: '500.00',
      dueDate: '2026-03-10',
    }),
    entry(2, '2026-03-09', 'payment', 50000, { amount: '500.00', reference: 'P-1' }),
    entry(3, '2026-03-12', 'promise_kept', 50000, { amount: '500.00' }),
    entry(4, '2026-03-20', 'promise_accepted', 30000, {
      promiseId: 'promise-2',
      amount: '300.00',
      dueDate: '2026-03-25',
    }),
    entry(5, '2026-03-24', 'payment', 12345, { amount: '123.45', reference: 'P-2' }),
  ]);
  // Written straight into the ledger, not through the append: the KPI rollups are built again from it.
  await rebuildKpiRollups(db.db);
  await db.db.insert(payments).values([
    {
      accountId: ids.mxn,
      reference: 'P-1',
      amountMinor: 50000,
      currency: 'MXN',
      paidAt: new Date('2026-03-09T16:00:00Z'),
    },
    {
      accountId: ids.mxn,
      reference: 'P-2',
      amountMinor: 12345,
      currency: 'MXN',
      paidAt: new Date('2026-03-24T16:00:00Z'),
    },
  ]);
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

describe('GET /v1/exports/accounts.csv', () => {
  it('writes a BOM, a header, every filtered row with exact decimals, accents and RFC 4180 quoting', async () => {
    const { header, rows, byHeader, text } = await csv(`/v1/exports/accounts.csv?assignedAgentId=${agent}`);
    expect(header.slice(0, 7)).toEqual([
      'accountId',
      'debtorExternalId',
      'debtorName',
      'debtorKind',
      'country',
      'currency',
      'balance',
    ]);
    expect(rows.map((r) => byHeader(r, 'accountId'))).toEqual([ids.mxn, ids.clp, ids.paid]);
    expect(rows.map((r) => byHeader(r, 'debtorName'))).toEqual([
      'José Pérez; "Pepe"',
      // Excel would run it as a formula: kept as text.
      `'=HYPERLINK("x")`,
      'Ñandú Comercial',
    ]);
    expect(rows.map((r) => byHeader(r, 'balance'))).toEqual(['1500.50', '12345', '0.00']);
    expect(text).toContain('"José Pérez; ""Pepe"""');
    expect(text.split('\r\n')).toHaveLength(5);
  });

  it('a Spanish locale gets `;` between fields and decimal commas', async () => {
    const { rows, byHeader, text } = await csv(`/v1/exports/accounts.csv?assignedAgentId=${agent}&locale=es-MX`, ';');
    expect(text.split('\r\n')[0]).toMatch(/^\uFEFFaccountId;debtorExternalId;debtorName;/);
    expect(rows.map((r) => byHeader(r, 'balance'))).toEqual(['1500,50', '12345', '0,00']);
    expect(byHeader(rows[0] ?? [], 'debtorName')).toBe('José Pérez; "Pepe"');
  });

  it('filters narrow the rows like the list', async () => {
    const paid = await csv(`/v1/exports/accounts.csv?assignedAgentId=${agent}&status=paid`);
    expect(paid.rows.map((r) => paid.byHeader(r, 'accountId'))).toEqual([ids.paid]);
    const clp = await csv(`/v1/exports/accounts.csv?assignedAgentId=${agent}&currency=CLP`);
    expect(clp.rows.map((r) => clp.byHeader(r, 'accountId'))).toEqual([ids.clp]);
  });
});

describe('GET /v1/exports/accounts.xlsx', () => {
  it('is a workbook with a header row, real numbers for amounts in the currency decimals, and accents', async () => {
    const res = await download(`/v1/exports/accounts.xlsx?assignedAgentId=${agent}`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('accounts');
    expect(sheet?.rowCount).toBe(4);
    const header = (sheet?.getRow(1).values as unknown[]).slice(1);
    const at = (h: string) => header.indexOf(h) + 1;
    const row = (n: number) => sheet!.getRow(n);
    expect(row(2).getCell(at('debtorName')).value).toBe('José Pérez; "Pepe"');
    expect(row(2).getCell(at('balance')).value).toBe(1500.5);
    expect(row(2).getCell(at('balance')).numFmt).toBe('0.00');
    expect(row(3).getCell(at('balance')).value).toBe(12345);
    expect(row(3).getCell(at('balance')).numFmt).toBe('0');
    // A string cell is never a formula in a workbook: written as it is.
    expect(row(3).getCell(at('debtorName')).value).toBe('=HYPERLINK("x")');
    expect(row(4).getCell(at('debtorName')).value).toBe('Ñandú Comercial');
    expect(row(2).getCell(at('strategyVersion')).value).toBe(2);
  });
});

describe('ledger, payments and promises exports', () => {
  it('ledger: by account, type and local dates', async () => {
    const all = await csv(`/v1/exports/ledger.csv?accountId=${ids.mxn}`);
    expect(all.rows.map((r) => all.byHeader(r, 'seq'))).toEqual(['0', '1', '2', '3', '4', '5']);
    const pays = await csv(`/v1/exports/ledger.csv?accountId=${ids.mxn}&type=payment&locale=es`, ';');
    expect(pays.rows.map((r) => [pays.byHeader(r, 'localDate'), pays.byHeader(r, 'amount')])).toEqual([
      ['2026-03-09', '500,00'],
      ['2026-03-24', '123,45'],
    ]);
    const march = await csv(`/v1/exports/ledger.csv?accountId=${ids.mxn}&from=2026-03-03&to=2026-03-12`);
    expect(march.rows.map((r) => march.byHeader(r, 'type'))).toEqual(['promise_accepted', 'payment', 'promise_kept']);
    const xlsx = await download(`/v1/exports/ledger.xlsx?accountId=${ids.mxn}&type=payment`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('ledger')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(sheet.getRow(3).getCell(header.indexOf('amount') + 1).value).toBe(123.45);
    expect(sheet.getRow(3).getCell(header.indexOf('localDate') + 1).value).toEqual(new Date('2026-03-24T00:00:00Z'));
  });

  it('payments: by account and dates', async () => {
    const all = await csv(`/v1/exports/payments.csv?accountId=${ids.mxn}`);
    expect(all.rows.map((r) => [all.byHeader(r, 'reference'), all.byHeader(r, 'amount')])).toEqual([
      ['P-1', '500.00'],
      ['P-2', '123.45'],
    ]);
    expect(all.byHeader(all.rows[0] ?? [], 'paidAt')).toMatch(/^2026-03-09T16:00:00(\+00:00|Z)$/);
    const late = await csv(`/v1/exports/payments.csv?accountId=${ids.mxn}&from=2026-03-10`);
    expect(late.rows.map((r) => late.byHeader(r, 'reference'))).toEqual(['P-2']);
  });

  it('promises: each with its outcome, filtered by status', async () => {
    const all = await csv(`/v1/exports/promises.csv?accountId=${ids.mxn}`);
    expect(
      all.rows.map((r) => [all.byHeader(r, 'promiseId'), all.byHeader(r, 'amount'), all.byHeader(r, 'status')]),
    ).toEqual([
      ['promise-1', '500.00', 'kept'],
      ['promise-2', '300.00', 'active'],
    ]);
    expect(all.byHeader(all.rows[0] ?? [], 'dueDate')).toBe('2026-03-10');
    const kept = await csv(`/v1/exports/promises.csv?accountId=${ids.mxn}&status=kept`);
    expect(kept.rows.map((r) => kept.byHeader(r, 'promiseId'))).toEqual(['promise-1']);
  });
});

describe('GET /v1/exports/kpis.csv and .xlsx', () => {
  it('has one row per group of GET /v1/kpis, the same figures, counts spread into columns', async () => {
    const query = 'from=2026-03-02&to=2026-03-24&groupBy=strategy,day&currency=MXN';
    const json = await fetch(`${app.url}/v1/kpis?${query}`, { headers: { authorization: `Bearer ${supervisor}` } });
    const { groups } = (await json.json()) as { groups: Record<string, any>[] };
    expect(groups.length).toBeGreaterThan(0);
    const es = await csv(`/v1/exports/kpis.csv?${query}&locale=es`, ';');
    expect(es.header.slice(0, 4)).toEqual(['strategy', 'day', 'currency', 'accounts']);
    expect(es.rows).toHaveLength(groups.length);
    groups.forEach((g, i) => {
      const row = es.rows[i] ?? [];
      expect([es.byHeader(row, 'strategy'), es.byHeader(row, 'day')]).toEqual([g.key.strategy, g.key.day]);
      expect(es.byHeader(row, 'collected')).toBe(String(g.collected).replace('.', ','));
      expect(es.byHeader(row, 'promises')).toBe(String(g.promises));
    });
    const ninth = groups.findIndex((g) => g.key.strategy === 'consumer-mx' && g.key.day === '2026-03-09');
    expect(Number(es.byHeader(es.rows[ninth] ?? [], 'collected')?.replace(',', '.'))).toBeGreaterThanOrEqual(500);
    const xlsx = await download(`/v1/exports/kpis.xlsx?${query}`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('kpis')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(sheet.getRow(ninth + 2).getCell(header.indexOf('collected') + 1).value).toBe(
      Number(groups[ninth]?.collected),
    );
  });
});

describe('a long export', () => {
  it('outlives the statement timeout of requests (PostgreSQL counts it over the whole cursor)', async () => {
    const [a] = await db.db
      .insert(accounts)
      .values({ debtorId: await insertDebtor('Long Export'), currency: 'MXN', workflowId: uniqueId('export-test') })
      .returning();
    await db.db.execute(sql`insert into account_ledger (account_id, seq, at, local_date, type, stage, currency, entry)
      select ${a!.id}::uuid, g, now(), current_date, 'payment', 'early', 'MXN', '{}'::jsonb from generate_series(0, 1999) g`);
    const strict = createDb(inject('databaseUrl'), { max: 1, statementTimeoutMs: 300 });
    try {
      let rows = 0;
      for await (const batch of exportSource(strict.db, 'ledger', { accountId: a!.id }).batches) {
        rows += batch.length;
        // A client reading slowly: the cursor stays open for well over the 300 ms timeout.
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(rows).toBe(2000);
      // The connection goes back to the pool with the requests' timeout.
      const [setting] = await strict.db.execute<{ statement_timeout: string }>(sql`show statement_timeout`);
      expect(setting?.statement_timeout).toBe('300ms');
    } finally {
      await strict.close();
    }
  });
});

describe('bad export requests', () => {
  it('answers 400 naming the parameter, and 403 to roles other than supervisor', async () => {
    const cases: [string, string][] = [
      ['/v1/exports/ledger.csv?from=2026-03-10&to=2026-03-01', 'querystring.from'],
      ['/v1/exports/ledger.csv?type=Not-A-Type', 'querystring.type'],
      ['/v1/exports/ledger.xlsx?from=2026-02-30', 'querystring.from'],
      ['/v1/exports/promises.csv?status=maybe', 'querystring.status'],
      ['/v1/exports/accounts.csv?currency=pesos', 'querystring.currency'],
      ['/v1/exports/payments.csv?accountId=42', 'querystring.accountId'],
      ['/v1/exports/accounts.csv?colour=red', 'querystring.colour'],
      ['/v1/exports/kpis.csv?from=2026-03-10&to=2026-03-01', 'querystring.from'],
      ['/v1/exports/kpis.xlsx?from=2026-03-01&to=2026-03-10&groupBy=colour', 'querystring.groupBy'],
      ['/v1/exports/kpis.csv?to=2026-03-10', 'querystring.from'],
    ];
    for (const [path, field] of cases) {
      const res = await download(path);
      expect(res.status, path).toBe(400);
      const problem = JSON.parse(res.body.toString('utf8')) as { errors: { field: string }[] };
      expect(
        problem.errors.map((e) => e.field),
        path,
      ).toContain(field);
    }
    expect((await download('/v1/exports/accounts.csv', await app.keyFor('system'))).status).toBe(403);
    expect((await download('/v1/exports/accounts.csv', await app.keyFor('agent', agent))).status).toBe(403);
  });
});
