// The order an agent works the queue in: overdue first, then by priority, then the earliest due.
export interface QueueTask {
  id: string;
  accountId: string;
  channel: string;
  priority: string;
  dueAt: string;
  status: string;
  assignedAgentId?: string | null;
  /** From GET /v1/me/queue: why the task exists, in words, and the account's debtor and balance. */
  reason?: string;
  debtorName?: string;
  balance?: { amount: string; currency: string };
}

const RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, medium: 2, low: 3 };

export function workOrder<T extends QueueTask>(tasks: readonly T[], now: number): T[] {
  const keyed = tasks.map((t) => {
    const due = Date.parse(t.dueAt);
    return { t, overdue: due < now ? 0 : 1, rank: RANK[t.priority] ?? 2, due };
  });
  keyed.sort((a, b) => a.overdue - b.overdue || a.rank - b.rank || a.due - b.due || a.t.id.localeCompare(b.t.id));
  return keyed.map((k) => k.t);
}
