// Segmentation: first matching rule assigns a strategy; champion/challenger splits by a stable hash
// of the account id so an account always lands in the same arm, on every machine and every run.
import { currencyDigits, parseMinor } from './core/money';

export interface SegmentConditions {
  kind?: 'person' | 'company';
  country?: string | string[];
  minBalance?: string;
  maxBalance?: string;
  minDaysPastDue?: number;
  maxDaysPastDue?: number;
  currency?: string | string[];
  product?: string | string[];
  /** Every listed tag must be present. */
  tags?: string[];
  /** The debtor's attributes: each must equal the value, be one of the listed values, or (a list) contain it. */
  attributes?: Record<string, AttributeValue | (string | number)[]>;
}

export type AttributeValue = string | number | boolean | string[];

export interface StrategyArms {
  strategy: string;
  /** Share of accounts (0–100, up to two decimals) sent to the challenger strategy. */
  challenger?: { strategy: string; percent: number };
}

export interface SegmentRule extends StrategyArms {
  id: string;
  when: SegmentConditions;
}

export interface Segmentation {
  rules: SegmentRule[];
  default: StrategyArms;
}

export interface AccountFacts {
  accountId: string;
  kind: 'person' | 'company';
  country: string;
  balanceMinor: number;
  currency: string;
  daysPastDue: number;
  product?: string;
  tags?: readonly string[];
  attributes?: Readonly<Record<string, AttributeValue>>;
}

function attributeHolds(actual: AttributeValue | undefined, expected: AttributeValue | (string | number)[]): boolean {
  if (actual === undefined) return false;
  const wanted: unknown[] = Array.isArray(expected) ? expected : [expected];
  if (Array.isArray(actual)) return wanted.some((w) => actual.includes(String(w)));
  return wanted.some((w) => w === actual);
}

export interface Assignment {
  strategyId: string;
  rule: string;
  arm: 'champion' | 'challenger';
  /** 0–9999: the account's stable position in the split. */
  bucket: number;
}

/** 32-bit FNV-1a over the UTF-8 bytes of a string. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function splitBucket(accountId: string, salt = ''): number {
  return fnv1a(`${salt}${accountId}`) % 10000;
}

function oneOf(value: string | undefined, expected: string | string[] | undefined): boolean {
  if (expected === undefined) return true;
  if (value === undefined) return false;
  return Array.isArray(expected) ? expected.includes(value) : expected === value;
}

export function matches(when: SegmentConditions, facts: AccountFacts): boolean {
  const digits = currencyDigits(facts.currency);
  const min = when.minBalance === undefined ? null : parseMinor(when.minBalance, digits);
  const max = when.maxBalance === undefined ? null : parseMinor(when.maxBalance, digits);
  if (when.kind !== undefined && when.kind !== facts.kind) return false;
  if (!oneOf(facts.country, when.country)) return false;
  if (!oneOf(facts.product, when.product)) return false;
  if (!oneOf(facts.currency, when.currency)) return false;
  for (const [name, expected] of Object.entries(when.attributes ?? {}))
    if (!attributeHolds(facts.attributes?.[name], expected)) return false;
  if (min !== null && facts.balanceMinor < min) return false;
  if (max !== null && facts.balanceMinor > max) return false;
  if (when.minDaysPastDue !== undefined && facts.daysPastDue < when.minDaysPastDue) return false;
  if (when.maxDaysPastDue !== undefined && facts.daysPastDue > when.maxDaysPastDue) return false;
  if (when.tags && !when.tags.every((t) => facts.tags?.includes(t))) return false;
  return true;
}

export function assignStrategy(segmentation: Segmentation, facts: AccountFacts): Assignment {
  const rule = segmentation.rules.find((r) => matches(r.when, facts));
  const arms = rule ?? segmentation.default;
  const ruleId = rule?.id ?? 'default';
  // Salting by rule keeps splits of different segments independent of each other.
  const bucket = splitBucket(facts.accountId, `${ruleId}:`);
  const challenger = arms.challenger;
  if (challenger && bucket < Math.round(challenger.percent * 100)) {
    return { strategyId: challenger.strategy, rule: ruleId, arm: 'challenger', bucket };
  }
  return { strategyId: arms.strategy, rule: ruleId, arm: 'champion', bucket };
}
