// POST /v1/accounts/{accountId}/payments/{reference}/reversal: an ERP (or a supervisor) takes a booked payment
// back, all or part, e.g. a bounced transfer. The same booking as a provider's refund or chargeback: once per
// reversal id, never above what is left of the payment, engine event payment_reversed (the balance goes back up).
import type { FastifyInstance } from 'fastify';
import { reopenWithReversal } from '../../lib/payments/reopen';
import { recordReversal } from '../../lib/payments/reversals';
import type { AppDeps } from '../app';
import { loadAccountFor } from '../accounts/access';
import { formatAmount, parseAmount } from '../money';
import { badRequest, conflict, notFound, ProblemError, unavailable } from '../problem';
import { paymentReversalSchema } from '../schemas/payment-reversal';

type Params = { accountId: string; reference: string };
type Body = { amount?: string; reversalId?: string; reason?: string } | undefined;

export function paymentReversalRoutes(app: FastifyInstance, deps: AppDeps) {
  app.post<{ Params: Params; Body: Body }>(
    '/v1/accounts/:accountId/payments/:reference/reversal',
    { schema: paymentReversalSchema, config: { roles: ['system', 'supervisor'] } },
    async (req, reply) => {
      const account = await loadAccountFor(deps.db, req, req.params.accountId);
      const { reference } = req.params;
      const body = req.body ?? {};
      let amountMinor: number | undefined;
      if (body.amount !== undefined) {
        const parsed = parseAmount(body.amount, account.currency);
        if (parsed === null || parsed === 0)
          throw badRequest([{ field: 'amount', message: `must be a positive amount in ${account.currency}` }]);
        amountMinor = parsed;
      }
      const reversalId = body.reversalId ?? `api:${reference}`;
      const result = await recordReversal(deps.db, deps.outbox.taskQueue, account, {
        reference,
        reversalId,
        source: 'api',
        exact: true,
        ...(amountMinor !== undefined ? { amountMinor } : {}),
        ...(body.reason !== undefined ? { reason: body.reason } : {}),
      });
      const answer = (amount: number, duplicate: boolean) =>
        reply.code(202).send({
          accountId: account.id,
          accepted: 'payment_reversed',
          reference,
          reversalId,
          amount: formatAmount(amount, account.currency),
          currency: account.currency,
          duplicate,
        });
      switch (result.status) {
        case 'unknown_payment':
          throw notFound(`Payment ${reference} of account ${account.id}`);
        case 'nothing_left':
          throw conflict(`Payment ${reference} is already reversed in full.`);
        case 'above_payment': {
          const left = formatAmount(result.leftMinor, account.currency);
          throw new ProblemError(
            422,
            'Unprocessable Content',
            `The amount is more than what is left of the payment (${left} ${account.currency}).`,
            [{ field: 'amount', message: `must be at most ${left}` }],
            { reason: 'amount_over_payment', left },
          );
        }
        case 'account_closed':
        case 'duplicate': {
          // The payment had closed the account and its run has ended: a new run carries its state on. A repeat
          // of a reversal whose reopening failed tries again (the core applies a reversal id once).
          if (account.closedAt) {
            await reopenWithReversal(
              { db: deps.db, temporal: deps.temporal, taskQueue: deps.config.temporal.taskQueue },
              account.workflowId,
              { reference, amountMinor: result.amountMinor, reversalId },
            ).catch((err: unknown) => {
              req.log.warn({ err: (err as Error).message }, 'reopening the account failed');
              throw unavailable('The reversal is booked; reopening the account failed: repeat the request.');
            });
          }
          return answer(result.amountMinor, result.status === 'duplicate');
        }
        case 'reversed':
          await deps.outbox.dispatchNow(result.outboxIds).catch((err: unknown) => {
            req.log.warn({ err: (err as Error).message }, 'reversal signal left to the outbox relay');
          });
          return answer(result.amountMinor, false);
      }
    },
  );
}
