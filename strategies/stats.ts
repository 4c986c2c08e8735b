// Statistics for comparing a champion strategy with its challenger: confidence intervals of rates and
// whether two arms differ by more than chance. Pure functions over counts (or per-account moments).
import { errorFunction } from 'simple-statistics';

/** The standard normal quantile of 0.975: a 95 % two-sided interval. */
export const Z_95 = 1.959963984540054;
/** The significance level the comparison answers for. */
export const ALPHA = 0.05;

export interface Interval {
  low: number;
  high: number;
}

export interface Significance {
  /** The statistic; null when it is infinite (arms without variance that differ). */
  z: number | null;
  /** Two-sided p-value of the difference between the arms. */
  pValue: number;
  /** pValue < ALPHA. */
  significant: boolean;
}

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedP(z: number): number {
  return Math.min(1, Math.max(0, 1 - errorFunction(Math.abs(z) / Math.SQRT2)));
}

/** The difference over its standard error: a difference without any spread is certain (p 0). */
function significance(diff: number, se: number): Significance {
  if (se === 0) return diff === 0 ? { z: 0, pValue: 1, significant: false } : { z: null, pValue: 0, significant: true };
  const z = diff / se;
  const pValue = twoSidedP(z);
  return { z, pValue, significant: pValue < ALPHA };
}

/**
 * Wilson score interval of successes ÷ trials (null without trials): unlike p ± z·√(p(1−p)/n) it stays
 * within [0, 1] and does not collapse to a point at 0 or n successes.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Two-proportion z-test with the pooled proportion: z = (p₁ − p₂) ÷ √(p̂(1 − p̂)(1/n₁ + 1/n₂)).
 * Null when an arm has no trials; equal arms with p̂ of 0 or 1 are no difference (z 0, p 1).
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): Significance | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const diff = x1 / n1 - x2 / n2;
  return significance(diff, se);
}

/** Per-unit sums of a ratio estimator R = Σy ÷ Σx (e.g. recovered ÷ placed, one unit per account). */
export interface RatioMoments {
  n: number;
  sumX: number;
  sumY: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
}

export interface RatioEstimate {
  ratio: number | null;
  /** Delta-method variance of the ratio (null with fewer than two units or no x). */
  variance: number | null;
}

/**
 * Ratio of sums with its delta-method (linearisation) variance,
 * Var(R) ≈ Σ(yᵢ − R·xᵢ)² ÷ ((n − 1) · n · x̄²): the interval of a money-weighted rate such as recovery,
 * where the unit that was randomised is the account, not the currency unit.
 */
export function ratioEstimate(m: RatioMoments): RatioEstimate {
  if (m.n <= 0 || m.sumX <= 0) return { ratio: null, variance: null };
  const ratio = m.sumY / m.sumX;
  if (m.n < 2) return { ratio, variance: null };
  const residuals = Math.max(0, m.sumYY - 2 * ratio * m.sumXY + ratio * ratio * m.sumXX);
  const meanX = m.sumX / m.n;
  return { ratio, variance: residuals / ((m.n - 1) * m.n * meanX * meanX) };
}

/** Normal interval R ± z·√Var(R), clipped to [0, 1] (null without a variance). */
export function ratioInterval(e: RatioEstimate, z = Z_95): Interval | null {
  if (e.ratio === null || e.variance === null) return null;
  const half = z * Math.sqrt(e.variance);
  return { low: Math.max(0, e.ratio - half), high: Math.min(1, e.ratio + half) };
}

/** z-test of the difference of two independent ratio estimates: z = (R₁ − R₂) ÷ √(Var₁ + Var₂). */
export function ratioZTest(a: RatioEstimate, b: RatioEstimate): Significance | null {
  if (a.ratio === null || b.ratio === null || a.variance === null || b.variance === null) return null;
  const se = Math.sqrt(a.variance + b.variance);
  return significance(a.ratio - b.ratio, se);
}
