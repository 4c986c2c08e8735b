// The parts of segmentation's facts that are derived rather than read: whole days past the oldest due date
// in the debtor's zone, and the `product`/`tags` conditions read from the debtor's attributes of those names.
// The worker's loader and the import's stage forecast both use these, so they judge an account alike.
import { DateTime } from 'luxon';
import type { AccountFacts, AttributeValue } from './segmentation';

export function daysPastDue(oldestDue: string, zone: string, now: number): number {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const due = DateTime.fromISO(oldestDue, { zone });
  return Math.max(0, Math.floor(today.diff(due, 'days').days));
}

export function withAttributes(
  facts: AccountFacts,
  attributes: Readonly<Record<string, AttributeValue>> | null | undefined,
): AccountFacts {
  if (!attributes) return facts;
  const product = typeof attributes.product === 'string' ? { product: attributes.product } : {};
  const tags = Array.isArray(attributes.tags) ? { tags: attributes.tags } : {};
  return { ...facts, attributes, ...product, ...tags };
}
