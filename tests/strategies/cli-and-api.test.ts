import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinStrategy } from '../../strategies/builtin/index';
import { checkPromise, decide, initialState, nextWakeAt, toView } from '../../strategies/core/index';
import type { EngineContext } from '../../strategies/core/types';
import { packFor } from '../../strategies/jurisdictions';
import { publicHolidays } from '../../strategies/holidays';

const root = join(import.meta.dirname, '../..');

function simulateCli(content: string, name: string) {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/simulate.ts'), file], {
    cwd: root,
    encoding: 'utf8',
  });
}

describe('npm run simulate', () => {
  it('prints the result for a YAML scenario and names every invalid path on stderr', () => {
    const ok = simulateCli(
      'start: "2026-03-02T08:00:00"\nuntil: "2026-03-10T00:00:00"\nstrategy: consumer-mx\n' +
        'debtor: {externalId: D1, name: Ana, kind: person, country: MX, email: a@x.mx}\n' +
        'invoices: [{externalId: F-1, amount: "1500.00", currency: MXN, dueDate: "2026-03-05"}]\n',
      's.yaml',
    );
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'active', balance: '1500.00' });

    const bad = simulateCli(
      JSON.stringify({
        start: '2026-03-02T08:00:00',
        until: '2026-03-10T00:00:00',
        strategy: {
          id: 'x',
          name: 'X',
          jurisdiction: 'MX',
          stages: [{ id: 'a', kind: 'administrative', fromDay: 1 }],
          escalations: [{ when: { brokenPromises: 1 }, goTo: 'zz' }],
        },
        debtor: { externalId: 'D1', name: 'Ana', kind: 'person', country: 'MX' },
        invoices: [{ externalId: 'F-1', amount: '15.001', currency: 'MXN', dueDate: '2026-03-05' }],
      }),
      's.json',
    );
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toEqual([
      'strategy.escalations[0].goTo: unknown stage "zz"',
      'invoices[0].amount: not a valid MXN amount',
    ]);
  });
});

describe('core API as the workflow uses it', () => {
  const strategy = builtinStrategy('consumer-mx');
  if (!strategy) throw new Error('missing');
  const ctx: EngineContext = {
    strategy,
    strategyVersion: 1,
    pack: packFor('MX', '2026-03-01'),
    holidays: publicHolidays('MX', 2026, 2026),
    zone: 'America/Mexico_City',
  };
  const opened = Date.parse('2026-03-02T14:00:00Z'); // 08:00 in Mexico City

  it('emits commands with stable keys, wakes at the next due instant and answers promise validation', () => {
    const s0 = initialState({
      accountId: 'A1',
      currency: 'MXN',
      channels: { email: true, whatsapp: true },
      openedAt: opened,
    });
    const d1 = decide(
      ctx,
      s0,
      { type: 'invoice', externalId: 'F-1', amountMinor: 150000, currency: 'MXN', dueDate: '2026-03-05' },
      opened,
    );
    expect(s0.timeline).toEqual([]);
    expect(d1.commands).toEqual([
      { type: 'send_message', key: 'preventive/0/1', channel: 'email', template: 'upcoming', stageId: 'preventive' },
    ]);
    const wake = nextWakeAt(ctx, d1.state);
    expect(new Date(wake ?? 0).toISOString()).toBe('2026-03-05T13:00:00.000Z');
    expect(toView(ctx, d1.state, opened)).toMatchObject({
      status: 'active',
      stage: 'preventive',
      balance: '1500.00',
      daysPastDue: 0,
      nextAction: { type: 'message', channel: 'whatsapp', at: '2026-03-05T07:00:00-06:00' },
      promise: null,
      brokenPromises: 0,
    });
    // The refusal says the minimum (30 % of 1,500.00), and exactly that minimum is accepted.
    expect(checkPromise(ctx, d1.state, { amountMinor: 10000, dueDate: '2026-03-10' }, opened)).toEqual({
      ok: false,
      reason: 'amount_too_low',
      minimumMinor: 45000,
    });
    expect(checkPromise(ctx, d1.state, { amountMinor: 45000, dueDate: '2026-03-17' }, opened)).toEqual({ ok: true });
    expect(checkPromise(ctx, d1.state, { amountMinor: 45000, dueDate: '2026-03-18' }, opened)).toEqual({
      ok: false,
      reason: 'due_date_too_far',
    });
    const d2 = decide(ctx, d1.state, { type: 'tick' }, wake ?? 0);
    expect(d2.commands.map((c) => c.type === 'send_message' && c.key)).toEqual(['preventive/1/1']);
    expect(JSON.parse(JSON.stringify(d2.state))).toEqual(d2.state);
  });
});
