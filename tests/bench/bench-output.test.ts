// `npm run bench` smoke test: each bench, at a tiny size against the test run's servers, ends its
// stdout with one JSON object carrying the contract's fields (CONTRACT.md §5) as positive numbers.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bench.ts'), ...args], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: inject('databaseUrl'),
        TEMPORAL_ADDRESS: inject('temporalAddress'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function lastJson(stdout: string): Record<string, unknown> {
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '') as Record<string, unknown>;
}

function expectPositive(result: Record<string, unknown>, fields: string[]) {
  for (const field of fields) {
    expect(typeof result[field], field).toBe('number');
    expect(result[field] as number, field).toBeGreaterThan(0);
    expect(Number.isFinite(result[field]), field).toBe(true);
  }
}

describe('npm run bench', () => {
  it('ingest prints its result as the last stdout line', async () => {
    const run = await bench(['ingest', '--accounts', '50', '--warmup', '10', '--settle-ms', '0', '--timeout-s', '40']);
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson(run.stdout);
    expect(result).toMatchObject({ bench: 'ingest', accounts: 50 });
    expectPositive(result, ['accounts', 'rate', 'baseline_rate', 'ratio']);
  }, 60_000);

  it('signal prints its result as the last stdout line (app in-process)', async () => {
    const run = await bench([
      'signal',
      '--app',
      'inprocess',
      '--concurrency',
      '4',
      '--requests',
      '40',
      '--warmup',
      '8',
      '--rounds',
      '2',
      '--targets',
      '8',
      '--timeout-s',
      '40',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson(run.stdout);
    expect(result).toMatchObject({ bench: 'signal', concurrency: 4, requests: 40 });
    expectPositive(result, [
      'concurrency',
      'requests',
      'p50_ms',
      'p99_ms',
      'baseline_p50_ms',
      'baseline_p99_ms',
      'ratio',
    ]);
  }, 60_000);
});
