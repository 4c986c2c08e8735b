// Portfolio simulation (CONTRACT §6): many accounts under one strategy on a simulated clock, with the KPIs
// of their timelines — a strategist compares two strategies on the same portfolio before publishing.
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { NormalizedStrategy, TimelineEntry } from './core/types';
import { kpis, type Kpis } from './kpis';
import { parseScenario, resolveStrategy, type Scenario } from './scenario';
import { simulate } from './simulate';
import { formatPath, issuesToErrors, type FieldError } from './validation-errors';

export const portfolioSchema = z.strictObject({
  // Checked with each account (their meaning depends on the debtor's zone), reported once.
  start: z.string(),
  until: z.string(),
  strategy: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  // Each account is checked by the scenario schema (CONTRACT §4), its paths prefixed with accounts[i].
  accounts: z.array(z.record(z.string(), z.unknown())).min(1),
});

export interface Portfolio {
  scenarios: Scenario[];
  /** The debtor of each scenario, in order. */
  debtors: string[];
  /** Local dates the KPIs count: from the earliest start to the latest end among the debtors' zones. */
  from: string;
  to: string;
}

export type PortfolioParse = { ok: true; portfolio: Portfolio } | { ok: false; errors: FieldError[] };

export interface PortfolioResult {
  accounts: { debtorExternalId: string; status: string; balance: string; timeline: TimelineEntry[] }[];
  kpis: Kpis[];
}

/** Paths every account shares are reported once, unprefixed. */
const SHARED = /^(start|until|strategy)(\.|\[|$)/;

export function parsePortfolio(json: unknown, opts: { strategyVersion?: number } = {}): PortfolioParse {
  const parsed = portfolioSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: issuesToErrors(parsed.error.issues) };
  const { start, until, accounts } = parsed.data;
  const errors: FieldError[] = [];
  const strategy: NormalizedStrategy | null = resolveStrategy(parsed.data.strategy, errors);
  if (!strategy) return { ok: false, errors };
  const shared = new Set<string>();
  const scenarios: Scenario[] = [];
  const debtors: string[] = [];
  accounts.forEach((account, i) => {
    const result = parseScenario(
      { start, until, strategy: parsed.data.strategy, ...account },
      { strategyVersion: opts.strategyVersion, strategy },
    );
    if (result.ok) {
      scenarios.push(result.scenario);
      debtors.push((account.debtor as { externalId: string }).externalId);
      return;
    }
    for (const e of result.errors) {
      if (SHARED.test(e.path)) {
        const key = `${e.path}\u0000${e.message}`;
        if (!shared.has(key)) errors.push(e);
        shared.add(key);
      } else errors.push({ path: `${formatPath(['accounts', i])}.${e.path}`, message: e.message });
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  const dates = (at: (s: Scenario) => number) =>
    scenarios.map((s) => DateTime.fromMillis(at(s), { zone: s.zone }).toISODate() ?? '').sort();
  return {
    ok: true,
    portfolio: { scenarios, debtors, from: dates((s) => s.start)[0] ?? '', to: dates((s) => s.until).at(-1) ?? '' },
  };
}

export function runPortfolio(portfolio: Portfolio): PortfolioResult {
  const results = portfolio.scenarios.map((scenario) => ({ scenario, result: simulate(scenario) }));
  return {
    accounts: results.map(({ result }, i) => ({
      debtorExternalId: portfolio.debtors[i] ?? '',
      status: result.status,
      balance: result.balance,
      timeline: result.timeline,
    })),
    kpis: kpis(
      results.map(({ scenario, result }) => ({ currency: scenario.currency, timeline: result.timeline })),
      { from: portfolio.from, to: portfolio.to },
    ),
  };
}
