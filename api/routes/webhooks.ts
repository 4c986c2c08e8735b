// Resend delivery webhooks: verified on the raw body, deduplicated by delivery id, recorded on the
// message, and signalled into the account workflow (a bounce or complaint makes the address unusable).
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { WebhookVerificationError, verifyResendWebhook, type EmailEvent } from '../../lib/email/resend-webhook';
import { accounts, outboundMessages, webhookDeliveries } from '../../db/schema';
import { recordChannelStatus } from '../../lib/channel-status';
import { deliveryStatusAdvances } from '../../lib/email/delivery-status';
import { queueSignal, signalTo } from '../../lib/outbox/signals';
import { contactOutcomeSignal, deliveryFailedSignal, stepKeyOf } from '../../workflows/account.messages';
import type { AppDeps } from '../app';
import { ProblemError, unavailable } from '../problem';
import { problemResponses } from '../schemas/common';

const deliveryStatus: Partial<Record<EmailEvent['type'], string>> = {
  'email.sent': 'sent',
  'email.delivered': 'delivered',
  'email.delivery_delayed': 'delayed',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
  'email.failed': 'failed',
  'email.suppressed': 'suppressed',
};

export function resendWebhookRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Signatures cover the exact bytes Resend sent: keep the body raw for this route only.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post<{ Body: string }>(
    '/v1/webhooks/resend',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Resend delivery events (signed with Svix headers).',
        security: [],
        response: {
          200: {
            type: 'object',
            required: ['received'],
            properties: { received: { type: 'boolean' }, duplicate: { type: 'boolean' } },
          },
          ...problemResponses(400, 401, 503),
        },
      },
    },
    async (req) => {
      const secret = deps.config.email.webhookSecret;
      if (!secret) throw unavailable('RESEND_WEBHOOK_SECRET is not configured.');
      let event;
      try {
        event = verifyResendWebhook(req.body, req.headers, secret);
      } catch (err) {
        if (err instanceof WebhookVerificationError) {
          throw new ProblemError(
            err.reason === 'bad_payload' ? 400 : 401,
            err.reason === 'bad_payload' ? 'Bad Request' : 'Unauthorized',
            err.message,
          );
        }
        throw err;
      }
      const { outboxIds, duplicate } = await deps.db.transaction(async (tx) => {
        const fresh = await tx
          .insert(webhookDeliveries)
          .values({ provider: 'resend', deliveryId: event.deliveryId })
          .onConflictDoNothing()
          .returning();
        if (fresh.length === 0) return { outboxIds: [], duplicate: true };
        if (event.type === 'other') return { outboxIds: [], duplicate: false };
        const status = deliveryStatus[event.type];
        const messageId = event.tags.message_id;
        const [message] = await tx
          .select({
            id: outboundMessages.id,
            key: outboundMessages.idempotencyKey,
            accountId: outboundMessages.accountId,
            status: outboundMessages.deliveryStatus,
            statusAt: outboundMessages.deliveryUpdatedAt,
          })
          .from(outboundMessages)
          .where(
            messageId && /^[0-9a-f-]{36}$/.test(messageId)
              ? eq(outboundMessages.id, messageId)
              : eq(outboundMessages.providerMessageId, event.emailId),
          )
          // Two events of one message at once: the second waits and compares with what the first wrote.
          .for('update');
        if (!message || !status) return { outboxIds: [], duplicate: false };
        const at = new Date(event.occurredAt);
        if (deliveryStatusAdvances({ status: message.status, at: message.statusAt }, { status, at }))
          await tx
            .update(outboundMessages)
            .set({ deliveryStatus: status, deliveryUpdatedAt: at })
            .where(eq(outboundMessages.id, message.id));
        const [account] = await tx
          .select({ workflowId: accounts.workflowId, debtorId: accounts.debtorId, closedAt: accounts.closedAt })
          .from(accounts)
          .where(eq(accounts.id, message.accountId));
        if (!account) return { outboxIds: [], duplicate: false };
        const unusable =
          event.type === 'email.complained' || (event.type === 'email.bounced' && event.bounce.type === 'Permanent');
        if (unusable) {
          // This message's account marks the channel failed first; then every open account of the debtor stops using the address.
          const failed = signalTo(account.workflowId, deliveryFailedSignal, {
            key: stepKeyOf(message.key) ?? message.key,
            channel: 'email',
            reason: status,
          });
          const recorded = await recordChannelStatus(
            tx,
            deps.outbox.taskQueue,
            {
              debtorIds: [account.debtorId],
              channel: 'email',
              status: event.type === 'email.complained' ? 'complained' : 'invalid',
              reason: event.type,
            },
            account.closedAt ? [] : [failed],
          );
          return { outboxIds: recorded.outboxIds, duplicate: false };
        }
        if (account.closedAt) return { outboxIds: [], duplicate: false };
        const ids = await queueSignal(tx, deps.outbox.taskQueue, account.workflowId, contactOutcomeSignal, {
          channel: 'email',
          outcome: `email_${status}`,
        });
        return { outboxIds: ids, duplicate: false };
      });
      await deps.outbox.dispatchNow(outboxIds).catch(() => undefined);
      return { received: true, duplicate };
    },
  );
  return Promise.resolve();
}
