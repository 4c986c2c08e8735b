import { describe, expect, it } from 'vitest';
import { badLine, invoiceBody, okLine, parseAll, xlsxBuffer } from './portfolio-fixtures.js';

const HEADER = [
  'Número de Factura',
  'NIT',
  'Cliente',
  'Tipo',
  'Celular',
  'País',
  'Moneda',
  'Valor',
  'Fecha Vencimiento',
  'Fecha Emisión',
];

describe('XLSX portfolio', () => {
  it('reads Date cells, Excel serials, numbers and text from the first sheet only', async () => {
    const bytes = await xlsxBuffer([
      ['Cartera vencida - Distribuidora del Valle'],
      [],
      HEADER,
      [
        10001,
        900123456,
        'Ferretería El Tornillo S.A.S.',
        'Jurídica',
        3001234567,
        'Colombia',
        'COP',
        1250000,
        new Date(Date.UTC(2024, 11, 31)),
        new Date(Date.UTC(2024, 11, 1)),
      ],
      ['F-2', '79.555.111', 'Pedro Gómez', 'Natural', '300 123 4567', 'CO', 'USD', 99.9, 45658, '15/11/2024'],
      ['F-3', '1020', 'Luisa', 'natural', '', 'CO', 'USD', '1.234,5', '31/12/2024', ''],
    ]);
    const lines = await parseAll({ bytes, filename: 'cartera.xlsx' });
    expect(lines.map((line) => line.line)).toEqual([4, 5, 6]);
    expect(okLine(lines[0])).toEqual({
      externalId: '10001',
      debtor: {
        externalId: '900123456',
        name: 'Ferretería El Tornillo S.A.S.',
        kind: 'company',
        phone: '+573001234567',
        country: 'CO',
      },
      amount: '1250000.00',
      currency: 'COP',
      dueDate: '2024-12-31',
      issuedAt: '2024-12-01',
    });
    expect(okLine(lines[1])).toMatchObject({ amount: '99.90', dueDate: '2025-01-01', issuedAt: '2024-11-15' });
    expect(okLine(lines[2]).amount).toBe('1234.50');
    for (const line of lines) expect(invoiceBody.safeParse(okLine(line)).success).toBe(true);
  });

  it('flattens formulas, rich text and hyperlinks, and reports spreadsheet errors on the field', async () => {
    const bytes = await xlsxBuffer([['Factura', 'RUT', 'Razón social', 'Correo', 'Saldo', 'Vencimiento']], (sheet) => {
      sheet.addRow([
        { richText: [{ text: 'F-' }, { font: { bold: true }, text: '9' }] },
        '1-9',
        'Andes SpA',
        { text: 'cobranza@andes.cl', hyperlink: 'mailto:cobranza@andes.cl' },
        { formula: '1000*2', result: 2000 },
        { formula: 'DATE(2025,1,31)', result: new Date(Date.UTC(2025, 0, 31)) },
      ]);
      sheet.addRow(['F-10', '2-7', { error: '#N/A' }, '', { formula: '1/0', result: { error: '#DIV/0!' } }, 45658]);
    });
    const lines = await parseAll({ bytes, defaults: { country: 'CL', currency: 'CLP', kind: 'company' } });
    expect(okLine(lines[0])).toMatchObject({
      externalId: 'F-9',
      amount: '2000',
      dueDate: '2025-01-31',
      debtor: { email: 'cobranza@andes.cl' },
    });
    const bad = badLine(lines[1]);
    expect(bad.line).toBe(3);
    expect(bad.errors.map((error) => error.field).sort()).toEqual(['amount', 'debtor.name']);
    expect(bad.raw).toMatchObject({ 'Razón social': '#N/A', Vencimiento: '45658' });
  });

  it('reads amounts stored as floats at Excel precision, never inventing cents', async () => {
    const bytes = await xlsxBuffer([
      ['Factura', 'RUT', 'Cliente', 'Importe', 'Moneda', 'Vencimiento'],
      ['1', '1-9', 'A', 0.1 + 0.2, 'USD', '2025-01-01'],
      ['2', '1-9', 'A', 1234.567, 'USD', '2025-01-01'],
      ['3', '1-9', 'A', 1500.5, 'CLP', '2025-01-01'],
    ]);
    const lines = await parseAll({ bytes, defaults: { country: 'CL', kind: 'person' } });
    expect(okLine(lines[0]).amount).toBe('0.30');
    expect(badLine(lines[1]).errors[0]).toMatchObject({ field: 'amount' });
    expect(badLine(lines[2]).errors[0]?.message).toContain('decimals');
  });

  it('rejects a file named .xlsx that is not a workbook', async () => {
    await expect(parseAll({ bytes: Buffer.from('factura;monto\n'), filename: 'cartera.xlsx' })).rejects.toThrow(
      'not an Excel workbook',
    );
  });
});
