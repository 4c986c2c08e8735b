// Sends a WhatsApp text at most once per business idempotency key, even across Temporal retries and
// crashes. WhatsApp has no idempotency key of its own, so a send that may have left (the process died
// or the socket failed mid-send) is never repeated: it is marked `failed` / `uncertain_delivery` and
// the workflow gets a non-retryable failure. A duplicate to a debtor is worse than a missing reminder.
import { ApplicationFailure } from '@temporalio/common';
import { and, eq, isNull, or, ne } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { accounts, debtors, outboundMessages } from '../../db/schema';
import { refuseUnusableChannel } from '../channel-refusal';
import { WhatsAppSendError, type WhatsAppChannel } from './channel';
import { normaliseE164 } from '../../lib/phone';

export interface SendWhatsAppInput {
  accountId: string;
  /** Built from business ids (workflow, step, attempt), never from activity ids. */
  idempotencyKey: string;
  text: string;
  /** Defaults to the debtor's phone. */
  toE164?: string;
  /** Recorded on the outbound_messages row; defaults to `text` and the debtor's locale (else `es`). */
  template?: string;
  locale?: string;
}

export interface SendWhatsAppResult {
  status: 'sent';
  /** outbound_messages.id */
  messageId: string;
  providerMessageId: string;
}

/** Marks a row whose send was handed to the channel and not yet recorded as done. */
export const IN_FLIGHT = 'in_flight';
export const UNCERTAIN_DELIVERY = 'uncertain_delivery';
export const PROVIDER = 'baileys';

type Row = typeof outboundMessages.$inferSelect;

export function createWhatsAppActivities(deps: { db: Db; channel: WhatsAppChannel }) {
  const { db, channel } = deps;

  async function byKey(key: string): Promise<Row | undefined> {
    const [row] = await db.select().from(outboundMessages).where(eq(outboundMessages.idempotencyKey, key));
    return row;
  }

  /** A row that has been through a send already decides the answer on its own; undefined means "go on". */
  async function settled(row: Row): Promise<SendWhatsAppResult | undefined> {
    if (row.status === 'sent' || row.status === 'captured') {
      return { status: 'sent', messageId: row.id, providerMessageId: row.providerMessageId ?? '' };
    }
    if (row.status === 'failed') throw failedBefore(row);
    if (row.error === IN_FLIGHT) {
      // The attempt that claimed this row died (or is still stuck) inside the send: it may have reached the debtor.
      await db
        .update(outboundMessages)
        .set({ status: 'failed', error: UNCERTAIN_DELIVERY })
        .where(and(eq(outboundMessages.id, row.id), eq(outboundMessages.status, 'pending')));
      throw uncertain(row.idempotencyKey);
    }
    return undefined;
  }

  return {
    sendWhatsApp: async (input: SendWhatsAppInput): Promise<SendWhatsAppResult> => {
      const existing = await byKey(input.idempotencyKey);
      if (existing) {
        const answer = await settled(existing);
        if (answer) return answer;
      }
      // Rendered before the debtor replied STOP (or opted out elsewhere): refused, never sent.
      await refuseUnusableChannel(db, input.accountId, 'whatsapp', input.idempotencyKey);

      const [target] = await db
        .select({ phone: debtors.phone, locale: debtors.locale })
        .from(accounts)
        .innerJoin(debtors, eq(debtors.id, accounts.debtorId))
        .where(eq(accounts.id, input.accountId));
      if (!target)
        throw ApplicationFailure.nonRetryable(`Account ${input.accountId} does not exist`, 'AccountNotFound');
      const raw = input.toE164 ?? target.phone;
      if (!raw) throw ApplicationFailure.nonRetryable('The debtor has no phone number', 'NoPhone');
      const to = normaliseE164(raw);
      if (to === null)
        throw ApplicationFailure.nonRetryable('The debtor phone number is not a valid E.164 number', 'InvalidPhone');

      await db
        .insert(outboundMessages)
        .values({
          idempotencyKey: input.idempotencyKey,
          accountId: input.accountId,
          channel: 'whatsapp',
          template: input.template ?? 'text',
          locale: input.locale ?? target.locale ?? 'es',
          status: 'pending',
          bodyText: input.text,
        })
        .onConflictDoNothing({ target: outboundMessages.idempotencyKey });

      // The claim is one conditional update, so of two concurrent attempts only one can go on to send.
      const [claimed] = await db
        .update(outboundMessages)
        .set({ provider: PROVIDER, error: IN_FLIGHT, bodyText: input.text })
        .where(
          and(
            eq(outboundMessages.idempotencyKey, input.idempotencyKey),
            eq(outboundMessages.status, 'pending'),
            or(isNull(outboundMessages.error), ne(outboundMessages.error, IN_FLIGHT)),
          ),
        )
        .returning();
      if (!claimed) {
        const now = await byKey(input.idempotencyKey);
        const answer = now ? await settled(now) : undefined;
        if (answer) return answer;
        throw new Error(`outbound message ${input.idempotencyKey} could not be claimed`);
      }

      let providerMessageId: string;
      try {
        ({ providerMessageId } = await channel.sendText(to, input.text));
      } catch (err) {
        throw await afterSendError(db, claimed, err);
      }
      await recordSent(db, claimed.id, providerMessageId);
      return { status: 'sent', messageId: claimed.id, providerMessageId };
    },
  };
}

async function afterSendError(db: Db, row: Row, err: unknown): Promise<ApplicationFailure> {
  if (err instanceof WhatsAppSendError && err.delivery === 'not_sent') {
    // Nothing left: release the claim so a retry may send; a permanent refusal closes the row.
    await db
      .update(outboundMessages)
      .set(err.retryable ? { error: null } : { status: 'failed', error: err.code })
      .where(eq(outboundMessages.id, row.id));
    return ApplicationFailure.create({
      message: err.message,
      type: `WhatsAppSendError:${err.code}`,
      nonRetryable: !err.retryable,
      details: [{ code: err.code }],
      nextRetryDelay: err.retryable ? err.retryAfterMs : undefined,
      cause: err,
    });
  }
  await db
    .update(outboundMessages)
    .set({ status: 'failed', error: UNCERTAIN_DELIVERY })
    .where(eq(outboundMessages.id, row.id));
  return uncertain(row.idempotencyKey, err instanceof Error ? err : undefined);
}

async function recordSent(db: Db, id: string, providerMessageId: string): Promise<void> {
  // The message is out: losing this write would turn a delivered message into an "uncertain" one on retry.
  for (let attempt = 1; ; attempt++) {
    try {
      await db
        .update(outboundMessages)
        .set({ status: 'sent', error: null, providerMessageId, sentAt: new Date() })
        .where(eq(outboundMessages.id, id));
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

function uncertain(key: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({
    cause,
    message: `WhatsApp message ${key} may or may not have been delivered; it is not sent again (WhatsApp has no idempotency key)`,
    type: 'WhatsAppUncertainDelivery',
    nonRetryable: true,
  });
}

function failedBefore(row: Row): ApplicationFailure {
  if (row.error === UNCERTAIN_DELIVERY) return uncertain(row.idempotencyKey);
  return ApplicationFailure.create({
    message: `WhatsApp message ${row.idempotencyKey} already failed: ${row.error ?? 'unknown'}`,
    type: `WhatsAppSendError:${row.error ?? 'unknown'}`,
    nonRetryable: true,
  });
}
