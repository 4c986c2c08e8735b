// `npm run simulate -- --portfolio FILE`: many accounts under one strategy, their KPIs equal to the KPI
// function over the printed timelines; invalid accounts named by path; the README's example runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { kpis } from '../../strategies/kpis';
import { parsePortfolio, runPortfolio, type PortfolioResult } from '../../strategies/portfolio';
import { mxDebtor, strategyWith } from './helpers';

const root = join(import.meta.dirname, '../..');

function simulateCli(content: unknown) {
  const file = join(mkdtempSync(join(tmpdir(), 'portfolio-')), 'portfolio.json');
  writeFileSync(file, JSON.stringify(content));
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/simulate.ts'), '--portfolio', file], {
    cwd: root,
    encoding: 'utf8',
  });
}

const account = (n: number, extra: Record<string, unknown> = {}) => ({
  debtor: { ...mxDebtor, externalId: `D${n}` },
  invoices: [{ externalId: `F-${n}`, amount: `${n}00.00`, currency: 'MXN', dueDate: '2026-03-05' }],
  ...extra,
});

const portfolio = {
  start: '2026-03-02T08:00:00',
  until: '2026-05-01T00:00:00',
  strategy: 'consumer-mx',
  accounts: [
    account(1, {
      events: [
        { at: '2026-03-12T10:00:00', type: 'promise', amount: '100.00', dueDate: '2026-03-20' },
        { at: '2026-03-20T18:00:00', type: 'payment', amount: '100.00', reference: 'P1' },
      ],
    }),
    account(2, {
      events: [
        { at: '2026-03-09T12:00:00', type: 'reply', channel: 'whatsapp', text: 'pago pronto' },
        { at: '2026-03-10T12:00:00', type: 'promise', amount: '200.00', dueDate: '2026-03-15' },
      ],
    }),
    account(3),
    {
      debtor: { externalId: 'C1', name: 'Jo', kind: 'person', country: 'CL', email: 'jo@example.cl' },
      invoices: [{ externalId: 'F-CL', amount: '90000', currency: 'CLP', dueDate: '2026-03-05' }],
      events: [{ at: '2026-03-25T10:00:00', type: 'payment', amount: '45000', reference: 'P-CL' }],
    },
  ],
};

describe('npm run simulate -- --portfolio', () => {
  it('prints each account and the KPIs, which equal the KPI function over the printed timelines', () => {
    const out = simulateCli(portfolio);
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    const result = JSON.parse(out.stdout) as PortfolioResult;
    expect(result.accounts.map((a) => [a.debtorExternalId, a.status, a.balance])).toEqual([
      ['D1', 'paid', '0.00'],
      ['D2', 'active', '200.00'],
      ['D3', 'active', '300.00'],
      ['C1', 'active', '45000'],
    ]);
    const currencies = ['MXN', 'MXN', 'MXN', 'CLP'];
    const timelines = result.accounts.map((a, i) => ({ currency: currencies[i] ?? '', timeline: a.timeline }));
    expect(result.kpis).toEqual(kpis(timelines, { from: '2026-03-02', to: '2026-05-01' }));
    const [clp, mxn] = result.kpis;
    expect(clp).toMatchObject({ currency: 'CLP', placed: '90000', collected: '45000', recoveryRate: 0.5 });
    expect(mxn).toMatchObject({
      currency: 'MXN',
      accounts: 3,
      placed: '600.00',
      collected: '100.00',
      promises: 2,
      promisesKept: 1,
      promisesBroken: 1,
      keptRate: 0.5,
      rightPartyContacts: 1,
      closed: { paid: 1 },
    });
  });

  it('exits 1 naming each invalid path; a shared field is named once', () => {
    const out = simulateCli({
      ...portfolio,
      until: 'soon',
      accounts: [
        account(1),
        { ...account(2), debtor: { ...mxDebtor, country: 'Mexico' } },
        account(3),
        { ...account(4), invoices: [{ externalId: 'F', amount: '12,50', currency: 'MXN', dueDate: '2026-03-05' }] },
      ],
    });
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    const paths = out.stderr
      .trim()
      .split('\n')
      .map((line) => line.slice(0, line.indexOf(':')));
    expect(paths.sort()).toEqual(['accounts[1].debtor.country', 'accounts[3].invoices[0].amount', 'until']);
  });

  it('compares two strategies on the same portfolio: a strategy with fewer steps makes fewer attempts', () => {
    const parse = (strategy: unknown) => {
      const parsed = parsePortfolio({ ...portfolio, strategy });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      return runPortfolio(parsed.portfolio).kpis.find((k) => k.currency === 'MXN');
    };
    const champion = parse(strategyWith());
    const quiet = parse(strategyWith({ stages: [{ id: 'early', kind: 'administrative', fromDay: 1, steps: [] }] }));
    expect(champion?.attempts).toBeGreaterThan(0);
    expect(quiet).toMatchObject({
      attempts: 0,
      rpcRate: null,
      placed: champion?.placed,
      collected: champion?.collected,
    });
  });

  it("the README's portfolio example runs as written", () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.indexOf('### Portfolio simulation');
    expect(section).toBeGreaterThan(0);
    const from = readme.indexOf('```yaml\n', section) + '```yaml\n'.length;
    const parsed = parsePortfolio(parseYaml(readme.slice(from, readme.indexOf('\n```', from))));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const result = runPortfolio(parsed.portfolio);
    expect(result.accounts.map((a) => a.status)).toEqual(['paid', 'active']);
    expect(result.kpis).toMatchObject([
      { currency: 'MXN', placed: '2300.00', collected: '1800.00', rightPartyContacts: 1 },
    ]);
  });
});
