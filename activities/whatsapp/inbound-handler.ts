// A debtor's WhatsApp message, acted on: found by phone, read with the menu parser in their language and
// calendar, turned into what the account workflow understands (a promise through its update, a dispute,
// an opt-out, an agent's call) and answered on the same number. The workflow also hears that the debtor
// replied, once per message. The caller hands each WhatsApp message id here once (claimInbound).
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { accounts, debtors, outboundMessages } from '../../db/schema';
import { createAgentTask } from '../../lib/agent-tasks';
import { recordChannelStatus, type ChannelStatusChange } from '../../lib/channel-status';
import { queueSignals, signalTo, type AccountSignal, type SignalOutbox } from '../../lib/outbox/signals';
import { loadStrategyVersion } from '../../lib/strategies/store';
import { addDays } from '../../strategies/core/calendar';
import { mainZone } from '../../strategies/jurisdictions';
import {
  accountViewQuery,
  debtorRepliedSignal,
  disputeOpenedSignal,
  registerPromiseUpdate,
  type AgreementResult,
} from '../../workflows/account.messages';
import type { ChannelLog, InboundMessage, WhatsAppChannel } from './channel';
import { localToday, menuLocale, parseReply, replyFor, type Intent, type ReplyOutcome } from './inbound-menu';
import { PROVIDER } from './whatsapp.activities';
import type { LinkSettings } from '../../lib/links';
import { portalUrlForDebtor } from '../../lib/portal/links';

export interface InboundHandlerDeps {
  db: Db;
  temporal: Client;
  /** The number the message came in on: the answer goes out on it. */
  channel: Pick<WhatsAppChannel, 'numberId' | 'sendText'>;
  outbox: SignalOutbox;
  /** Signs the debtor's portal link, option 1's answer (PUBLIC_BASE_URL or the API's own address). */
  links: LinkSettings;
  log: ChannelLog;
}

export type InboundResult =
  | { handled: false; reason: 'unknown_sender' | 'no_open_account' }
  | { handled: true; accountId: string | null; intent: Intent; reply: ReplyOutcome['kind'] };

interface Target {
  accountId: string;
  workflowId: string;
  balanceMinor: number;
  strategyId: string | null;
  strategyVersion: number | null;
}

const QUERY_DEADLINE_MS = 5000;

export function createInboundHandler(deps: InboundHandlerDeps) {
  const { db, temporal, outbox, log } = deps;

  /** The caller's writes and its signals (in order) in one transaction; the signals are delivered after commit. */
  async function signalInTx(build: (tx: DbOrTx) => Promise<AccountSignal[]>): Promise<void> {
    await inTx(async (tx) => queueSignals(tx, outbox.taskQueue, await build(tx)));
  }

  async function inTx(write: (tx: DbOrTx) => Promise<number[]>): Promise<void> {
    const ids = await db.transaction(write);
    await outbox.dispatchNow(ids).catch(() => undefined);
  }

  /** STOP: the opt-out holds for every debtor on this phone and reaches each of their open accounts. */
  async function optOut(debtorIds: string[], first: AccountSignal[] = []): Promise<void> {
    const change: ChannelStatusChange = {
      debtorIds,
      channel: 'whatsapp',
      status: 'opted_out',
      reason: 'debtor replied STOP on WhatsApp',
    };
    await inTx(async (tx) => (await recordChannelStatus(tx, outbox.taskQueue, change, first)).outboxIds);
  }

  async function balanceOf(target: Target): Promise<number> {
    // The workflow is the source of truth; the read model may lag a payment by a moment.
    try {
      const view = await temporal.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
        temporal.workflow.getHandle(target.workflowId).query(accountViewQuery),
      );
      if (view.balanceMinor > 0) return view.balanceMinor;
    } catch (err) {
      log.warn('Account view unavailable; using the read model balance', {
        accountId: target.accountId,
        error: String(err),
      });
    }
    return target.balanceMinor;
  }

  async function registerPromise(target: Target, m: InboundMessage, dueDate: string): Promise<AgreementResult> {
    const amountMinor = await balanceOf(target);
    if (amountMinor <= 0) return { status: 'rejected', reason: 'account_closed' };
    try {
      // The update id makes a redelivered message the same request, answered with the same result.
      return await temporal.workflow.getHandle(target.workflowId).executeUpdate(registerPromiseUpdate, {
        args: [{ amountMinor, dueDate }],
        updateId: `whatsapp-${m.providerMessageId}`,
      });
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return { status: 'rejected', reason: 'account_closed' };
      if (err instanceof WorkflowUpdateFailedError) {
        const why = err.cause?.message ?? err.message;
        return { status: 'rejected', reason: /closed/i.test(why) ? 'account_closed' : 'invalid_due_date' };
      }
      throw err;
    }
  }

  async function latestPromiseDate(target: Target, today: string): Promise<string | undefined> {
    if (!target.strategyId) return undefined;
    const found = await loadStrategyVersion(db, target.strategyId, target.strategyVersion ?? undefined);
    return found ? addDays(today, found.strategy.promise.maxDaysAhead) : undefined;
  }

  async function reply(
    m: InboundMessage,
    accountId: string | null,
    outcome: ReplyOutcome,
    locale: string,
  ): Promise<void> {
    const text = replyFor(outcome, locale);
    const { providerMessageId } = await deps.channel.sendText(m.fromE164, text);
    if (accountId === null) return;
    // Kept like any message: its receipts land on it, and it counts against the number's daily cap after a restart.
    await db
      .insert(outboundMessages)
      .values({
        idempotencyKey: `${accountId}/reply/${m.providerMessageId}`,
        accountId,
        channel: 'whatsapp',
        template: `reply:${outcome.kind}`,
        locale: menuLocale(locale),
        status: 'sent',
        provider: PROVIDER,
        providerMessageId,
        bodyText: text,
        sentAt: new Date(),
      })
      .onConflictDoNothing({ target: outboundMessages.idempotencyKey });
  }

  return async function handleInbound(m: InboundMessage): Promise<InboundResult> {
    const rows = await db
      .select({
        debtorId: debtors.id,
        locale: debtors.locale,
        timezone: debtors.timezone,
        country: debtors.country,
        accountId: accounts.id,
        workflowId: accounts.workflowId,
        balanceMinor: accounts.balanceMinor,
        strategyId: accounts.strategyId,
        strategyVersion: accounts.strategyVersion,
      })
      .from(debtors)
      .leftJoin(accounts, and(eq(accounts.debtorId, debtors.id), isNull(accounts.closedAt)))
      .where(eq(debtors.phone, m.fromE164));
    if (rows.length === 0) {
      log.info('WhatsApp message from a number that is no debtor; ignored', { numberId: deps.channel.numberId });
      return { handled: false, reason: 'unknown_sender' };
    }
    const open = rows.flatMap((r) =>
      r.accountId && r.workflowId
        ? [{ ...r, accountId: r.accountId, workflowId: r.workflowId, balanceMinor: r.balanceMinor ?? 0 }]
        : [],
    );
    // Several open accounts (other currencies, or one phone shared by several debtors): the largest balance answers.
    const best = [...open].sort((a, b) => b.balanceMinor - a.balanceMinor)[0];
    const debtor = best ?? rows[0];
    if (!debtor) return { handled: false, reason: 'unknown_sender' };
    const locale = debtor.locale ?? 'es';
    const today = localToday(m.at, debtor.timezone ?? mainZone(debtor.country));
    const parsed = parseReply(m.text, locale, today);
    const debtorIds = [...new Set(rows.map((r) => r.debtorId))];

    if (!best) {
      // Nothing open to act on; an opt-out still holds for accounts opened later.
      if (parsed.intent !== 'stop') return { handled: false, reason: 'no_open_account' };
      await optOut(debtorIds);
      await reply(m, null, { kind: 'opted_out' }, locale);
      return { handled: true, accountId: null, intent: 'stop', reply: 'opted_out' };
    }
    const target: Target = best;
    const replied = signalTo(target.workflowId, debtorRepliedSignal, { channel: 'whatsapp', text: m.text });

    let outcome: ReplyOutcome;
    switch (parsed.intent) {
      case 'stop':
        await optOut(debtorIds, [replied]);
        outcome = { kind: 'opted_out' };
        break;
      case 'dispute':
        await signalInTx(() =>
          Promise.resolve([
            replied,
            signalTo(target.workflowId, disputeOpenedSignal, { reason: parsed.reason ?? m.text }),
          ]),
        );
        outcome = { kind: 'dispute_opened' };
        break;
      case 'agent':
        await signalInTx(async (tx) => {
          await createAgentTask(tx, {
            idempotencyKey: `whatsapp-inbound/${m.providerMessageId}`,
            accountId: target.accountId,
            channel: 'call',
            priority: 'high',
            dueAt: new Date(),
            note: m.text.slice(0, 1000),
          });
          return [replied];
        });
        outcome = { kind: 'agent_will_call' };
        break;
      case 'pay':
        await signalInTx(() => Promise.resolve([replied]));
        // The debtor's portal link: pay, promise, plan or dispute from there, for every account of theirs.
        outcome = { kind: 'payment_link', url: (await portalUrlForDebtor(db, deps.links, best.debtorId, m.at)).url };
        break;
      case 'promise': {
        await signalInTx(() => Promise.resolve([replied]));
        if (!parsed.date) {
          outcome = { kind: 'promise_needs_date' };
          break;
        }
        const result = await registerPromise(target, m, parsed.date);
        if (result.status === 'active') outcome = { kind: 'promise_accepted', date: parsed.date };
        else {
          const latestDate = result.reason === 'due_date_too_far' ? await latestPromiseDate(target, today) : undefined;
          outcome = { kind: 'promise_rejected', reason: result.reason, ...(latestDate ? { latestDate } : {}) };
        }
        break;
      }
      case 'menu':
        await signalInTx(() => Promise.resolve([replied]));
        outcome = { kind: 'menu' };
        break;
    }
    await reply(m, target.accountId, outcome, locale);
    return { handled: true, accountId: target.accountId, intent: parsed.intent, reply: outcome.kind };
  };
}
