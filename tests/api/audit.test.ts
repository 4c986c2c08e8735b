// The audit log through HTTP against the real servers: a payment, a write-off, a refused and a keyless request
// are recorded with who, route, target, status and the account before, and no personal data; the filters
// narrow; only admins and supervisors read it; the CSV and XLSX exports parse back.
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller, eventually, invoiceBody, type Answer } from './helpers';

let app: TestApp;
let call: ReturnType<typeof caller>;
const keys: Record<string, string> = {};
let accountId = '';
const debtorId = uniqueId('D-audit');
const PERSONAL = ['Ana Pérez', 'ana@example.com', 'perdón de Ana'];

const audit = (query: string, key = keys.supervisor!) => call('GET', `/v1/audit?${query}`, key);
type Entry = Record<string, any>;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  for (const role of ['system', 'supervisor', 'admin', 'agent', 'strategist'] as const)
    keys[role] = await app.keyFor(role);
  const invoice = await call('POST', '/v1/invoices', keys.system!, invoiceBody(uniqueId('INV'), debtorId, '1500.00'));
  expect(invoice.status).toBe(201);
  accountId = invoice.body.accountId as string;
  // The workflow writes the invoice into the read model (the list reads it, and `before` is taken from it);
  // the detail view answers from the workflow's query, which may be a moment ahead.
  const opened = await eventually(
    () => call('GET', `/v1/accounts?debtorExternalId=${encodeURIComponent(debtorId)}`, keys.supervisor!),
    (a: Answer) => (a.body.items as Entry[] | undefined)?.[0]?.balance?.amount === '1500.00',
  );
  expect((opened.body.items as Entry[])[0]?.balance.amount).toBe('1500.00');
  const paid = await call('POST', `/v1/accounts/${accountId}/payments`, keys.system!, {
    amount: '100.00',
    currency: 'MXN',
    reference: uniqueId('PAY'),
  });
  expect(paid.status).toBe(202);
  const writtenOff = await call('POST', `/v1/accounts/${accountId}/write-off`, keys.supervisor!, {
    amount: '50.00',
    reason: 'perdón de Ana',
  });
  expect(writtenOff.status).toBe(202);
  const refused = await call('POST', `/v1/accounts/${accountId}/write-off`, keys.supervisor!, {
    amount: '0.00',
    reason: 'perdón de Ana',
  });
  expect(refused.status).toBe(400);
  const keyless = await call('POST', `/v1/accounts/${accountId}/pause`, null, {});
  expect(keyless.status).toBe(401);
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

async function accountEntries(): Promise<Entry[]> {
  const page = await eventually(
    () => audit(`accountId=${accountId}`),
    (a: Answer) => a.status === 200 && (a.body.items as Entry[]).length >= 4,
  );
  expect(page.status).toBe(200);
  return page.body.items as Entry[];
}

describe('the audit log', () => {
  it('records a payment, a write-off, a refused and a keyless request: who, route, target, status, before', async () => {
    const entries = await accountEntries();
    expect(entries).toHaveLength(4);
    // Newest first.
    const [keyless, refused, writtenOff, paid] = entries;
    expect(paid).toMatchObject({
      role: 'system',
      userId: null,
      method: 'POST',
      route: '/v1/accounts/:accountId/payments',
      target: { accountId },
      accountId,
      statusCode: 202,
      body: { amount: '100.00', currency: 'MXN' },
      before: { status: 'active', balance: { amount: '1500.00', currency: 'MXN' } },
      // Answered 202: the workflow applies the payment later, so there is no `after` to read yet.
      after: null,
    });
    expect(paid!.keyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(paid!.before.stage).toEqual(expect.any(String));
    expect(writtenOff).toMatchObject({
      role: 'supervisor',
      route: '/v1/accounts/:accountId/write-off',
      statusCode: 202,
      body: { amount: '50.00', reason: { length: 'perdón de Ana'.length } },
    });
    expect(writtenOff!.keyId).not.toBe(paid!.keyId);
    expect(refused).toMatchObject({
      role: 'supervisor',
      keyId: writtenOff!.keyId,
      statusCode: 400,
      body: { amount: '0.00', reason: { length: 'perdón de Ana'.length } },
      after: null,
    });
    expect(keyless).toMatchObject({ keyId: null, role: null, statusCode: 401, route: '/v1/accounts/:accountId/pause' });
    for (const e of entries) expect(e.requestId).toEqual(expect.any(String));
  });

  it('keeps no personal data: the invoice’s debtor name and email are their lengths', async () => {
    const systemKeyId = (await accountEntries()).at(-1)!.keyId as string;
    const page = await eventually(
      () => audit(`route=${encodeURIComponent('/v1/invoices')}&keyId=${systemKeyId}`),
      (a: Answer) => (a.body.items as Entry[] | undefined)?.length === 1,
    );
    const [invoice] = page.body.items as Entry[];
    expect(invoice).toMatchObject({
      statusCode: 201,
      accountId: null,
      body: { debtor: { externalId: debtorId, name: { length: 9 }, email: { length: 15 } }, amount: '1500.00' },
    });
    const everything = JSON.stringify((await audit('limit=200')).body);
    for (const text of PERSONAL) expect(everything).not.toContain(text);
  });

  it('keeps no body of the Temporal codec: its payloads are workflow data, base64 the redaction cannot read', async () => {
    const supervisorKeyId = (await accountEntries()).find((e) => e.role === 'supervisor')!.keyId as string;
    const data = Buffer.from(JSON.stringify({ name: 'Ana Pérez', email: 'ana@example.com' })).toString('base64');
    const payload = { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data };
    const encoded = await call('POST', '/v1/temporal-codec/encode', keys.supervisor!, { payloads: [payload] });
    expect(encoded.status).toBe(200);
    const page = await eventually(
      () => audit(`route=${encodeURIComponent('/v1/temporal-codec/encode')}&keyId=${supervisorKeyId}`),
      (a: Answer) => (a.body.items as Entry[]).length === 1,
    );
    const [entry] = page.body.items as Entry[];
    expect(entry).toMatchObject({ statusCode: 200, role: 'supervisor', body: null });
    expect(JSON.stringify(page.body)).not.toContain(data);
  });

  it('filters narrow: by route, key, period; pages follow the cursor; from after to is a 400', async () => {
    const entries = await accountEntries();
    const writeOffs = await audit(
      `accountId=${accountId}&route=${encodeURIComponent('/v1/accounts/:accountId/write-off')}`,
    );
    expect((writeOffs.body.items as Entry[]).map((e) => e.statusCode)).toEqual([400, 202]);
    const byKey = await audit(`accountId=${accountId}&keyId=${entries.at(-1)!.keyId}`);
    expect((byKey.body.items as Entry[]).map((e) => e.route)).toEqual(['/v1/accounts/:accountId/payments']);
    const oldest = entries.at(-1)!.at as string;
    const before = await audit(`accountId=${accountId}&to=${encodeURIComponent(oldest)}`);
    expect(before.body.items).toEqual([]);
    const since = await audit(`accountId=${accountId}&from=${encodeURIComponent(entries[1]!.at)}`);
    expect((since.body.items as Entry[]).map((e) => e.id)).toEqual(entries.slice(0, 2).map((e) => e.id));

    const first = await audit(`accountId=${accountId}&limit=3`);
    expect(first.body.items).toHaveLength(3);
    const second = await audit(`accountId=${accountId}&limit=3&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((e: Entry) => e.id)).toEqual(entries.map((e) => e.id));
    expect(second.body.nextCursor).toBeNull();

    const bad = await audit('from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('querystring.from');
    const badCursor = await audit('cursor=abc');
    expect(badCursor.status).toBe(400);
  });

  it('admins read it too; agents, strategists and systems get 403, for the list and the exports', async () => {
    expect((await audit('limit=1', keys.admin)).status).toBe(200);
    for (const role of ['agent', 'strategist', 'system']) {
      expect((await audit('limit=1', keys[role])).status).toBe(403);
      expect((await call('GET', '/v1/exports/audit.csv', keys[role]!)).status).toBe(403);
      expect((await call('GET', '/v1/exports/audit.xlsx', keys[role]!)).status).toBe(403);
    }
  });

  it('exports as CSV (Spanish locale) and XLSX that parse back to the same entries, oldest first', async () => {
    const entries = (await accountEntries()).reverse();
    const res = await fetch(`${app.url}/v1/exports/audit.csv?accountId=${accountId}&locale=es-MX`, {
      headers: { authorization: `Bearer ${keys.admin}` },
    });
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows]: string[][] = parse(bytes.toString('utf8'), { bom: true, delimiter: ';' });
    const at = (row: string[], h: string) => row[header!.indexOf(h)];
    expect(rows.map((r) => at(r, 'requestId'))).toEqual(entries.map((e) => e.requestId));
    expect(rows.map((r) => at(r, 'statusCode'))).toEqual(['202', '202', '400', '401']);
    expect(JSON.parse(at(rows[1]!, 'body')!)).toEqual(entries[1]!.body);
    expect(JSON.parse(at(rows[0]!, 'before')!)).toEqual(entries[0]!.before);
    for (const text of PERSONAL) expect(bytes.toString('utf8')).not.toContain(text);

    const xlsx = await fetch(`${app.url}/v1/exports/audit.xlsx?accountId=${accountId}`, {
      headers: { authorization: `Bearer ${keys.supervisor}` },
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await xlsx.arrayBuffer());
    const sheet = book.worksheets[0]!;
    const head = (sheet.getRow(1).values as unknown[]).slice(1);
    const routeAt = head.indexOf('route') + 1;
    const routes = [2, 3, 4, 5].map((n) => sheet.getRow(n).getCell(routeAt).value);
    expect(routes).toEqual(entries.map((e) => e.route));
    expect(sheet.rowCount).toBe(5);

    const bad = await call(
      'GET',
      '/v1/exports/audit.csv?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z',
      keys.admin!,
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('querystring.from');
  });

  // Last: it adds an entry to the account the tests above count.
  it('a synchronous answer (an assignment) has the account after as well as before', async () => {
    const assigned = await call('PUT', `/v1/accounts/${accountId}/assignment`, keys.supervisor!, {
      agentId: uniqueId('agent'),
    });
    expect(assigned.status).toBe(200);
    const page = await eventually(
      () => audit(`accountId=${accountId}&route=${encodeURIComponent('/v1/accounts/:accountId/assignment')}`),
      (a: Answer) => (a.body.items as Entry[]).length === 1,
    );
    const [entry] = page.body.items as Entry[];
    expect(entry).toMatchObject({ method: 'PUT', statusCode: 200, body: { agentId: expect.any(String) } });
    expect(entry!.before).toEqual(expect.objectContaining({ balance: expect.any(Object) }));
    expect(entry!.after).toEqual(expect.objectContaining({ status: entry!.before.status, stage: entry!.before.stage }));
  });
});
