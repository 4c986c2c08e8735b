// Issue 8 item 13: `"strategy": "<id>@<version>"` in a scenario runs that published version, read from the
// API (COLLECTIONS_API_URL / COLLECTIONS_API_KEY, as the CLI); an unknown version exits non-zero naming `strategy`.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerMx } from '../../strategies/builtin/consumer-mx';
import type { StrategyDefinition } from '../../strategies/definition';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller } from './helpers';

const root = path.resolve(import.meta.dirname, '../..');
const work = mkdtempSync(path.join(tmpdir(), 'scenario-published-'));
let app: TestApp;
let strategist: string;

beforeAll(async () => {
  app = await startTestApp();
  strategist = await app.keyFor('strategist');
});
afterAll(async () => {
  await app?.stop();
  rmSync(work, { recursive: true, force: true });
});

function scenario(strategy: unknown) {
  return {
    start: '2026-03-02T08:00:00',
    until: '2026-03-20T00:00:00',
    strategy,
    debtor: {
      externalId: 'D1',
      name: 'Ana Pérez',
      kind: 'person',
      country: 'MX',
      email: 'ana@example.com',
      phone: '+525512345678',
    },
    invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-03-05' }],
  };
}

function simulateCli(content: unknown, env: Record<string, string>) {
  const file = path.join(work, `${uniqueId('s')}.json`);
  writeFileSync(file, JSON.stringify(content));
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/simulate.ts', file], {
      cwd: root,
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('npm run simulate with a published version', () => {
  it('runs "<id>@<version>" as published, and names strategy when the version does not exist', async () => {
    const call = caller(app.url);
    const id = uniqueId('sim');
    const v1: StrategyDefinition = { ...consumerMx, id };
    // Version 2 writes the day-1 notice by email instead of WhatsApp.
    const v2: StrategyDefinition = {
      ...v1,
      stages: v1.stages.map((stage) =>
        stage.id === 'early'
          ? {
              ...stage,
              steps: (stage.steps ?? []).map((step) => (step.day === 1 ? { ...step, channel: 'email' } : step)),
            }
          : stage,
      ),
    };
    for (const [definition, version] of [
      [v1, 1],
      [v2, 2],
    ] as const) {
      expect((await call('PUT', `/v1/strategies/${id}/draft`, strategist, definition)).status).toBe(200);
      expect((await call('POST', `/v1/strategies/${id}/publish`, strategist, {})).body).toEqual({ id, version });
    }
    const env = { COLLECTIONS_API_URL: app.url, COLLECTIONS_API_KEY: strategist };

    const [published2, published1, inline2] = await Promise.all([
      simulateCli(scenario(`${id}@2`), env),
      simulateCli(scenario(`${id}@1`), env),
      simulateCli(scenario(v2), {}),
    ]);
    expect(published2.stderr).toBe('');
    expect(published2.status).toBe(0);
    expect(JSON.parse(published2.stdout)).toEqual(JSON.parse(inline2.stdout));
    const day1 = (out: string) =>
      (JSON.parse(out) as { timeline: { day: number; type: string; channel?: string }[] }).timeline.find(
        (e) => e.day === 1 && e.type === 'message',
      )?.channel;
    expect(day1(published2.stdout)).toBe('email');
    expect(day1(published1.stdout)).toBe('whatsapp');

    const unknown = await simulateCli(scenario(`${id}@9`), env);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(new RegExp(`^strategy: version 9 of strategy ${id} is not published`));

    const noKey = await simulateCli(scenario(`${id}@2`), { COLLECTIONS_API_URL: app.url, COLLECTIONS_API_KEY: '' });
    expect(noKey.status).not.toBe(0);
    expect(noKey.stderr).toMatch(/^strategy: .* set COLLECTIONS_API_KEY/);
  });
});
