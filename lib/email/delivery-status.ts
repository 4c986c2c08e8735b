// How far a message got, as the provider's webhooks tell it. Webhooks arrive late, twice and out of order
// (Resend retries for hours), so a message's status only moves forward: a late "delivered" never hides an
// "opened", and a complaint outranks everything the debtor did before it.
const RANK: Record<string, number> = {
  sent: 1,
  delayed: 1,
  delivered: 2,
  opened: 3,
  clicked: 4,
  bounced: 5,
  failed: 5,
  suppressed: 5,
  complained: 6,
};

/**
 * Whether a webhook's status replaces the one recorded: a further status wins; between statuses of the
 * same rank (sent and delayed), the later event does.
 */
export function deliveryStatusAdvances(
  current: { status: string | null; at: Date | null },
  next: { status: string; at: Date },
): boolean {
  if (current.status === null) return true;
  const was = RANK[current.status] ?? 0;
  const now = RANK[next.status] ?? 0;
  if (now !== was) return now > was;
  return current.at === null || next.at.getTime() >= current.at.getTime();
}
