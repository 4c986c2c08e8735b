// Whether a debtor may still be reached on a channel: opted out (staff, the signed link, WhatsApp STOP)
// or proved unusable (a permanent bounce, a complaint). A fact about the debtor, not one account: it is
// told to every open account when it changes, read when an account opens, and again at send time.
import { and, eq, inArray, isNull, ne, or } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { accounts, debtorChannelStatus } from '../db/schema';
import { optedOutSignal } from '../workflows/account.messages';
import { queueSignals, signalTo, type AccountSignal } from './outbox/signals';

export type ChannelStatus = (typeof debtorChannelStatus.$inferInsert)['status'];

export interface ChannelStatusChange {
  /** Usually one debtor; WhatsApp STOP names every debtor sharing the phone. */
  debtorIds: readonly string[];
  channel: string;
  status: ChannelStatus;
  /** Why, in words for the staff (never personal data). */
  reason: string;
}

export interface RecordedChannelStatus {
  /** False when every debtor already had this status: nothing was written or signalled. */
  changed: boolean;
  /** Outbox rows to deliver after commit. */
  outboxIds: number[];
}

/**
 * Records the status once per debtor and channel and, for each debtor whose status changed, queues
 * `optedOut` to every open account of that debtor. `first` are signals of the same transaction that must
 * reach their workflows before these (a WhatsApp reply's debtorReplied); they are queued together.
 */
export async function recordChannelStatus(
  tx: DbOrTx,
  taskQueue: string,
  change: ChannelStatusChange,
  first: readonly AccountSignal[] = [],
): Promise<RecordedChannelStatus> {
  const debtorIds = [...new Set(change.debtorIds)];
  const changed =
    debtorIds.length === 0
      ? []
      : await tx
          .insert(debtorChannelStatus)
          .values(
            debtorIds.map((debtorId) => ({
              debtorId,
              channel: change.channel,
              status: change.status,
              reason: change.reason,
            })),
          )
          .onConflictDoUpdate({
            target: [debtorChannelStatus.debtorId, debtorChannelStatus.channel],
            set: { status: change.status, reason: change.reason, updatedAt: new Date() },
            // A repeat (a second click, STOP twice, a retried webhook) writes and signals nothing.
            setWhere: ne(debtorChannelStatus.status, change.status),
          })
          .returning({ debtorId: debtorChannelStatus.debtorId });
  const open =
    changed.length === 0
      ? []
      : await tx
          .select({ workflowId: accounts.workflowId })
          .from(accounts)
          .where(
            and(
              inArray(
                accounts.debtorId,
                changed.map((c) => c.debtorId),
              ),
              isNull(accounts.closedAt),
            ),
          )
          .orderBy(accounts.openedAt);
  const signals = [...first, ...open.map((a) => signalTo(a.workflowId, optedOutSignal, { channel: change.channel }))];
  return { changed: changed.length > 0, outboxIds: await queueSignals(tx, taskQueue, signals) };
}

/** The status of the debtor's channel behind an account, or null when it may be used. */
export async function channelStatusOf(db: DbOrTx, accountId: string, channel: string): Promise<ChannelStatus | null> {
  const [row] = await db
    .select({ status: debtorChannelStatus.status })
    .from(accounts)
    .innerJoin(debtorChannelStatus, eq(debtorChannelStatus.debtorId, accounts.debtorId))
    .where(and(eq(accounts.id, accountId), eq(debtorChannelStatus.channel, channel)));
  return row?.status ?? null;
}

/** The channels a new account of the debtor starts with: an address, and no opt-out or bounce on it. */
export async function usableChannels(
  db: DbOrTx,
  debtorId: string,
  addresses: { email: string | null; phone: string | null },
): Promise<{ email: boolean; whatsapp: boolean }> {
  const blocked = await db
    .select({ channel: debtorChannelStatus.channel })
    .from(debtorChannelStatus)
    .where(
      and(
        eq(debtorChannelStatus.debtorId, debtorId),
        or(eq(debtorChannelStatus.channel, 'email'), eq(debtorChannelStatus.channel, 'whatsapp')),
      ),
    );
  const off = new Set(blocked.map((b) => b.channel));
  return {
    email: addresses.email !== null && !off.has('email'),
    whatsapp: addresses.phone !== null && !off.has('whatsapp'),
  };
}
