// The last check before a message leaves: the workflow decided the send from what it knew, but the
// debtor may have opted out (or the address bounced) since. Then the send is a channel failure, which
// the workflow turns into send_refused and the step's fallback — never a message on that channel.
import { ApplicationFailure } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { outboundMessages } from '../db/schema';
import { channelStatusOf } from '../lib/channel-status';

/** Throws a non-retryable failure of type `opted_out`, `invalid` or `complained` when the channel is unusable. */
export async function refuseUnusableChannel(
  db: DbOrTx,
  accountId: string,
  channel: string,
  idempotencyKey: string,
): Promise<void> {
  const status = await channelStatusOf(db, accountId, channel);
  if (status === null) return;
  // A row rendered before the opt-out must never be sent by a later attempt either.
  await db
    .update(outboundMessages)
    .set({ status: 'failed', error: status })
    .where(and(eq(outboundMessages.idempotencyKey, idempotencyKey), eq(outboundMessages.status, 'pending')));
  throw ApplicationFailure.nonRetryable(`The debtor's ${channel} channel is ${status.replace('_', ' ')}`, status);
}
