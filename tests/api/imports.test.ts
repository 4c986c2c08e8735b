// Portfolio imports as jobs: good lines become accounts, bad lines are reported per line, and
// uploading the same file again changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spanishCsv, xlsxBuffer } from '../imports/portfolio-fixtures';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller, eventually } from './helpers';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

let app: TestApp;
let system: string;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  system = await app.keyFor('system');
});

afterAll(async () => {
  await app?.stop();
});

async function finished(jobId: string) {
  const job = await eventually(
    () => call('GET', `/v1/imports/${jobId}`, system),
    (r) => r.body.status === 'completed' || r.body.status === 'failed',
  );
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
    expect(job).toMatchObject({ status: 'completed', succeededLines: 6, failedLines: 3 });

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
