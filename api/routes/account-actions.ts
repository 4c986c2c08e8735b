// What agents, supervisors and integrators do to an account: agreements (answered synchronously by the
// workflow's updates), disputes, pause/resume, opt-outs, contact outcomes and strategy moves (signals).
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { recordChannelStatus } from '../../lib/channel-status';
import { sendSignal, sendSignals, signalTo, type AccountSignal } from '../../lib/outbox/signals';
import { loadStrategyVersion } from '../../lib/strategies/store';
import {
  contactOutcomeSignal,
  disputeOpenedSignal,
  disputeResolvedSignal,
  pausedSignal,
  proposePlanUpdate,
  registerPromiseUpdate,
  resumedSignal,
  strategyVersionChangedSignal,
  type AgreementResult,
} from '../../workflows/account.messages';
import type { AppDeps } from '../app';
import { loadAccountFor } from '../accounts/access';
import { parseAmount } from '../money';
import { badRequest, conflict, notFound, ProblemError, unavailable, type FieldError } from '../problem';
import {
  contactOutcomeSchema,
  disputeResolutionSchema,
  disputeSchema,
  optOutSchema,
  pauseSchema,
  planSchema,
  promiseSchema,
  strategyChangeSchema,
} from '../schemas/account-actions';

type Params = { accountId: string };

function amountIn(currency: string, text: string, field: string, errors: FieldError[]): number {
  const minor = parseAmount(text, currency);
  if (minor === null || minor === 0)
    errors.push({ field, message: `must be a positive amount in ${currency} with at most its minor digits` });
  return minor ?? 0;
}

async function runUpdate(fn: () => Promise<AgreementResult>): Promise<AgreementResult> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      throw new ProblemError(409, 'Conflict', err.cause?.message ?? err.message);
    }
    if (err instanceof WorkflowNotFoundError) throw conflict('The account workflow is not running.');
    throw unavailable(`The account workflow did not answer: ${(err as Error).message}`);
  }
}

function answer(result: AgreementResult, idName: string) {
  if (result.status === 'rejected') {
    const minimum = result.minimum;
    throw new ProblemError(
      422,
      'Unprocessable Content',
      minimum !== undefined
        ? `The strategy's policy refused it: ${result.reason} (the minimum is ${minimum}).`
        : `The strategy's policy refused it: ${result.reason}.`,
      undefined,
      { reason: result.reason, ...(minimum !== undefined ? { minimum } : {}) },
    );
  }
  return { [idName]: result.id, status: 'active' as const };
}

export function accountActionRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, temporal, outbox } = deps;
  const agentsAndSystems = { roles: ['system', 'agent'] } as const;
  const staff = { roles: ['system', 'supervisor', 'agent'] } as const;

  app.post<{ Params: Params; Body: { amount: string; currency?: string; dueDate: string } }>(
    '/v1/accounts/:accountId/promises',
    { schema: promiseSchema, config: agentsAndSystems },
    async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      const errors: FieldError[] = [];
      if (req.body.currency && req.body.currency !== account.currency)
        errors.push({ field: 'currency', message: `must be the account's currency ${account.currency}` });
      const amountMinor = amountIn(account.currency, req.body.amount, 'amount', errors);
      if (errors.length > 0) throw badRequest(errors);
      const handle = temporal.workflow.getHandle(account.workflowId);
      const result = await runUpdate(() =>
        handle.executeUpdate(registerPromiseUpdate, { args: [{ amountMinor, dueDate: req.body.dueDate }] }),
      );
      return reply.code(201).send(answer(result, 'promiseId'));
    },
  );

  app.post<{ Params: Params; Body: { currency?: string; installments: { amount: string; dueDate: string }[] } }>(
    '/v1/accounts/:accountId/plans',
    { schema: planSchema, config: agentsAndSystems },
    async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      const errors: FieldError[] = [];
      if (req.body.currency && req.body.currency !== account.currency)
        errors.push({ field: 'currency', message: `must be the account's currency ${account.currency}` });
      const installments = req.body.installments.map((i, n) => ({
        amountMinor: amountIn(account.currency, i.amount, `installments[${n}].amount`, errors),
        dueDate: i.dueDate,
      }));
      if (errors.length > 0) throw badRequest(errors);
      const handle = temporal.workflow.getHandle(account.workflowId);
      const result = await runUpdate(() => handle.executeUpdate(proposePlanUpdate, { args: [{ installments }] }));
      return reply.code(201).send(answer(result, 'planId'));
    },
  );

  const signalRoute = <B>(
    path: string,
    schema: object,
    roles: { roles: readonly ('system' | 'supervisor' | 'agent' | 'strategist')[] },
    build: (
      body: B,
      account: Awaited<ReturnType<typeof loadAccountFor>>,
    ) => { signal: AccountSignal; accepted: string },
  ) =>
    app.post<{ Params: Params; Body: B }>(path, { schema, config: roles }, async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      if (account.closedAt) throw conflict(`Account ${account.id} is closed (${account.status}).`);
      const { signal, accepted } = build(req.body as B, account);
      await sendSignals(db, outbox, [signal]);
      return reply.code(202).send({ accountId: account.id, accepted });
    });

  signalRoute<{ reason: string; invoiceExternalId?: string }>(
    '/v1/accounts/:accountId/disputes',
    disputeSchema,
    staff,
    (b, account) => ({
      signal: signalTo(account.workflowId, disputeOpenedSignal, {
        reason: b.reason,
        ...(b.invoiceExternalId ? { invoiceExternalId: b.invoiceExternalId } : {}),
      }),
      accepted: 'dispute_opened',
    }),
  );
  signalRoute<{ outcome: 'upheld' | 'rejected'; adjustment?: string }>(
    '/v1/accounts/:accountId/disputes/resolution',
    disputeResolutionSchema,
    { roles: ['system', 'supervisor'] },
    (b, account) => {
      const errors: FieldError[] = [];
      const adjustmentMinor =
        b.adjustment !== undefined ? amountIn(account.currency, b.adjustment, 'adjustment', errors) : undefined;
      if (b.adjustment !== undefined && b.outcome !== 'upheld')
        errors.push({ field: 'adjustment', message: 'is only allowed when the dispute is upheld' });
      if (errors.length > 0) throw badRequest(errors);
      return {
        signal: signalTo(account.workflowId, disputeResolvedSignal, {
          outcome: b.outcome,
          ...(adjustmentMinor !== undefined ? { adjustmentMinor } : {}),
        }),
        accepted: 'dispute_resolved',
      };
    },
  );
  signalRoute<{ note?: string }>(
    '/v1/accounts/:accountId/pause',
    pauseSchema('Pause'),
    { roles: ['supervisor'] },
    (_b, account) => ({
      signal: signalTo(account.workflowId, pausedSignal, {}),
      accepted: 'paused',
    }),
  );
  signalRoute<{ note?: string }>(
    '/v1/accounts/:accountId/resume',
    pauseSchema('Resume'),
    { roles: ['supervisor'] },
    (_b, account) => ({
      signal: signalTo(account.workflowId, resumedSignal, {}),
      accepted: 'resumed',
    }),
  );
  signalRoute<{ channel: string; outcome: string }>(
    '/v1/accounts/:accountId/contact-outcomes',
    contactOutcomeSchema,
    agentsAndSystems,
    (b, account) => ({
      signal: signalTo(account.workflowId, contactOutcomeSignal, { channel: b.channel, outcome: b.outcome }),
      accepted: 'contact_outcome',
    }),
  );

  // An opt-out is also a fact about the debtor, kept for every account they have or will have.
  app.post<{ Params: Params; Body: { channel: string } }>(
    '/v1/accounts/:accountId/opt-outs',
    { schema: optOutSchema, config: staff },
    async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      const { outboxIds } = await db.transaction((tx) =>
        recordChannelStatus(tx, outbox.taskQueue, {
          debtorIds: [account.debtorId],
          channel: req.body.channel,
          status: 'opted_out',
          reason: 'debtor request',
        }),
      );
      await outbox.dispatchNow(outboxIds).catch(() => undefined);
      return reply.code(202).send({ accountId: account.id, accepted: 'opted_out' });
    },
  );

  app.put<{ Params: Params; Body: { strategyId: string; version: number } }>(
    '/v1/accounts/:accountId/strategy',
    { schema: strategyChangeSchema, config: { roles: ['strategist', 'supervisor'] } },
    async (req, reply) => {
      const account = await loadAccountFor(db, req, req.params.accountId);
      if (account.closedAt) throw conflict(`Account ${account.id} is closed (${account.status}).`);
      const { strategyId, version } = req.body;
      if (!(await loadStrategyVersion(db, strategyId, version)))
        throw notFound(`Strategy ${strategyId} version ${version}`);
      await sendSignal(db, outbox, account.workflowId, strategyVersionChangedSignal, { strategyId, version });
      return reply.code(202).send({ accountId: account.id, accepted: 'strategy_version_changed' });
    },
  );
}
