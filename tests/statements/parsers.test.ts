// The statement readers over files written as banks export them (tests/fixtures/statements): camt.053 with
// a batch entry, a reversal (RvslInd) and a returned transfer (DBIT + RtrInf), camt.054, MT940 with :61:/:86:
// and a reversal mark, a Mexican bank CSV with a preamble and 1.234,56 amounts; a 10,000-line CSV streamed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyLines, parseStatement, StatementFileError, type StatementLine } from '../../lib/statements';

const fixture = (name: string) => readFileSync(path.resolve(import.meta.dirname, '../fixtures/statements', name));
const good = (lines: Awaited<ReturnType<typeof parseStatement>>['lines']): StatementLine[] =>
  lines.flatMap((l) => (l.ok ? [l.value] : []));

describe('camt.053', () => {
  it('reads every booked entry with amounts in minor units, parties, references and reversals', async () => {
    const { format, lines } = await parseStatement(fixture('camt053-banorte.xml'));
    expect(format).toBe('camt.053');
    const ok = good(lines);
    expect(ok.map((l) => l.amountMinor)).toEqual([1250000, 874050, 300000, 200000, 300000, -300000, -120000, -1100]);
    expect(ok[0]).toMatchObject({
      bank: 'MENOMXMTXXX',
      account: '072180001234567897',
      currency: 'MXN',
      bookingDate: '2026-11-02',
      bankReference: 'MBAN01002611020000123',
      endToEndId: 'BNET01002611020045561',
      counterpartyName: 'FERRETERIA LOPEZ E HIJOS SA DE CV',
      counterpartyTaxId: 'FLH980312KU9',
      counterpartyAccount: '012180004455667781',
      remittance: 'PAGO REF 4829175036',
      reversal: false,
    });
    // NOTPROVIDED is no end-to-end id; structured remittance keeps the creditor reference and the document number.
    expect(ok[1]?.endToEndId).toBeNull();
    expect(ok[2]?.remittance).toBe('4829175036 A-2026-0981');
    // The batch entry is split into its two transactions, each with its own bank reference.
    expect(ok.slice(3, 5).map((l) => [l.bankReference, l.counterpartyName])).toEqual([
      ['MBAN01002611020000126-1', 'ABARROTES LA ESPERANZA'],
      ['MBAN01002611020000126-2', 'TALLER MECANICO RIOS'],
    ]);
    // RvslInd on a credit: money out, a reversal. A returned transfer: a debit with RtrInf, a reversal too.
    expect(ok[5]).toMatchObject({ amountMinor: -300000, reversal: true, endToEndId: 'E2E-77812' });
    expect(ok[6]).toMatchObject({ amountMinor: -120000, reversal: true });
    expect(ok[6]?.remittance).toContain('AC04');
    // A fee is money out but no reversal.
    expect(ok[7]).toMatchObject({ amountMinor: -1100, reversal: false });
    // The pending entry is a line error, not money.
    expect(lines.filter((l) => !l.ok)).toEqual([
      expect.objectContaining({ line: 9, errors: [expect.objectContaining({ field: 'Sts' })] }),
    ]);
  });

  it('gives the same keys when read again, and distinct keys to distinct movements', async () => {
    const a = keyLines((await parseStatement(fixture('camt053-banorte.xml'))).lines).map((k) => k.key);
    const b = keyLines((await parseStatement(fixture('camt053-banorte.xml'))).lines).map((k) => k.key);
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(a.length);
    expect(a[0]).toBe('stmt|MENOMXMTXXX|072180001234567897|2026-11-02|1250000|MBAN01002611020000123');
  });
});

describe('camt.054', () => {
  it('reads notifications (old BIC and Sts shapes, a DtTm booking date)', async () => {
    const { format, lines } = await parseStatement(fixture('camt054-bbva.xml'));
    expect(format).toBe('camt.054');
    expect(good(lines)).toEqual([
      expect.objectContaining({
        bank: 'BCMRMXMMPYM',
        account: 'MX12BBVA00000000001234',
        bookingDate: '2026-11-02',
        amountMinor: 123456,
        counterpartyName: 'JOSE ANGEL HERNANDEZ',
        counterpartyAccount: '002180700112233445',
        remittance: 'Pago factura F-2026/771',
      }),
      expect.objectContaining({ amountMinor: 25000, remittance: null }),
    ]);
  });
});

describe('MT940', () => {
  it('reads :61: amounts digit by digit, RC as a reversal, :86: names and remittance', async () => {
    const { format, lines } = await parseStatement(fixture('mt940-bbva.sta'));
    expect(format).toBe('mt940');
    const ok = good(lines);
    expect(ok.map((l) => [l.amountMinor, l.reversal])).toEqual([
      [1250000, false],
      [874050, false],
      [-300000, true],
      [-1100, false],
    ]);
    expect(ok[0]).toMatchObject({
      bank: 'BCMRMXMM',
      account: '0123456789',
      currency: 'MXN',
      bookingDate: '2026-11-02',
      bankReference: 'BBVA000998001',
      counterpartyName: 'FERRETERIA LOPEZ E HIJOS',
    });
    expect(ok[1]?.remittance).toContain('FAC-00123 FAC-00124');
  });

  it('refuses a statement whose balances do not add up', async () => {
    const broken = fixture('mt940-bbva.sta')
      .toString('latin1')
      .replace(':62F:C261102MXN168229,50', ':62F:C261102MXN1,00');
    await expect(parseStatement(Buffer.from(broken, 'latin1'))).rejects.toBeInstanceOf(StatementFileError);
  });
});

describe('bank CSV', () => {
  it('finds the header under the preamble, reads 1.234,56 and dd/mm/yyyy, reports bad lines', async () => {
    const { format, lines } = await parseStatement(fixture('csv-banamex.csv'), { bank: 'BANAMEX' });
    expect(format).toBe('csv');
    const ok = good(lines);
    expect(ok.map((l) => [l.line, l.bookingDate, l.amountMinor])).toEqual([
      [7, '2026-11-01', 1250000],
      [8, '2026-11-01', 874050],
      [9, '2026-11-02', -1100],
      [10, '2026-11-02', 200000],
      [11, '2026-11-02', -1250000],
    ]);
    // The account comes from the preamble ("No. de cuenta: 7009-1234567"), the bank from the upload.
    expect(ok[0]).toMatchObject({ bank: 'BANAMEX', account: '70091234567', bankReference: 'BNET01002611010001' });
    expect(ok[0]?.remittance).toBe('SPEI RECIBIDO FERRETERIA LOPEZ 4829175036');
    expect(ok[4]).toMatchObject({ reversal: true });
    expect(lines.filter((l) => !l.ok).map((l) => (l.ok ? null : [l.line, l.errors[0]?.field]))).toEqual([
      [12, 'date'],
      [13, 'credit'],
    ]);
  });

  it('takes an explicit column mapping and a signed amount column', async () => {
    const csv = 'F. Op,Texto,Importe MXN,Cta\n2026-11-03,"PAGO FAC 9",-1.500.00,123\n2026-11-03,ABONO,"1,500.00",123\n';
    const mapped = await parseStatement(Buffer.from(csv.replace('-1.500.00', '-1500.00')), {
      mapping: { date: 'F. Op', description: 'Texto', amount: 'Importe MXN', account: 'Cta' },
    });
    expect(good(mapped.lines).map((l) => [l.amountMinor, l.account, l.remittance])).toEqual([
      [-150000, '123', 'PAGO FAC 9'],
      [150000, '123', 'ABONO'],
    ]);
    await expect(parseStatement(Buffer.from(csv), { mapping: { nope: 'x' } })).rejects.toBeInstanceOf(
      StatementFileError,
    );
  });

  it('refuses a file without a date and amount header', async () => {
    await expect(parseStatement(Buffer.from('a;b\n1;2\n'))).rejects.toThrow(/header/);
    await expect(parseStatement(Buffer.from('<html></html>'))).rejects.toThrow(/camt/);
    await expect(parseStatement(Buffer.alloc(0))).rejects.toThrow(/empty/);
  });

  it('streams a 10,000-line export: every line read, keys unique, amounts summed exactly', async () => {
    const rows = ['Banco;;;;', 'Cuenta: 0123456789;;;;', 'Fecha;Concepto;Referencia;Abonos;Cargos'];
    let total = 0;
    for (let i = 1; i <= 10_000; i++) {
      const cents = 10_000 + ((i * 7919) % 900_000);
      total += cents;
      const pesos = Math.floor(cents / 100).toLocaleString('de-DE');
      const day = String(1 + (i % 28)).padStart(2, '0');
      rows.push(
        `${day}/10/2026;SPEI RECIBIDO FAC-${i};${1_000_000 + i};${pesos},${String(cents % 100).padStart(2, '0')};`,
      );
    }
    const { lines } = await parseStatement(Buffer.from(rows.join('\r\n'), 'latin1'), { bank: 'BANORTE' });
    const ok = good(lines);
    expect(ok).toHaveLength(10_000);
    expect(ok.reduce((s, l) => s + l.amountMinor, 0)).toBe(total);
    expect(new Set(keyLines(lines).map((k) => k.key)).size).toBe(10_000);
  });
});
