// Supervisors' decisions about the money itself: write part of a debt off, or take a handed-off account back.
import type { FastifyInstance } from 'fastify';
import { sendSignal } from '../../lib/outbox/signals';
import { recalledSignal, writtenOffSignal } from '../../workflows/account.messages';
import type { AppDeps } from '../app';
import { loadAccountFor } from '../accounts/access';
import { formatAmount, parseAmount } from '../money';
import { badRequest, conflict, ProblemError, type FieldError } from '../problem';
import { recallSchema, writeOffSchema } from '../schemas/account-supervision';

type Params = { accountId: string };
const supervisors = { roles: ['supervisor'] } as const;

export function accountSupervisionRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, outbox } = deps;

  app.post<{ Params: Params; Body: { amount: string; currency?: string; reason: string } }>(
    '/v1/accounts/:accountId/write-off',
    { schema: writeOffSchema, config: supervisors },
    async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      if (account.closedAt) throw conflict(`Account ${account.id} is closed (${account.status}).`);
      const errors: FieldError[] = [];
      if (req.body.currency && req.body.currency !== account.currency)
        errors.push({ field: 'currency', message: `must be the account's currency ${account.currency}` });
      const amountMinor = parseAmount(req.body.amount, account.currency);
      if (amountMinor === null || amountMinor === 0)
        errors.push({ field: 'amount', message: `must be a positive amount in ${account.currency}` });
      if (errors.length > 0 || amountMinor === null) throw badRequest(errors);
      if (amountMinor !== null && amountMinor > account.balanceMinor) {
        const balance = formatAmount(account.balanceMinor, account.currency);
        throw new ProblemError(
          422,
          'Unprocessable Content',
          `The amount is more than the balance (${balance} ${account.currency}).`,
          [{ field: 'amount', message: `must be at most the balance ${balance}` }],
          { reason: 'amount_over_balance', balance },
        );
      }
      await sendSignal(db, outbox, account.workflowId, writtenOffSignal, {
        amountMinor,
        reason: req.body.reason,
        ...(req.principal?.keyId ? { by: req.principal.keyId } : {}),
      });
      return reply.code(202).send({ accountId: account.id, accepted: 'written_off' });
    },
  );

  app.post<{ Params: Params; Body: { note?: string } | undefined }>(
    '/v1/accounts/:accountId/recall',
    { schema: recallSchema, config: supervisors },
    async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      if (account.status !== 'legal_handoff')
        throw conflict(`Account ${account.id} is not handed off (${account.status}); only a hand-off is recalled.`);
      await sendSignal(db, outbox, account.workflowId, recalledSignal, {
        ...(req.principal?.keyId ? { by: req.principal.keyId } : {}),
      });
      return reply.code(202).send({ accountId: account.id, accepted: 'recalled' });
    },
  );
}
