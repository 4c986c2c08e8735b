// Business contract: one durable run per open collection account. It feeds every invoice, payment and
// debtor or agent event, and every timer, to the pure decision core (strategies/core) and carries out
// the commands it returns (messages, agent tasks); it ends when the core closes the account.
import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { DateTime } from 'luxon';
import type { createActivities } from '../activities';
import { whatsappTaskQueue } from '../activities/whatsapp/task-queue';
import type { createWhatsAppActivities } from '../activities/whatsapp/whatsapp.activities';
import { adoptStrategyVersion, decide, initialState, nextWakeAt, withDebtorContacts } from '../strategies/core/index';
import type {
  AccountState,
  Command,
  Decision,
  EngineContext,
  EngineEvent,
  InvoiceEvent,
} from '../strategies/core/types';
import { activityPresets } from '../temporal.config';
import {
  accountExplainQuery,
  accountViewQuery,
  contactOutcomeSignal,
  debtorRepliedSignal,
  deliveryFailedSignal,
  disputeOpenedSignal,
  disputeResolvedSignal,
  invoiceAddedSignal,
  invoicesAddedSignal,
  optedOutSignal,
  pausedSignal,
  paymentReceivedSignal,
  paymentReversedSignal,
  proposePlanUpdate,
  recalledSignal,
  registerPromiseUpdate,
  resumedSignal,
  strategyVersionChangedSignal,
  writtenOffSignal,
  type AgreementResult,
  type AccountWorkflowInput,
  type AccountWorkflowResult,
  type InvoiceAddedSignal,
  type QueuedEvent,
} from './account.messages';
import { ledgerEntries, MAX_BUDGET_ROUNDS } from './account.ledger';
import { buildView, readModelOf, searchAttributesOf, syncSearchAttributes } from './account.view';

type Activities = ReturnType<typeof createActivities>;
type WhatsAppActivities = ReturnType<typeof createWhatsAppActivities>;
const channel = proxyActivities<Activities>(activityPresets.channelSend);
/** sendWhatsApp runs only where the number's socket lives: on that number's own task queue. */
const whatsappFrom = (numberId: string) =>
  proxyActivities<WhatsAppActivities>({ ...activityPresets.whatsappSend, taskQueue: whatsappTaskQueue(numberId) });
const local = proxyLocalActivities<Activities>(activityPresets.readModelWrite);

/**
 * The failure types of the send activities' re-check of the debtor's channel status at send time
 * (activities/channel-refusal.ts): the message never left.
 */
const SEND_TIME_REFUSALS: ReadonlySet<string> = new Set(['opted_out', 'invalid', 'complained']);

/** Below this many history events a run gains nothing from continuing-as-new at a stage change. */
const YOUNG_RUN_EVENTS = 200;

/** Business instants are whole seconds: what a signal carries is "when it happened", not transport jitter. */
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const isDate = (d: string) => /^\d{4}-\d{2}-\d{2}$/.test(d) && DateTime.fromISO(d).isValid;

interface Pending extends QueuedEvent {
  replyTo?: number;
}

export async function accountWorkflow(input: AccountWorkflowInput): Promise<AccountWorkflowResult> {
  const carried = input.carried;
  const queue: Pending[] = [...(carried?.queue ?? [])];
  let ctx: EngineContext | null = carried?.context ?? null;
  let strategyId = carried?.strategyId ?? input.strategyId ?? '';
  let state: AccountState =
    carried?.state ??
    initialState({
      accountId: input.accountId,
      currency: input.currency,
      channels: input.debtor.channels,
      openedAt: wholeSecond(Date.now()),
    });
  let pendingStrategy = carried?.pendingStrategy ?? null;
  let whatsappNumber = carried?.whatsappNumber;
  const replies = new Map<number, AgreementResult>();
  let replySeq = 0;

  const push = (event: EngineEvent, front = false) => {
    const item = { at: wholeSecond(Date.now()), event };
    if (front) queue.unshift(item);
    else queue.push(item);
  };
  setHandler(invoiceAddedSignal, (i) => push(invoiceEvent(i)));
  setHandler(invoicesAddedSignal, ({ invoices }) => {
    for (const i of invoices) push(invoiceEvent(i));
  });
  setHandler(paymentReceivedSignal, (p) =>
    push({
      type: 'payment',
      amountMinor: p.amountMinor,
      reference: p.reference,
      paidAt: p.paidAt,
      ...(p.source ? { source: p.source } : {}),
    }),
  );
  // New handler, no new command: a history without this signal replays unchanged.
  setHandler(paymentReversedSignal, (r) =>
    push({
      type: 'payment_reversed',
      reference: r.reference,
      amountMinor: r.amountMinor,
      ...(r.reversalId !== undefined ? { reversalId: r.reversalId } : {}),
      ...(r.source ? { source: r.source } : {}),
    }),
  );
  setHandler(disputeOpenedSignal, (d) =>
    push({
      type: 'dispute',
      reason: d.reason,
      ...(d.invoiceExternalId ? { invoiceExternalId: d.invoiceExternalId } : {}),
      ...(d.source ? { source: d.source } : {}),
    }),
  );
  setHandler(disputeResolvedSignal, (d) =>
    push({
      type: 'dispute_resolved',
      outcome: d.outcome,
      ...(d.adjustmentMinor !== undefined ? { adjustmentMinor: d.adjustmentMinor } : {}),
    }),
  );
  setHandler(pausedSignal, () => push({ type: 'pause' }));
  setHandler(resumedSignal, () => push({ type: 'resume' }));
  setHandler(optedOutSignal, (o) => push({ type: 'opt_out', channel: o.channel }));
  setHandler(contactOutcomeSignal, (o) => push({ type: 'contact_outcome', channel: o.channel, outcome: o.outcome }));
  setHandler(debtorRepliedSignal, (r) => push({ type: 'reply', channel: r.channel, text: r.text }));
  setHandler(deliveryFailedSignal, (f) =>
    push({ type: 'send_failed', key: f.key, channel: f.channel, reason: f.reason }),
  );
  setHandler(writtenOffSignal, (w) => push({ type: 'write_off', amountMinor: w.amountMinor, reason: w.reason }));
  setHandler(recalledSignal, () => push({ type: 'recall' }));
  setHandler(strategyVersionChangedSignal, (v) => {
    pendingStrategy = v;
  });

  // Agreements answer synchronously. Validators turn away malformed requests; the policy's refusals
  // come back from the handler so they are part of the history and the timeline, as in the simulator.
  const agreement = async (event: EngineEvent): Promise<AgreementResult> => {
    const replyTo = ++replySeq;
    queue.push({ at: wholeSecond(Date.now()), event, replyTo });
    await condition(() => replies.has(replyTo));
    const result = replies.get(replyTo) ?? { status: 'rejected', reason: 'not_processed' };
    replies.delete(replyTo);
    return result;
  };
  const refuseClosed = () => {
    if (state.closed !== null)
      throw ApplicationFailure.create({ message: `The account is closed (${state.closed})`, type: 'AccountClosed' });
  };
  setHandler(
    registerPromiseUpdate,
    (p) =>
      agreement({
        type: 'promise',
        amountMinor: p.amountMinor,
        dueDate: p.dueDate,
        ...(p.source ? { source: p.source } : {}),
      }),
    {
      validator: (p) => {
        refuseClosed();
        if (!Number.isSafeInteger(p.amountMinor) || p.amountMinor <= 0)
          throw new Error('amountMinor must be a positive integer');
        if (!isDate(p.dueDate)) throw new Error('dueDate must be a date YYYY-MM-DD');
      },
    },
  );
  setHandler(
    proposePlanUpdate,
    (p) => agreement({ type: 'plan', installments: p.installments, ...(p.source ? { source: p.source } : {}) }),
    {
      validator: (p) => {
        refuseClosed();
        if (p.installments.length === 0) throw new Error('a plan needs at least one installment');
        for (const i of p.installments) {
          if (!Number.isSafeInteger(i.amountMinor) || i.amountMinor <= 0)
            throw new Error('installment amounts must be positive integers');
          if (!isDate(i.dueDate)) throw new Error('installment dueDate must be a date YYYY-MM-DD');
        }
      },
    },
  );
  setHandler(accountViewQuery, () => buildView(input, ctx, strategyId, state, Date.now()));
  setHandler(accountExplainQuery, () => ({ context: ctx, state, strategyId }));

  const loadContext = async (version?: number) => {
    const invoices = queue.flatMap((q) => (q.event.type === 'invoice' ? [q.event] : []));
    const today = DateTime.fromMillis(Date.now(), { zone: input.debtor.timezone }).toISODate() ?? '';
    const oldestDue = [...state.invoices.map((i) => i.dueDate), ...invoices.map((i) => i.dueDate)].sort()[0] ?? today;
    const loaded = await local.loadEngineContext({
      accountId: input.accountId,
      country: input.debtor.country,
      zone: input.debtor.timezone,
      kind: input.debtor.kind,
      balanceMinor: invoices.reduce((sum, i) => sum + i.amountMinor, 0),
      currency: input.currency,
      daysPastDue: Math.max(0, DateTime.fromISO(today).diff(DateTime.fromISO(oldestDue), 'days').days),
      ...(strategyId ? { strategyId } : {}),
      ...(version !== undefined ? { version } : {}),
      now: Date.now(),
    });
    strategyId = loaded.strategyId;
    whatsappNumber = loaded.whatsappNumber;
    return loaded.context;
  };

  const execute = async (engine: EngineContext, commands: Command[]) => {
    for (const command of commands) {
      if (command.type === 'close') continue;
      // Keys include the strategy version: step indices of another version must never look "already sent".
      const idempotencyKey = `${input.accountId}/v${engine.strategyVersion}/${command.key}`;
      try {
        if (command.type === 'send_message') {
          const sendFrom = command.channel === 'whatsapp' ? whatsappNumber : undefined;
          const delivered = await channel.deliverMessage({
            accountId: input.accountId,
            idempotencyKey,
            channel: command.channel,
            template: command.template,
            templateVariants: engine.strategy.templates[command.template],
            locale: input.debtor.locale,
            balanceMinor: readModelOf(engine, state, Date.now()).balanceMinor,
            currency: input.currency,
            ...(sendFrom !== undefined ? { whatsappNumber: sendFrom } : {}),
          });
          if (sendFrom !== undefined && delivered.status === 'rendered') {
            // Inside the try: a refusal for good (no phone, not on WhatsApp, uncertain delivery) is a send_failed.
            await whatsappFrom(sendFrom).sendWhatsApp({
              accountId: input.accountId,
              idempotencyKey,
              text: delivered.text,
              template: command.template,
              locale: delivered.locale,
            });
          }
        } else {
          await local.createAgentTask({
            accountId: input.accountId,
            idempotencyKey,
            channel: command.channel,
            priority: command.priority,
            dueAt: Date.now(),
          });
        }
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        // The channel refused for good (no address, rejected): the core marks it failed for later steps.
        const reason = err.cause instanceof ApplicationFailure && err.cause.type ? err.cause.type : 'delivery_failed';
        // A channel status found at send time (opted out, bounced, complained after the send was decided):
        // nothing left, so this very step takes its fallback. Histories from before take the old path.
        const refused = SEND_TIME_REFUSALS.has(reason) && patched('send-refusal-fallback');
        push(
          { type: refused ? 'send_refused' : 'send_failed', key: command.key, channel: command.channel, reason },
          true,
        );
      }
    }
  };

  let knownUpTo = carried?.knownUpTo ?? 0;
  let synced = carried ? searchAttributesOf(carried.context, strategyId, carried.state, Date.now()) : null;
  const step = async (engine: EngineContext, item: Pending | null) => {
    // Timers fire a little after their instant; the core's clock stays on whole seconds like the events.
    const event = item?.event ?? { type: 'tick' };
    const at = item ? item.at : wholeSecond(Date.now());
    let decision = decide(engine, state, event, at);
    // The contact budget: contacts are reserved in the debtor-wide ledger before they are made. When
    // another account of the debtor got there first, the core decides again knowing it (decide is pure,
    // so the first answer is simply dropped).
    for (let round = 0; round < MAX_BUDGET_ROUNDS; round++) {
      const entries = ledgerEntries(input.accountId, engine, decision);
      if (entries.attempts.length === 0 && entries.decisions.length === 0) break;
      const reserved = await local.reserveContacts({
        accountId: input.accountId,
        knownUpTo,
        packVersion: `${engine.pack.id}@${engine.pack.version}`,
        ...entries,
        // Past the last round the decision stands, and the ledger must still hear of it.
        force: round === MAX_BUDGET_ROUNDS - 1,
      });
      knownUpTo = reserved.knownUpTo;
      if (reserved.ok) break;
      state = withDebtorContacts(engine, state, reserved.contacts, at);
      decision = decide(engine, state, event, at);
    }
    state = decision.state;
    // Every entry lands once in the ledger (keyed by its timeline position), before anything it causes.
    if (decision.timeline.length > 0) {
      await local.appendLedger({
        accountId: input.accountId,
        currency: input.currency,
        strategyId,
        strategyVersion: engine.strategyVersion,
        firstSeq: state.timeline.length - decision.timeline.length,
        entries: decision.timeline,
      });
    }
    if (item?.replyTo !== undefined) replies.set(item.replyTo, agreementResult(decision, item.event.type));
    await execute(engine, decision.commands);
    const next = searchAttributesOf(engine, strategyId, state, Date.now());
    if (JSON.stringify(next) !== JSON.stringify(synced)) {
      syncSearchAttributes(next);
      const row = readModelOf(engine, state, Date.now());
      await local.recordAccountState(row);
      synced = next;
    }
  };

  await condition(() => queue.length > 0 || ctx !== null);
  ctx ??= await loadContext();
  const startStage = state.stageIndex;

  // A payment signalled while the run was closing the account (it reached the run, so its outbox row is done
  // and no late path takes it) is counted before the run ends, and what the closed account cannot use becomes
  // the debtor's credit. Histories from before ended with it queued; asked only when one waits at a close.
  let paymentsAfterClose: boolean | undefined;
  const countsPaymentsAfterClose = () => (paymentsAfterClose ??= patched('payment-after-close'));
  const afterClose: { reference: string; amountMinor: number }[] = [];
  // Every payment that left credit on the account (an over-payment that closed it, one counted after the close),
  // so whatever credit the closed account still holds at the end is handed over attributed to the payment that
  // produced it. Histories from before ended with it on the account; asked only when credit is left at a close.
  let creditsAtClose: boolean | undefined;
  const creditedFrom: { reference: string; amountMinor: number }[] = [];
  const offered = new Set<string>();

  // A handed-off account stays here: collection has ended but money, invoices and disputes still count.
  // Only a closed account (paid, written off) ends the run, and not while an invoice or a payment reversal
  // waits to reopen it, nor a payment to be counted.
  for (;;) {
    while (
      state.closed === null ||
      queue.some((q) => reopens(q.event)) ||
      (queue.some((q) => q.event.type === 'payment') && countsPaymentsAfterClose())
    ) {
      if (pendingStrategy) {
        const target = pendingStrategy;
        pendingStrategy = null;
        if (target.strategyId !== strategyId || target.version !== ctx.strategyVersion) {
          strategyId = target.strategyId;
          const next = await loadContext(target.version);
          state = adoptStrategyVersion(ctx, next, state, wholeSecond(Date.now()));
          ctx = next;
        }
      }
      const engine: EngineContext = ctx;
      const wake = nextWakeAt(engine, state);
      if (queue.length === 0 && (wake === null || wake > Date.now())) {
        const timeout = wake === null ? undefined : wake - Date.now();
        if (timeout === undefined) await condition(() => queue.length > 0 || pendingStrategy !== null);
        else await condition(() => queue.length > 0 || pendingStrategy !== null, timeout);
        continue;
      }
      const item = takeNext(queue);
      const closedBefore = state.closed !== null;
      const creditBefore = state.creditMinor;
      await step(engine, item);
      if (item?.event.type === 'payment' && state.creditMinor > creditBefore) {
        const credit = { reference: item.event.reference, amountMinor: state.creditMinor - creditBefore };
        creditedFrom.push(credit);
        if (closedBefore && state.closed !== null) afterClose.push(credit);
      }
      if (state.closed !== null) {
        // Whatever was signalled while the run was settling is in the queue before the run may end.
        await condition(allHandlersFinished);
        continue;
      }

      const stageChanged = state.stageIndex !== startStage && workflowInfo().historyLength >= YOUNG_RUN_EVENTS;
      if (state.closed === null && (workflowInfo().continueAsNewSuggested || stageChanged)) {
        await condition(allHandlersFinished);
        if (queue.some((q) => q.replyTo !== undefined)) continue;
        return continueAsNew<typeof accountWorkflow>({
          ...input,
          strategyId,
          carried: {
            context: ctx,
            strategyId,
            state,
            queue: queue.map(({ at, event }) => ({ at, event })),
            pendingStrategy,
            knownUpTo,
            ...(whatsappNumber !== undefined ? { whatsappNumber } : {}),
          },
        });
      }
    }
    await condition(allHandlersFinished);
    // The payments counted after the close first (as histories recorded before 'credit-at-close' did), then,
    // once none waits, whatever credit the closed account still holds: an over-payment that closed it.
    const atClose =
      afterClose.length === 0 &&
      state.closed !== null &&
      state.creditMinor > 0 &&
      (creditsAtClose ??= patched('credit-at-close'));
    if (afterClose.length === 0 && !atClose) break;
    // Only what the account still holds as credit (a reopening invoice may have used some of it), newest first,
    // each payment offered once (the activity credits a payment once; one refused is not offered again).
    let left = state.creditMinor;
    const credits = (atClose ? creditedFrom.filter((c) => !offered.has(c.reference)) : afterClose.splice(0))
      .reverse()
      .flatMap((c) => {
        const amountMinor = Math.min(c.amountMinor, left);
        left -= amountMinor;
        return amountMinor > 0 ? [{ ...c, amountMinor }] : [];
      });
    if (credits.length === 0) break;
    for (const c of credits) offered.add(c.reference);
    const credited = new Set(await local.creditClosedAccount({ accountId: input.accountId, credits }));
    // That money is the debtor's now, not the account's; whatever was signalled meanwhile is decided before the end.
    const handed = credits.reduce((sum, c) => sum + (credited.has(c.reference) ? c.amountMinor : 0), 0);
    state = { ...state, creditMinor: state.creditMinor - handed };
  }
  return { status: state.closed ?? 'closed', balanceMinor: readModelOf(ctx, state, Date.now()).balanceMinor };
}

const invoiceEvent = (i: InvoiceAddedSignal): InvoiceEvent => ({
  type: 'invoice',
  externalId: i.externalId,
  amountMinor: i.amountMinor,
  currency: i.currency,
  dueDate: i.dueDate,
});

const isInvoice = (e: EngineEvent) => e.type === 'invoice' || e.type === 'invoices';
/** Events that may reopen a closed account: the run does not end while one waits (reversals: issue 12). */
const reopens = (e: EngineEvent) => isInvoice(e) || e.type === 'payment_reversed';

/**
 * The next event to decide. Invoices signalled together (one batch, one import chunk) are decided as one
 * event, so every one of them is in the balance and the day count before any stage or step is chosen.
 */
function takeNext(queue: Pending[]): Pending | null {
  const head = queue.shift();
  if (!head || head.event.type !== 'invoice') return head ?? null;
  const invoices: InvoiceEvent[] = [head.event];
  // Invoices already waiting behind it arrived while the run was busy (loading its strategy, sending):
  // they are taken now too, at the head's instant.
  while (queue[0]?.event.type === 'invoice') {
    const next = queue.shift();
    if (next?.event.type === 'invoice') invoices.push(next.event);
  }
  return invoices.length === 1 ? head : { at: head.at, event: { type: 'invoices', invoices } };
}

function agreementResult(decision: Decision, kind: EngineEvent['type']): AgreementResult {
  const prefix = kind === 'plan' ? 'plan' : 'promise';
  const active = prefix === 'plan' ? decision.state.plan : decision.state.promise;
  const accepted = decision.timeline.some((e) => e.type === `${prefix}_accepted`);
  if (accepted && active) return { status: 'active', id: active.id };
  const rejected = decision.timeline.find((e) => e.type === `${prefix}_rejected`);
  return {
    status: 'rejected',
    reason: typeof rejected?.reason === 'string' ? rejected.reason : 'not_accepted',
    ...(typeof rejected?.minimum === 'string' ? { minimum: rejected.minimum } : {}),
  };
}
