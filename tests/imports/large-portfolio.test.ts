import { describe, expect, it } from 'vitest';
import { parsePortfolio } from '../../api/imports/portfolio-parser.js';
import { spanishCsv, xlsxBuffer } from './portfolio-fixtures.js';

const LINES = 10_000;
const HEADER = ['Factura', 'RUT', 'Razón Social', 'Tipo', 'Correo', 'Celular', 'Monto', 'Vencimiento'];

function row(index: number): string[] {
  // Every hundredth line carries an impossible date so errors are mixed into the stream.
  const due = index % 100 === 0 ? '30/02/2025' : `${(index % 28) + 1}/03/2025`;
  return [
    `F-${index}`,
    `${10_000_000 + index}-K`,
    `Cliente ${index}`,
    index % 2 ? 'empresa' : 'persona',
    `c${index}@ejemplo.cl`,
    `9 8${String(index).padStart(7, '0')}`,
    String(index * 1000 + 7).replace(/\B(?=(\d{3})+(?!\d))/g, '.'),
    due,
  ];
}

/** Counts lines without keeping them, and samples the heap to show memory stays flat. */
async function consume(bytes: Buffer): Promise<{ ok: number; bad: number; lastLine: number; heapGrowthMb: number }> {
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  const totals = { ok: 0, bad: 0, lastLine: 0 };
  for await (const line of parsePortfolio({ bytes, defaults: { country: 'CL', currency: 'CLP' } })) {
    if (line.ok) totals.ok += 1;
    else totals.bad += 1;
    totals.lastLine = line.line;
    if (line.line % 1000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  return { ...totals, heapGrowthMb: (peak - baseline) / 2 ** 20 };
}

describe('a 10k-line portfolio', () => {
  const rows = [HEADER, ...Array.from({ length: LINES }, (_, index) => row(index + 1))];

  it('streams a CSV export', async () => {
    const result = await consume(spanishCsv(rows));
    expect(result).toMatchObject({ ok: LINES - LINES / 100, bad: LINES / 100, lastLine: LINES + 1 });
    // Loose bound: holding every parsed line would not fail it, but a runaway buffer would.
    expect(result.heapGrowthMb).toBeLessThan(256);
  });

  it('streams an XLSX export', async () => {
    const result = await consume(await xlsxBuffer(rows));
    expect(result).toMatchObject({ ok: LINES - LINES / 100, bad: LINES / 100, lastLine: LINES + 1 });
    expect(result.heapGrowthMb).toBeLessThan(256);
  });
});
