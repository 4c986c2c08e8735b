// Custom search attributes: business state only, never personal data.
// SQL-backed servers (the dev server too) allow at most 10 Keyword and 3 Int attributes per namespace.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const CollectionStage = defineSearchAttributeKey('CollectionStage', SearchAttributeType.KEYWORD);
export const CollectionStatus = defineSearchAttributeKey('CollectionStatus', SearchAttributeType.KEYWORD);
export const CollectionStrategy = defineSearchAttributeKey('CollectionStrategy', SearchAttributeType.KEYWORD);
export const CollectionStrategyVersion = defineSearchAttributeKey('CollectionStrategyVersion', SearchAttributeType.INT);
export const CollectionDpdBucket = defineSearchAttributeKey('CollectionDpdBucket', SearchAttributeType.KEYWORD);
export const CollectionBalanceMinor = defineSearchAttributeKey('CollectionBalanceMinor', SearchAttributeType.INT);

export const allSearchAttributes = [
  CollectionStage,
  CollectionStatus,
  CollectionStrategy,
  CollectionStrategyVersion,
  CollectionDpdBucket,
  CollectionBalanceMinor,
] as const;

/** Days past due as the buckets supervisors use (aging). */
export function dpdBucket(daysPastDue: number | null): string {
  if (daysPastDue === null || daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return '90+';
}
