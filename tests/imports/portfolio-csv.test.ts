import { describe, expect, it } from 'vitest';
import { PortfolioFileError } from '../../api/imports/portfolio-parser.js';
import { badLine, invoiceBody, okLine, parseAll, spanishCsv } from './portfolio-fixtures.js';

const HEADER = [
  'Nº Factura',
  'RUT',
  'Razón Social',
  'Tipo',
  'Correo',
  'Teléfono',
  'País',
  'Moneda',
  'Monto',
  'Fecha de Vencimiento',
  'Emisión',
];

describe('CSV portfolio exported by a Chilean ERP', () => {
  it('reads good lines into the invoice body of CONTRACT §2', async () => {
    const bytes = spanishCsv([
      HEADER,
      [
        'F-1001',
        '76.123.456-7',
        'Comercial Andes; SpA',
        'Empresa',
        'pagos@andes.cl',
        '9 8765 4321',
        'Chile',
        'CLP',
        '1.234.567',
        '31/12/2024',
        '01/12/2024',
      ],
      [
        'F-1002',
        '12.345.678-5',
        'María Pérez',
        'persona natural',
        '',
        '+56 2 2345 6789',
        'CL',
        'clp',
        '$ 45.000',
        '5-1-25',
        '',
      ],
    ]);
    const lines = await parseAll({ bytes, filename: 'cartera.csv' });
    expect(lines.map((line) => line.line)).toEqual([2, 3]);
    const first = okLine(lines[0]);
    expect(first).toEqual({
      externalId: 'F-1001',
      debtor: {
        externalId: '76.123.456-7',
        name: 'Comercial Andes; SpA',
        kind: 'company',
        email: 'pagos@andes.cl',
        phone: '+56987654321',
        country: 'CL',
      },
      amount: '1234567',
      currency: 'CLP',
      dueDate: '2024-12-31',
      issuedAt: '2024-12-01',
    });
    const second = okLine(lines[1]);
    expect(second).toMatchObject({
      amount: '45000',
      dueDate: '2025-01-05',
      debtor: { kind: 'person', phone: '+56223456789' },
    });
    expect(second).not.toHaveProperty('issuedAt');
    expect(second.debtor).not.toHaveProperty('email');
    for (const line of lines) expect(invoiceBody.safeParse(okLine(line)).success).toBe(true);
  });

  it('reports every bad field of a line with its JSON path, and keeps reading', async () => {
    const bytes = spanishCsv([
      HEADER,
      ['F-1', '1-9', 'Uno', 'empresa', 'no-es-correo', '123', 'Chile', 'CLP', '-5.000', '31/02/2024', '2024-13-01'],
      ['F-2', '2-7', 'Dos', 'cooperativa', 'a@b.cl', '', 'Narnia', 'PESOS', '1.000', '01/01/2025', ''],
      ['', '', '', 'empresa', '', '', 'CL', 'CLP', '', '', ''],
      ['F-4', '4-1', 'Cuatro', 'empresa', '', '', 'CL', 'CLP', '1.000,50', '12/31/2024', ''],
      ['F-5', '5-K', 'Cinco', 'empresa', '', '', 'CL', 'CLP', '0', '01/01/2025', ''],
      ['F-6', '6-6', 'Seis', 'empresa', '', '', 'CL', 'CLP', '12.34.56', 'mañana', ''],
      ['F-7', '7-7', 'Siete', 'empresa', '', '', 'CL', 'CLP', '7.000', '01/01/2025', ''],
    ]);
    const lines = await parseAll({ bytes });
    expect(lines).toHaveLength(7);
    const fields = (index: number) =>
      badLine(lines[index])
        .errors.map((error) => error.field)
        .sort();
    expect(fields(0)).toEqual(['amount', 'debtor.email', 'debtor.phone', 'dueDate', 'issuedAt']);
    expect(fields(1)).toEqual(['currency', 'debtor.country', 'debtor.kind']);
    expect(fields(2)).toEqual(['amount', 'debtor.externalId', 'debtor.name', 'dueDate', 'externalId']);
    expect(fields(3)).toEqual(['amount', 'dueDate']);
    expect(fields(4)).toEqual(['amount']);
    expect(fields(5)).toEqual(['amount', 'dueDate']);
    expect(okLine(lines[6]).amount).toBe('7000');

    const first = badLine(lines[0]);
    expect(first.line).toBe(2);
    expect(first.raw).toMatchObject({ 'Nº Factura': 'F-1', Monto: '-5.000', 'Fecha de Vencimiento': '31/02/2024' });
    expect(first.errors.find((error) => error.field === 'dueDate')?.message).toContain('31/02/2024');
    expect(first.errors.find((error) => error.field === 'amount')?.message).toContain('negative');
    expect(badLine(lines[3]).errors.find((error) => error.field === 'amount')?.message).toContain('decimals');
    expect(badLine(lines[4]).errors[0]?.message).toContain('greater than zero');
  });

  it('numbers lines as a spreadsheet shows them: blank rows count, multi-line cells do not', async () => {
    const text =
      '\uFEFFFactura;Cliente;RUT;Monto;Vencimiento\r\n\r\nA;"Línea\r\npartida";1-9;100;01/01/2025\r\n;;;;\r\nB;Otro;2-7;-1;01/01/2025\r\n';
    const lines = await parseAll({
      bytes: Buffer.from(text),
      defaults: { country: 'CL', currency: 'CLP', kind: 'company' },
    });
    expect(lines.map((line) => [line.line, line.ok])).toEqual([
      [3, true],
      [5, false],
    ]);
    expect(okLine(lines[0]).debtor.name).toBe('Línea partida');
  });

  it('accepts synonyms in English and Spanish whatever the case, accents or spacing', async () => {
    const header = [
      'FOLIO',
      'Id  Cliente',
      'NOMBRE',
      'e-mail',
      'WhatsApp',
      'Importe',
      'Fecha Vto',
      'ESTRATEGIA',
      'zona horaria',
      'Idioma',
      'Observaciones',
    ];
    const bytes = spanishCsv([
      header,
      [
        '77',
        'C-9',
        'Ana Gómez',
        'ana@x.mx',
        '+52 1 55 1234 5678',
        '1,234.50',
        '2025-03-01',
        'consumer-mx',
        'America/Mexico_City',
        'es_MX',
        'llamar tarde',
      ],
    ]);
    const invoice = okLine(
      (await parseAll({ bytes, defaults: { country: 'México', currency: 'mxn', kind: 'person' } }))[0],
    );
    expect(invoice).toEqual({
      externalId: '77',
      debtor: {
        externalId: 'C-9',
        name: 'Ana Gómez',
        kind: 'person',
        email: 'ana@x.mx',
        phone: '+525512345678',
        country: 'MX',
        timezone: 'America/Mexico_City',
        locale: 'es-MX',
      },
      amount: '1234.50',
      currency: 'MXN',
      dueDate: '2025-03-01',
      strategyId: 'consumer-mx',
    });
    const english = Buffer.from(
      'Invoice Number,Customer ID,Customer Name,Type,Amount Due,Currency,Due Date,Country\n"INV-1","900123456","Acme, Inc.",company,"1,234.56",USD,2025-01-31,Colombia\n',
    );
    expect(okLine((await parseAll({ bytes: english }))[0])).toMatchObject({
      amount: '1234.56',
      debtor: { name: 'Acme, Inc.', country: 'CO' },
    });
  });

  it('prefers the outstanding balance when a file has both "monto" and "saldo"', async () => {
    const bytes = spanishCsv([
      ['Factura', 'NIT', 'Cliente', 'Monto', 'Saldo', 'Vencimiento'],
      ['1', '900', 'X', '1.000', '400', '01/02/2025'],
    ]);
    const invoice = okLine(
      (await parseAll({ bytes, defaults: { country: 'CO', currency: 'USD', kind: 'company' } }))[0],
    );
    expect(invoice.amount).toBe('400.00');
  });

  it('sniffs comma, tab and pipe separators, Windows-1252 and UTF-16 files, and skips a title above the header', async () => {
    const defaults = { country: 'CL', currency: 'CLP', kind: 'company' as const };
    const comma = Buffer.from(
      'Reporte de cartera al 31/12/2024\n\nfactura,rut,cliente,monto,vencimiento\n1,1-9,"Pérez, Juan","1.234",01/01/2025\n',
    );
    const tab = Buffer.from('factura\trut\tcliente\tmonto\tvencimiento\r\n1\t1-9\tJuan\t1.234,00\t01/01/2025\r\n');
    const pipe = Buffer.from('factura|rut|cliente|monto|vencimiento\n1|1-9|Juan|1234|01/01/2025\n');
    const latin1 = Buffer.from(
      'Número de factura;RUT;Razón social;Monto;Vencimiento\r\n1;1-9;Ñuñoa Ltda;1.234;01/01/2025\r\n',
      'latin1',
    );
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('Factura\tRUT\tCliente\tMonto\tVencimiento\r\n1\t1-9\tJuan\t1234\t01/01/2025\r\n', 'utf16le'),
    ]);
    const [a, b, c, d, e] = await Promise.all(
      [comma, tab, pipe, latin1, utf16].map((bytes) => parseAll({ bytes, defaults })),
    );
    expect(okLine(a?.[0])).toMatchObject({ amount: '1234', debtor: { name: 'Pérez, Juan' } });
    expect(a?.[0]?.line).toBe(4);
    expect(okLine(b?.[0]).amount).toBe('1234');
    expect(okLine(c?.[0]).amount).toBe('1234');
    expect(okLine(d?.[0]).debtor.name).toBe('Ñuñoa Ltda');
    expect(okLine(e?.[0]).amount).toBe('1234');
  });

  it('uses the defaults only where the line is blank', async () => {
    const bytes = spanishCsv([
      ['Factura', 'RUT', 'Cliente', 'Tipo', 'País', 'Moneda', 'Monto', 'Vencimiento'],
      ['1', '1-9', 'A', '', '', '', '1.000', '01/01/2025'],
      ['2', '2-7', 'B', 'natural', 'Perú', 'PEN', '1.000,5', '01/01/2025'],
    ]);
    const [first, second] = await parseAll({ bytes, defaults: { country: 'CL', currency: 'CLP', kind: 'company' } });
    expect(okLine(first)).toMatchObject({
      amount: '1000',
      currency: 'CLP',
      debtor: { country: 'CL', kind: 'company' },
    });
    expect(okLine(second)).toMatchObject({
      amount: '1000.50',
      currency: 'PEN',
      debtor: { country: 'PE', kind: 'person' },
    });
  });

  it('fails the whole file only when it cannot be read as a portfolio', async () => {
    const noHeader = Buffer.from('a;b;c\n1;2;3\n');
    await expect(parseAll({ bytes: noHeader })).rejects.toThrow(PortfolioFileError);
    const missing = spanishCsv([
      ['Factura', 'Cliente', 'Monto'],
      ['1', 'A', '1'],
    ]);
    const error = await parseAll({
      bytes: missing,
      defaults: { country: 'CL', currency: 'CLP', kind: 'person' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortfolioFileError);
    expect((error as PortfolioFileError).errors.map((e) => e.field).sort()).toEqual(['debtor.externalId', 'dueDate']);
    await expect(parseAll({ bytes: missing, defaults: { currency: 'PESOS' } })).rejects.toThrow(
      'invalid import defaults',
    );
    await expect(parseAll({ bytes: Buffer.alloc(0) })).rejects.toThrow('empty');
    await expect(
      parseAll({ bytes: Buffer.from('<html><table></table></html>'), filename: 'cartera.xls' }),
    ).rejects.toThrow('web page');
    await expect(parseAll({ bytes: Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0, 0]) })).rejects.toThrow('.xls');
  });
});
