// The `collections` CLI against the real API: import with a progress report and per-line errors,
// strategy validate/publish, and simulate (same output as npm run simulate).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_STRATEGIES } from '../../strategies/index';
import { erpExport } from '../imports/erp-export';
import { spanishCsv } from '../imports/portfolio-fixtures';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-'));
let app: TestApp;

function cli(args: string[], key?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'scripts/cli.ts'), ...args], {
      cwd: root,
      env: { ...process.env, COLLECTIONS_API_URL: app.url, ...(key ? { COLLECTIONS_API_KEY: key } : {}) },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

beforeAll(async () => {
  app = await startTestApp();
});

afterAll(async () => {
  await app?.stop();
});

describe('collections CLI', () => {
  it('imports a file, follows the job and prints the refused lines', async () => {
    const csv = file(
      'cartera.csv',
      spanishCsv([
        ['Factura', 'RFC', 'Cliente', 'Tipo', 'Monto', 'Vencimiento'],
        [uniqueId('F'), uniqueId('D'), 'Ana', 'persona', '1.500,00', '05/03/2026'],
        [uniqueId('F'), uniqueId('D'), 'Luis', 'persona', 'mucho', '05/03/2026'],
      ]),
    );
    const res = await cli(['import', csv, '--country', 'MX', '--currency', 'MXN'], await app.keyFor('system'));
    expect(res.stderr).toContain('import job');
    expect(res.stdout).toContain('1 new, 0 identical repeats, 1 refused');
    expect(res.stdout).toMatch(/accounts entering each stage now: \w/);
    expect(res.stdout).toContain('line 3: amount:');
    expect(res.code).toBe(2);
    const noKey = await cli(['import', csv]);
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toContain('COLLECTIONS_API_KEY');
  });

  it('imports an ERP export with --map for a header no accepted name matches, and says why it refuses a file', async () => {
    const { bytes } = erpExport(uniqueId('CLI'));
    // "Cliente ID" and "Razón Social / Nombre" match by their words; "Saldo Pendiente" is renamed to need --map.
    const renamed = Buffer.from(bytes.toString('utf8').replace('Saldo Pendiente', 'Pendiente MN'), 'utf8');
    const csv = file('antiguedad.csv', renamed);
    const key = await app.keyFor('system');
    const res = await cli(['import', csv, '--country', 'MX', '--map', 'amount=Pendiente MN'], key);
    expect(res.stdout).toContain('288 new, 1 identical repeat, 11 refused');
    expect(res.stdout).toMatch(/accounts entering each stage now: .*prelegal \d+/);
    expect(res.code).toBe(2);

    const unknown = await cli(['import', csv, '--country', 'MX', '--map', 'debtor.rfc=RFC'], key);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('mapping.debtor.rfc');
    const badPair = await cli(['import', csv, '--map', 'amount'], key);
    expect(badPair.code).toBe(1);
    expect(badPair.stderr).toContain('expected FIELD=HEADER');

    const missing = await cli(['import', csv, '--country', 'MX'], key);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('"Pendiente MN"');
    expect(missing.stderr).toContain('"saldo pendiente"');
    expect(missing.stderr).not.toContain('…');
  });

  it('validates a YAML strategy locally and publishes it through the API', async () => {
    const id = uniqueId('cli');
    const good = { ...BUILTIN_STRATEGIES['consumer-mx'], id };
    const bad = { ...good, escalations: [{ when: { brokenPromises: 1 }, goTo: 'zz' }] };
    const invalid = await cli(['strategy', 'validate', file('bad.yaml', stringify(bad))]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr.trim()).toBe('escalations[0].goTo: unknown stage "zz"');
    const valid = await cli(['strategy', 'validate', file('good.yaml', stringify(good))]);
    expect(valid.code).toBe(0);
    const published = await cli(
      ['strategy', 'publish', file('good.json', JSON.stringify(good))],
      await app.keyFor('strategist'),
    );
    expect(published.stderr).toBe('');
    expect(JSON.parse(published.stdout)).toEqual({ id, version: 1 });
  });

  it('simulates a scenario like npm run simulate', async () => {
    const scenario = file(
      's.yaml',
      'start: "2026-03-02T08:00:00"\nuntil: "2026-03-10T00:00:00"\nstrategy: consumer-mx\n' +
        'debtor: {externalId: D1, name: Ana, kind: person, country: MX, email: a@x.mx}\n' +
        'invoices: [{externalId: F-1, amount: "1500.00", currency: MXN, dueDate: "2026-03-05"}]\n',
    );
    const res = await cli(['simulate', scenario]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'active', balance: '1500.00' });
  });
});
