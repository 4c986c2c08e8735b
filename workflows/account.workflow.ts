// Business contract: one durable run per open collection account; it collects the debtor's invoices,
// contacts the debtor per strategy and closes `paid` when the balance reaches zero.
import { condition, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { activityPresets } from '../temporal.config';
import {
  accountViewQuery,
  invoiceAddedSignal,
  paymentReceivedSignal,
  type AccountView,
  type AccountWorkflowInput,
  type AccountWorkflowResult,
  type TimelineEntry,
} from './account.messages';
import { CollectionBalanceMinor, CollectionStage, CollectionStatus } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;
const channel = proxyActivities<Activities>(activityPresets.channelSend);
const store = proxyActivities<Activities>(activityPresets.databaseWrite);

export async function accountWorkflow(input: AccountWorkflowInput): Promise<AccountWorkflowResult> {
  const invoices = new Map<string, { externalId: string; amountMinor: number; dueDate: string }>();
  const paymentRefs = new Set<string>();
  const timeline: TimelineEntry[] = [];
  let balanceMinor = 0;
  let status = 'active';
  const nowIso = () => new Date(Date.now()).toISOString();

  setHandler(invoiceAddedSignal, (invoice) => {
    if (invoices.has(invoice.invoiceId)) return;
    invoices.set(invoice.invoiceId, invoice);
    balanceMinor += invoice.amountMinor;
    timeline.push({ at: nowIso(), type: 'invoice', externalId: invoice.externalId, amountMinor: invoice.amountMinor });
  });
  setHandler(paymentReceivedSignal, (payment) => {
    // A repeated reference is the same payment reported again.
    if (paymentRefs.has(payment.reference)) return;
    paymentRefs.add(payment.reference);
    const applied = Math.min(payment.amountMinor, balanceMinor);
    balanceMinor -= applied;
    timeline.push({ at: nowIso(), type: 'payment', reference: payment.reference, amountMinor: payment.amountMinor });
  });
  setHandler(accountViewQuery, (): AccountView => ({
    accountId: input.accountId,
    status,
    stage: 'none',
    balanceMinor,
    currency: input.currency,
    daysPastDue: null,
    strategy: null,
    nextAction: null,
    promise: null,
    brokenPromises: 0,
    timeline,
  }));

  await condition(() => invoices.size > 0);
  const syncReadModel = async () => {
    upsertSearchAttributes([
      { key: CollectionStatus, value: status },
      { key: CollectionStage, value: 'none' },
      { key: CollectionBalanceMinor, value: balanceMinor },
    ]);
    await store.recordAccountState({ accountId: input.accountId, status, stage: 'none', balanceMinor, daysPastDue: null });
  };
  await syncReadModel();

  if (balanceMinor > 0 && input.debtor.channels.email) {
    const sent = await channel.sendEmail({
      accountId: input.accountId,
      idempotencyKey: `${workflowInfo().workflowId}/reminder/1`,
      template: 'overdue',
      locale: input.debtor.locale,
    });
    timeline.push({ at: nowIso(), type: 'message', channel: 'email', template: 'overdue', delivery: sent.status });
  }

  await condition(() => balanceMinor <= 0);
  status = 'paid';
  timeline.push({ at: nowIso(), type: 'closed', status });
  await syncReadModel();
  return { status, balanceMinor };
}
