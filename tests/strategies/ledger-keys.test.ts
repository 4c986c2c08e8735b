// Contact-ledger rows are keyed by the business decision, not by the instant it was taken: a workflow task
// retried after a worker crash decides again a few seconds later and must land on the same rows.
import { describe, expect, it } from 'vitest';
import { decide, initialState } from '../../strategies/core/index';
import { contextFor, parseScenario } from '../../strategies/simulate';
import { ledgerEntries } from '../../workflows/account.ledger';
import { mxDebtor } from './helpers';

function opening(at: string) {
  const parsed = parseScenario({
    start: at,
    until: '2026-02-20T00:00:00',
    strategy: 'consumer-mx',
    debtor: mxDebtor,
    invoices: [{ externalId: 'F-1', amount: '1500.00', currency: 'MXN', dueDate: '2026-01-25' }],
  });
  if (!parsed.ok) throw new Error('bad scenario');
  const { scenario } = parsed;
  const ctx = contextFor(scenario);
  const state = initialState({
    accountId: 'A-1',
    currency: 'MXN',
    channels: scenario.channels,
    openedAt: scenario.start,
  });
  const decision = decide(ctx, state, { type: 'invoices', invoices: scenario.invoices }, scenario.start);
  return { ctx, decision };
}

describe('contact ledger keys', () => {
  it('the same decision taken 40 s later (a retried workflow task) has the same keys and its own time', () => {
    // Day 11: the day-1 message was missed (skipped, catch-up) and the day-7 call runs.
    const first = opening('2026-02-05T10:00:00');
    const retry = opening('2026-02-05T10:00:40');
    const a = ledgerEntries('A-1', first.ctx, first.decision);
    const b = ledgerEntries('A-1', retry.ctx, retry.decision);
    expect(a.decisions.length).toBeGreaterThan(0);
    expect(a.decisions.map((d) => d.decision)).toContain('skipped');
    expect(b.decisions.map((d) => d.key)).toEqual(a.decisions.map((d) => d.key));
    expect(b.decisions[0]?.at).toBe((a.decisions[0]?.at ?? 0) + 40_000);
    for (const d of a.decisions) expect(d.key).toMatch(/^A-1\/v\d+\/[^/]+\/\d+\/\d+\/(deferred|skipped)\/\d+$/);
  });

  it('a step skipped twice gets two rows (its ordinal), never one row per instant', () => {
    const { ctx, decision } = opening('2026-02-05T10:00:00');
    const skipped = decision.timeline.find((e) => e.type === 'skipped');
    expect(skipped).toBeDefined();
    const twice = {
      ...decision,
      timeline: [...decision.timeline, { ...skipped!, at: '2026-02-06T10:00:00-06:00' }],
      state: {
        ...decision.state,
        timeline: [...decision.state.timeline, { ...skipped!, at: '2026-02-06T10:00:00-06:00' }],
      },
    };
    const keys = ledgerEntries('A-1', ctx, twice)
      .decisions.filter((d) => d.decision === 'skipped')
      .map((d) => d.key);
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect(keys[1]?.endsWith('/skipped/2')).toBe(true);
  });
});
