import type { FastifyInstance } from 'fastify';
import { accountViewQuery, type AccountView } from '../../workflows/account.messages';
import type { AppDeps } from '../app';
import { loadAccountFor } from '../accounts/access';
import { recordPayment } from '../accounts/payments';
import { formatAmount, parseAmount, isCurrency } from '../money';
import { badRequest } from '../problem';
import { getAccountSchema, paymentSchema } from '../schemas/accounts';

type AccountParams = { accountId: string };

/** A read waits this long for the workflow, then answers from the read model. */
export const ACCOUNT_QUERY_DEADLINE_MS = 1500;

export function accountRoutes(app: FastifyInstance, deps: AppDeps) {
  app.get<{ Params: AccountParams }>(
    '/v1/accounts/:accountId',
    { schema: getAccountSchema, config: { roles: ['system', 'supervisor', 'agent'] } },
    async (req, reply) => {
      const account = await loadAccountFor(deps.db, req, req.params.accountId);
      let view: AccountView | null = null;
      try {
        const handle = deps.temporal.workflow.getHandle(account.workflowId);
        view = await deps.temporal.withDeadline(Date.now() + ACCOUNT_QUERY_DEADLINE_MS, () =>
          handle.query(accountViewQuery),
        );
      } catch (err) {
        req.log.warn({ err: (err as Error).message }, 'account query failed; answering from the read model');
        reply.header('x-served-from', 'read-model');
      }
      return {
        accountId: account.id,
        source: view ? 'workflow' : 'read-model',
        status: view?.status ?? account.status,
        stage: view?.stage ?? account.stage,
        balance: {
          amount: formatAmount(view?.balanceMinor ?? account.balanceMinor, account.currency),
          currency: account.currency,
        },
        daysPastDue: view?.daysPastDue ?? account.daysPastDue,
        strategy:
          view?.strategy ??
          (account.strategyId && account.strategyVersion
            ? { id: account.strategyId, version: account.strategyVersion }
            : null),
        nextAction: view?.nextAction ?? null,
        promise: view?.promise
          ? {
              promiseId: view.promise.promiseId,
              amount: formatAmount(view.promise.amountMinor, account.currency),
              dueDate: view.promise.dueDate,
              status: view.promise.status,
            }
          : null,
        brokenPromises: view?.brokenPromises ?? 0,
        timeline: view?.timeline ?? [],
      };
    },
  );

  app.post<{ Params: AccountParams; Body: { amount: string; currency: string; reference: string; paidAt?: string } }>(
    '/v1/accounts/:accountId/payments',
    { schema: paymentSchema, config: { roles: ['system', 'agent'] } },
    async (req, reply) => {
      const account = await loadAccountFor(deps.db, req, req.params.accountId);
      const { amount, currency, reference, paidAt } = req.body;
      const amountMinor = isCurrency(currency) ? parseAmount(amount, currency) : null;
      const errors = [];
      if (!isCurrency(currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 currency code' });
      else if (amountMinor === null || amountMinor === 0)
        errors.push({
          field: 'amount',
          message: 'must be a positive decimal with at most the currency’s minor digits',
        });
      if (errors.length > 0 || amountMinor === null) throw badRequest(errors);
      const result = await recordPayment(deps.db, deps.outbox.taskQueue, account, {
        amountMinor,
        currency,
        reference,
        paidAt: paidAt ? new Date(paidAt) : new Date(),
      });
      await deps.outbox.dispatchRows(result.outboxRows).catch((err: unknown) => {
        req.log.warn({ err: (err as Error).message }, 'payment signal left to the outbox relay');
      });
      return reply.code(202).send({ accountId: req.params.accountId, reference, duplicate: result.duplicate });
    },
  );
}
