// Portfolio imports as jobs: good lines become accounts, bad lines are reported per line, and
// uploading the same file again changes nothing.
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createImportJob, createImportRunner, getImportJob } from '../../api/imports/jobs';
import { createDb } from '../../db/client';
import { accounts, debtors, importJobs } from '../../db/schema';
import { BUILTIN_STRATEGIES } from '../../strategies/index';
import { ERP_COUNTS, ERP_LINES, erpExport } from '../imports/erp-export';
import { spanishCsv, storedZip, xlsxBuffer } from '../imports/portfolio-fixtures';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller, eventually, importFinished, invoiceBody } from './helpers';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let app: TestApp;
let system: string;
let supervisor: string;
let call: ReturnType<typeof caller>;

const handle = createDb(inject('databaseUrl'), { max: 2 });

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  [system, supervisor] = await Promise.all([app.keyFor('system'), app.keyFor('supervisor')]);
});

/** A multipart/form-data upload as a browser form or `curl -F` sends it. */
async function postForm(fields: Record<string, string>, file: { bytes: Buffer; name: string; type?: string }) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([file.bytes], file.type ? { type: file.type } : {}), file.name);
  const res = await fetch(`${app.url}/v1/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${system}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

afterAll(async () => {
  await app?.stop();
  await handle.close();
});

async function finished(jobId: string) {
  const job = await importFinished(app.url, system, jobId);
  expect(job.status).toBe(200);
  return job.body;
}

describe('POST /v1/imports', () => {
  it('imports a Spanish-locale CSV (BOM, ";", 1.234,56, dd/mm/yyyy), reporting bad lines by line number', async () => {
    const [f1, f2, f3, f4, d1, d2] = ['F', 'F', 'F', 'F', 'D', 'D'].map(uniqueId);
    const bytes = spanishCsv([
      ['Nº Factura', 'RFC', 'Razón Social', 'Tipo', 'Correo', 'Monto', 'Fecha de Vencimiento'],
      [f1!, d1!, 'Comercial Andes; SA', 'Empresa', 'pagos@andes.mx', '1.234,56', '31/12/2025'],
      [f2!, d1!, 'Comercial Andes; SA', 'Empresa', '', '100,00', '15/01/2026'],
      [f3!, d2!, 'María Pérez', 'persona', 'no-es-correo', '-5', '31/02/2026'],
      [f4!, d2!, 'María Pérez', 'persona', '', '2.000,00', '01/02/2026'],
      ['', '', '', 'empresa', '', '', ''],
    ]);
    const query = `?filename=${encodeURIComponent('cartera.csv')}&country=MX&currency=MXN`;
    const created = await call('POST', `/v1/imports${query}`, system, bytes, { 'content-type': 'text/csv' });
    expect(created.status).toBe(202);
    expect(created.body.status).toBe('queued');

    const job = await finished(created.body.jobId as string);
    expect(job).toMatchObject({
      status: 'completed',
      filename: 'cartera.csv',
      processedLines: 5,
      succeededLines: 3,
      failedLines: 2,
      totalLines: 5,
      error: null,
    });

    const report = await call('GET', `/v1/imports/${created.body.jobId as string}/errors`, system);
    expect(report.status).toBe(200);
    expect(report.body.nextCursor).toBeNull();
    expect(report.body.items.map((i: { line: number }) => i.line)).toEqual([4, 6]);
    expect(report.body.items[0].errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'amount',
      'debtor.email',
      'dueDate',
    ]);
    expect(report.body.items[0].raw['Nº Factura']).toBe(f3);

    // The good lines are accounts now: one per debtor, amounts exact.
    const andes = await call('GET', `/v1/accounts?debtorExternalId=${d1!}`, system);
    expect(andes.body.items).toHaveLength(1);
    expect(andes.body.items[0]).toMatchObject({
      debtor: { name: 'Comercial Andes; SA', kind: 'company', country: 'MX' },
      balance: { currency: 'MXN' },
    });

    // The same file again: nothing new, every good line recognised.
    const again = await call('POST', `/v1/imports${query}`, system, bytes, { 'content-type': 'text/csv' });
    const second = await finished(again.body.jobId as string);
    expect(second).toMatchObject({ status: 'completed', succeededLines: 3, failedLines: 2 });
  });

  it('imports an XLSX upload with some bad lines and pages through the error report', async () => {
    const debtor = uniqueId('D');
    const rows: unknown[][] = [['Factura', 'NIT', 'Cliente', 'Tipo', 'Saldo', 'Moneda', 'Vencimiento', 'País']];
    for (let i = 0; i < 6; i += 1)
      rows.push([
        uniqueId('F'),
        debtor,
        'Distribuidora Sur',
        'empresa',
        1000 + i,
        'COP',
        new Date(Date.UTC(2026, 0, 10 + i)),
        'CO',
      ]);
    for (let i = 0; i < 3; i += 1)
      rows.push([uniqueId('F'), uniqueId('D'), 'Sin Fecha', 'empresa', 50, 'COP', 'mañana', 'CO']);
    const created = await call('POST', '/v1/imports?filename=cartera.xlsx', system, await xlsxBuffer(rows), {
      'content-type': XLSX,
    });
    expect(created.status).toBe(202);
    const job = await finished(created.body.jobId as string);
    // `error` is in the match so that a failed job says why.
    expect(job).toMatchObject({ status: 'completed', succeededLines: 6, failedLines: 3, error: null });

    const first = await call('GET', `/v1/imports/${created.body.jobId as string}/errors?limit=2`, system);
    expect(first.body.items.map((i: { line: number }) => i.line)).toEqual([8, 9]);
    expect(first.body.items[0].errors).toEqual([{ field: 'dueDate', message: expect.any(String) }]);
    const rest = await call(
      'GET',
      `/v1/imports/${created.body.jobId as string}/errors?limit=2&cursor=${first.body.nextCursor as string}`,
      system,
    );
    expect(rest.body.items.map((i: { line: number }) => i.line)).toEqual([10]);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('refuses a file it cannot read, bad defaults and unknown jobs', async () => {
    const empty = await call('POST', '/v1/imports', system, Buffer.alloc(0), { 'content-type': 'text/csv' });
    expect(empty.status).toBe(400);
    const badDefaults = await call(
      'POST',
      '/v1/imports?country=Narnia',
      system,
      spanishCsv([
        ['Factura', 'Cliente'],
        ['1', 'x'],
      ]),
      { 'content-type': 'text/csv' },
    );
    expect(badDefaults.status).toBe(400);
    expect(badDefaults.body.errors.map((e: { field: string }) => e.field)).toEqual(['querystring.country']);
    const json = await call('POST', '/v1/imports', system, { a: 1 });
    expect(json.status).toBe(415);
    const noHeader = await call(
      'POST',
      '/v1/imports',
      system,
      spanishCsv([
        ['a', 'b'],
        ['1', '2'],
      ]),
      { 'content-type': 'text/csv' },
    );
    const failed = await finished(noHeader.body.jobId as string);
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toContain('no header row');
    expect((await call('GET', `/v1/imports/${crypto.randomUUID()}`, system)).status).toBe(404);
  });
});

describe('a real ERP export (issue 8 items 4, 9, 10)', () => {
  it(`takes the ${ERP_LINES}-line file whole, counts repeats apart and says how many accounts enter each stage`, async () => {
    const { bytes, debtors: erpDebtors } = erpExport(uniqueId('ERP'));
    const started = Date.now();
    const created = await call('POST', '/v1/imports?filename=antiguedad.csv&country=MX', system, bytes, {
      'content-type': 'text/csv',
    });
    expect(created.status).toBe(202);
    const job = await finished(created.body.jobId as string);
    const seconds = (Date.now() - started) / 1000;
    expect(job).toMatchObject({
      status: 'completed',
      totalLines: ERP_LINES,
      processedLines: ERP_LINES,
      newLines: ERP_COUNTS.new,
      repeatedLines: ERP_COUNTS.repeated,
      succeededLines: ERP_COUNTS.new + ERP_COUNTS.repeated,
      failedLines: ERP_COUNTS.refused,
      summary: '288 new, 1 identical repeat, 11 refused',
    });
    const report = await call('GET', `/v1/imports/${created.body.jobId as string}/errors`, system);
    expect(report.body.items).toHaveLength(ERP_COUNTS.refused);
    expect(report.body.items.filter((i: any) => i.errors[0].field === 'externalId')).toHaveLength(1);

    // Every account of the file is counted once, in a stage of the strategy its segmentation picks.
    const stages = job.stages as Record<string, number>;
    const stageIds = new Set([
      'none',
      ...['consumer-mx', 'b2b-co'].flatMap((id) => BUILTIN_STRATEGIES[id]!.stages.map((st) => st.id)),
    ]);
    expect(Object.values(stages).reduce((a, b) => a + b, 0)).toBe(erpDebtors.length);
    for (const stage of Object.keys(stages)) expect(stageIds).toContain(stage);
    // A backlog gets its pre-legal notice first: nothing 90+ days overdue is handed to legal at once.
    expect(stages.legal).toBeUndefined();
    expect(stages.prelegal).toBeGreaterThan(0);
    expect(stages['credit-hold']).toBeGreaterThan(0);
    expect(stages.none).toBeGreaterThan(0);
    console.info(
      `ERP import of ${ERP_LINES} lines: ${seconds.toFixed(2)} s, ${job.summary as string}, stages ${JSON.stringify(stages)}`,
    );

    // The forecast is what the workflows then do: the read model ends with the same count per stage.
    const byStage = async () => {
      const rows = await handle.db
        .select({ stage: accounts.stage, count: sql<number>`count(*)::int` })
        .from(accounts)
        .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
        .where(
          inArray(
            debtors.externalId,
            erpDebtors.map((d) => d.id),
          ),
        )
        .groupBy(accounts.stage);
      return Object.fromEntries(rows.map((r) => [r.stage, r.count]));
    };
    const live = await eventually(byStage, (c) => JSON.stringify(sorted(c)) === JSON.stringify(sorted(stages)), 90_000);
    expect(sorted(live)).toEqual(sorted(stages));
  }, 180_000);

  it('takes multipart/form-data with a mapping field, and refuses a mapping it cannot follow (400 naming it)', async () => {
    const [debtor, invoice] = [uniqueId('D'), uniqueId('F')];
    const bytes = spanishCsv([
      ['Cod. Deudor', 'Titular', 'Doc', 'Vence', 'Pendiente MN'],
      [debtor, 'Ana Ruiz', invoice, '01/02/2026', '1.500,00'],
    ]);
    const mapping = {
      'debtor.externalId': 'Cod. Deudor',
      'debtor.name': 'Titular',
      externalId: 'Doc',
      dueDate: 'Vence',
      amount: 'Pendiente MN',
    };
    const form = await postForm(
      { mapping: JSON.stringify(mapping), country: 'MX', currency: 'MXN', kind: 'person' },
      { bytes, name: 'cartera.csv', type: 'text/csv' },
    );
    expect(form.status).toBe(202);
    const job = await finished(form.body.jobId as string);
    expect(job).toMatchObject({ status: 'completed', filename: 'cartera.csv', newLines: 1, failedLines: 0 });

    const unknownField = await postForm(
      { mapping: JSON.stringify({ ...mapping, 'debtor.rfc': 'RFC' }), country: 'MX', currency: 'MXN', kind: 'person' },
      { bytes, name: 'cartera.csv' },
    );
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.errors).toEqual([
      { field: 'mapping.debtor.rfc', message: expect.stringContaining('debtor.externalId') },
    ]);
    const query = new URLSearchParams({
      mapping: JSON.stringify({ ...mapping, dueDate: 'Fecha Vto' }),
      country: 'MX',
      currency: 'MXN',
      kind: 'person',
    });
    const missingHeader = await call('POST', `/v1/imports?${query.toString()}`, system, bytes, {
      'content-type': 'text/csv',
    });
    expect(missingHeader.status).toBe(400);
    expect(missingHeader.body.errors).toEqual([
      { field: 'querystring.mapping.dueDate', message: expect.stringContaining('"Fecha Vto"') },
    ]);
    const notJson = await call('POST', '/v1/imports?mapping=%7Bnope', system, bytes, { 'content-type': 'text/csv' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors[0].field).toBe('querystring.mapping');
    const both = await postForm({ mapping: '{"debtor.rfc":"RFC"}', country: 'Narnia' }, { bytes, name: 'x.csv' });
    expect(both.body.errors.map((e: { field: string }) => e.field)).toEqual(['mapping.debtor.rfc', 'country']);
    const badField = await postForm({ kind: 'cooperativa' }, { bytes, name: 'x.csv' });
    expect(badField.status).toBe(400);
    expect(badField.body.errors[0].field).toBe('kind');
  });

  it('answers a form it cannot read (a part without headers) with a 400, not a 500', async () => {
    const boundary = '7c5156fb04a2177cf9e322ad31ebde44';
    const res = await call('POST', '/v1/imports', system, `--${boundary}\r\nNone--${boundary}--\r\n`, {
      'content-type': `multipart/form-data; boundary=${boundary}`,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.field).toBeDefined();
  });

  it('answers 415 naming every accepted type to any other body type', async () => {
    const res = await call('POST', '/v1/imports', system, 'hola', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    for (const type of ['text/csv', 'spreadsheetml.sheet', 'application/octet-stream', 'multipart/form-data'])
      expect(res.body.detail).toContain(type);
  });

  it('lists past jobs newest first by cursor pages, for the roles that read a job', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const bytes = spanishCsv([
        ['Factura', 'RFC', 'Cliente', 'Monto', 'Vencimiento'],
        [uniqueId('F'), uniqueId('D'), 'Ana', '100,00', '01/02/2026'],
      ]);
      const res = await call(
        'POST',
        `/v1/imports?filename=lote-${i}.csv&country=MX&currency=MXN&kind=person`,
        system,
        bytes,
        {
          'content-type': 'text/csv',
        },
      );
      ids.unshift(res.body.jobId as string);
      await finished(res.body.jobId as string);
    }
    const first = await call('GET', '/v1/imports?limit=2', supervisor);
    expect(first.status).toBe(200);
    expect(first.body.items.map((j: { jobId: string }) => j.jobId)).toEqual(ids.slice(0, 2));
    expect(first.body.items[0]).toMatchObject({ status: 'completed', filename: 'lote-2.csv', newLines: 1 });
    const second = await call('GET', `/v1/imports?limit=2&cursor=${first.body.nextCursor as string}`, system);
    expect(second.body.items[0].jobId).toBe(ids[2]);
    expect((await call('GET', '/v1/imports', await app.keyFor('agent', 'agent-7'))).status).toBe(403);
    expect((await call('GET', '/v1/imports?cursor=bm9wZQ', system)).status).toBe(400);
  });
});

describe('progress (issue 8 item 10)', () => {
  it('moves while lines are processed: a running job is seen part way, its total known', async () => {
    const rows = [['Factura', 'RFC', 'Cliente', 'Tipo', 'Monto', 'Vencimiento']];
    for (let i = 0; i < 150; i += 1)
      rows.push([uniqueId('F'), uniqueId('D'), 'Ana', 'persona', '100,00', '01/02/2026']);
    const job = await createImportJob(handle.db, { filename: null, contentType: 'text/csv', createdBy: null });
    // Deliveries of the second chunk wait until the test has looked: the job is then part way, for sure.
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const dispatchNow = async () => {
      const [row] = await handle.db
        .select({ done: importJobs.processedLines })
        .from(importJobs)
        .where(eq(importJobs.id, job.id));
      if ((row?.done ?? 0) > 0) await gate;
    };
    const runner = createImportRunner(
      { db: handle.db, outbox: { taskQueue: uniqueId('progress'), dispatchNow }, log: { warn() {}, error() {} } },
      { chunkLines: 50 },
    );
    runner.start(job.id, { bytes: spanishCsv(rows), defaults: { country: 'MX', currency: 'MXN' } });
    const partWay = await eventually(
      async () => getImportJob(handle.db, job.id),
      (j) => (j?.processedLines ?? 0) > 0,
    );
    expect(partWay).toMatchObject({ status: 'running', totalLines: 150, processedLines: 50 });
    release();
    const done = await eventually(
      async () => getImportJob(handle.db, job.id),
      (j) => j?.status !== 'running',
    );
    expect(done).toMatchObject({ status: 'completed', processedLines: 150, newLines: 150 });
    await runner.stop();
  });
});

describe('files the readers choke on (issue 9 item 3)', () => {
  it('a CSV with an unclosed quote ends as a job error naming the line, not an internal error', async () => {
    const lines = [['Factura', 'RFC', 'Cliente', 'Tipo', 'Monto', 'Vencimiento']];
    // Long enough that the reader meets the open quote only past the first rows the upload check reads.
    for (let i = 0; i < 3000; i += 1)
      lines.push([uniqueId('F'), uniqueId('D'), 'Ana', 'persona', '100,00', '01/02/2026']);
    const csv = Buffer.concat([spanishCsv(lines), Buffer.from('F-x;D-x;"Luis sin cierre;persona;1,00;01/02/2026\r\n')]);
    const created = await call('POST', '/v1/imports?country=MX&currency=MXN', system, csv, {
      'content-type': 'text/csv',
    });
    expect(created.status).toBe(202);
    const job = await finished(created.body.jobId as string);
    expect(job.status).toBe('failed');
    expect(job.error.message).toMatch(/^line 3002 opens a quoted field/);
    expect(job.error.message).not.toContain('internal');
    // The file was refused whole: no line of it was stored.
    expect(job).toMatchObject({ processedLines: 0, newLines: 0 });
  });

  it('a file whose headers hold NUL bytes ends as a job error showing them, not a job stuck running', async () => {
    // PostgreSQL's jsonb takes no U+0000: the job's error (which lists the headers it found) had to keep them
    // visible another way, or writing it failed and the job stayed `running` (found by schemathesis).
    const csv = Buffer.from('Fac\u0000tura;Cli\u0000ente\r\n1;Ana\r\n', 'utf8');
    const created = await call('POST', '/v1/imports?country=MX&currency=MXN', system, csv, {
      'content-type': 'text/csv',
    });
    expect(created.status).toBe(202);
    const job = await finished(created.body.jobId as string);
    expect(job.status).toBe('failed');
    expect(JSON.stringify(job.error)).toContain('Fac\u2400tura');
  });

  it('a zip that is no workbook is a 400 saying so', async () => {
    const zip = storedZip('word/document.xml', '<w:document/>');
    const res = await call('POST', '/v1/imports?filename=cartera.xlsx', system, zip, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('not an Excel workbook');
  });
});

describe('the import parsers stay inside the imports plugin (issue 9 item 1)', () => {
  it('no other route has a CSV, XLSX, octet-stream or multipart parser', () => {
    const root = app.runtime.api!.app;
    for (const type of ['text/csv', 'application/octet-stream', 'multipart/form-data'])
      expect(root.hasContentTypeParser(type), type).toBe(false);
  });

  it('POST /v1/invoices with a 1 MB text/csv body is a 415, not a million errors', async () => {
    const body = 'a,b,c\n'.repeat(Math.ceil(1_000_000 / 6));
    const res = await call('POST', '/v1/invoices', system, body, { 'content-type': 'text/csv' });
    expect(res.status).toBe(415);
    expect(JSON.stringify(res.body).length).toBeLessThan(2000);
    // JSON still works there.
    const ok = await call('POST', '/v1/invoices', system, invoiceBody(uniqueId('F'), uniqueId('D')));
    expect(ok.status).toBe(201);
  });
});

function sorted(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
}
