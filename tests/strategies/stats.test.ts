// The champion/challenger statistics against published and hand-worked values.
import { describe, expect, it } from 'vitest';
import {
  ratioEstimate,
  ratioInterval,
  ratioZTest,
  twoProportionZTest,
  twoSidedP,
  wilsonInterval,
} from '../../strategies/stats';

describe('Wilson score interval', () => {
  it('is [0.4038, 0.5962] for 50 successes in 100', () => {
    const i = wilsonInterval(50, 100);
    expect(i?.low).toBeCloseTo(0.4038315, 6);
    expect(i?.high).toBeCloseTo(0.5961685, 6);
  });

  it('does not collapse at 0 or n successes (0/10 → [0, 0.2775], 10/10 → [0.7225, 1])', () => {
    const none = wilsonInterval(0, 10);
    expect(none?.low).toBe(0);
    expect(none?.high).toBeCloseTo(0.2775328, 6);
    const all = wilsonInterval(10, 10);
    expect(all?.low).toBeCloseTo(0.7224672, 6);
    expect(all?.high).toBeCloseTo(1, 12);
  });

  it('is asymmetric near 0 (3/40 → [0.0258, 0.1986]) and null without trials', () => {
    const i = wilsonInterval(3, 40);
    expect(i?.low).toBeCloseTo(0.025836, 5);
    expect(i?.high).toBeCloseTo(0.198642, 5);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('two-proportion z-test', () => {
  it('45/100 against 60/100: z −2.124, p 0.0337, significant', () => {
    const t = twoProportionZTest(45, 100, 60, 100);
    expect(t?.z).toBeCloseTo(-2.123977, 5);
    expect(t?.pValue).toBeCloseTo(0.033672, 5);
    expect(t?.significant).toBe(true);
  });

  it('120/400 against 90/400: z 2.411, p 0.0159; 5/10 against 6/10: p 0.653, not significant', () => {
    const a = twoProportionZTest(120, 400, 90, 400);
    expect(a?.z).toBeCloseTo(2.41063, 5);
    expect(a?.pValue).toBeCloseTo(0.015925, 5);
    const b = twoProportionZTest(5, 10, 6, 10);
    expect(b?.pValue).toBeCloseTo(0.653095, 5);
    expect(b?.significant).toBe(false);
  });

  it('equal arms at 0 % or 100 % are no difference, an empty arm no test', () => {
    expect(twoProportionZTest(0, 50, 0, 70)).toEqual({ z: 0, pValue: 1, significant: false });
    expect(twoProportionZTest(50, 50, 70, 70)).toEqual({ z: 0, pValue: 1, significant: false });
    expect(twoProportionZTest(3, 10, 0, 0)).toBeNull();
  });

  it('p is 1.96 ↔ 0.05 and symmetric', () => {
    expect(twoSidedP(1.959963984540054)).toBeCloseTo(0.05, 6);
    expect(twoSidedP(-1.959963984540054)).toBeCloseTo(0.05, 6);
    expect(twoSidedP(0)).toBeCloseTo(1, 6);
  });
});

describe('ratio estimate (recovered ÷ placed per account)', () => {
  const moments = (pairs: [number, number][]) => ({
    n: pairs.length,
    sumX: pairs.reduce((s, [x]) => s + x, 0),
    sumY: pairs.reduce((s, [, y]) => s + y, 0),
    sumXX: pairs.reduce((s, [x]) => s + x * x, 0),
    sumYY: pairs.reduce((s, [, y]) => s + y * y, 0),
    sumXY: pairs.reduce((s, [x, y]) => s + x * y, 0),
  });

  it('placed 100, 100, 200 and recovered 100, 0, 100: R 0.5, Var 5000 ÷ (2·3·133.3²) = 0.046875', () => {
    const e = ratioEstimate(
      moments([
        [100, 100],
        [100, 0],
        [200, 100],
      ]),
    );
    expect(e.ratio).toBe(0.5);
    expect(e.variance).toBeCloseTo(0.046875, 12);
    const i = ratioInterval(e);
    expect(i?.low).toBeCloseTo(0.5 - 1.959963984540054 * Math.sqrt(0.046875), 12);
    expect(i?.high).toBeCloseTo(0.5 + 1.959963984540054 * Math.sqrt(0.046875), 12);
  });

  it('one account has a ratio but no variance; no placed balance has neither', () => {
    expect(ratioEstimate(moments([[100, 40]]))).toEqual({ ratio: 0.4, variance: null });
    expect(ratioEstimate(moments([]))).toEqual({ ratio: null, variance: null });
    expect(ratioInterval({ ratio: 0.4, variance: null })).toBeNull();
  });

  it('compares two arms: z = (R₁ − R₂) ÷ √(V₁ + V₂)', () => {
    const t = ratioZTest({ ratio: 0.5, variance: 0.01 }, { ratio: 0.3, variance: 0.01 });
    expect(t?.z).toBeCloseTo(0.2 / Math.sqrt(0.02), 12);
    expect(t?.pValue).toBeCloseTo(0.157299, 5);
    expect(t?.significant).toBe(false);
    // Every account recovered exactly its arm's share: the difference has no spread at all.
    expect(ratioZTest({ ratio: 1, variance: 0 }, { ratio: 0, variance: 0 })).toEqual({
      z: null,
      pValue: 0,
      significant: true,
    });
  });
});
