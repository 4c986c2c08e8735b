// The account workflow's public surface: input/output, signals, queries, updates and its id.
// The API imports this file; it pulls in no workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AccountState, EngineContext, EngineEvent, TimelineEntry } from '../strategies/core/types';

export const accountWorkflowType = 'accountWorkflow';

/** Workflow ids carry only our opaque account id, never personal data. */
export function accountWorkflowId(accountId: string): string {
  return `account-${accountId}`;
}

/**
 * The core's step key (`stage/step/attempt`) from a message's idempotency key
 * `${accountId}/v${version}/${stage}/${step}/${attempt}`; null for keys that are not a step's (e.g. replies).
 */
export function stepKeyOf(idempotencyKey: string): string | null {
  const parts = idempotencyKey.split('/');
  return parts.length >= 3 && /^v\d+$/.test(parts[1] ?? '') ? parts.slice(2).join('/') : null;
}

export interface DebtorFacts {
  kind?: 'person' | 'company';
  country: string;
  timezone: string;
  locale: string;
  channels: { email: boolean; whatsapp: boolean };
}

/** Everything a run hands to the next one at continue-as-new. */
export interface CarriedState {
  context: EngineContext;
  strategyId: string;
  state: AccountState;
  queue: QueuedEvent[];
  pendingStrategy: { strategyId: string; version: number } | null;
  /** Contact-ledger position already taken into account (absent in runs from before the contact budget). */
  knownUpTo?: number;
  /** The WhatsApp number this account sends from (from the loaded context; absent = WhatsApp is captured). */
  whatsappNumber?: string;
}

export interface AccountWorkflowInput {
  version: 1;
  accountId: string;
  currency: string;
  /** Debtor facts the decision core needs; names, emails and phones stay in PostgreSQL. */
  debtor: DebtorFacts;
  strategyId?: string;
  carried?: CarriedState;
}

export interface AccountWorkflowResult {
  status: string;
  balanceMinor: number;
}

/** An event waiting for the decision core, stamped with the workflow time it arrived. */
export interface QueuedEvent {
  at: number;
  event: EngineEvent;
}

export interface InvoiceAddedSignal {
  invoiceId: string;
  externalId: string;
  amountMinor: number;
  currency: string;
  dueDate: string;
}

export interface PaymentReceivedSignal {
  reference: string;
  amountMinor: number;
  currency: string;
  /** Epoch milliseconds, as reported; the core applies the payment when it arrives. */
  paidAt: number;
  /** Where the debtor paid (e.g. 'portal' for a provider's checkout), kept on the timeline entry; absent = the API. */
  source?: string;
}

export interface PaymentReversedSignal {
  /** The booked payment's reference (e.g. `stripe:pi_…`). */
  reference: string;
  /** What is taken back, minor units of the account's currency (a partial refund takes back part). */
  amountMinor: number;
  /** Tells repeated reversals of one payment apart (each partial refund); defaults to the reference. */
  reversalId?: string;
  /** Who reversed it: 'portal' for a provider's refund or chargeback; absent = the API. */
  source?: string;
}

export interface PromiseRequest {
  amountMinor: number;
  dueDate: string;
  /** Where the debtor made it ('portal'); absent = the API. Kept on the timeline entry. */
  source?: string;
}

export interface PlanRequest {
  installments: { amountMinor: number; dueDate: string }[];
  /** Where the debtor accepted it ('portal'); absent = the API. */
  source?: string;
}

export type AgreementResult =
  | { status: 'active'; id: string }
  /** `minimum`: the smallest acceptable amount (decimal string) when the reason is an amount too low. */
  | { status: 'rejected'; reason: string; minimum?: string };

export interface AccountView {
  accountId: string;
  status: string;
  stage: string;
  balanceMinor: number;
  currency: string;
  daysPastDue: number | null;
  strategy: { id: string; version: number } | null;
  nextAction: { type: string; channel: string; at: string } | null;
  promise: { promiseId: string; amountMinor: number; dueDate: string; status: string } | null;
  plan: { installments: { amountMinor: number; dueDate: string }[]; totalMinor: number; paidMinor: number } | null;
  brokenPromises: number;
  unansweredContacts: number;
  timeline: TimelineEntry[];
}

export type { TimelineEntry };

export const invoiceAddedSignal = defineSignal<[InvoiceAddedSignal]>('invoiceAdded');
/** Invoices accepted together (a batch, an import chunk, the outbox's pending rows): decided as one. */
export const invoicesAddedSignal = defineSignal<[{ invoices: InvoiceAddedSignal[] }]>('invoicesAdded');
export const paymentReceivedSignal = defineSignal<[PaymentReceivedSignal]>('paymentReceived');
/** A refund or chargeback of a booked payment: the balance goes back up (engine event `payment_reversed`). */
export const paymentReversedSignal = defineSignal<[PaymentReversedSignal]>('paymentReversed');
export const disputeOpenedSignal =
  defineSignal<[{ reason: string; invoiceExternalId?: string; source?: string }]>('disputeOpened');
export const disputeResolvedSignal =
  defineSignal<[{ outcome: 'upheld' | 'rejected'; adjustmentMinor?: number }]>('disputeResolved');
export const pausedSignal = defineSignal<[{ by?: string }]>('paused');
export const resumedSignal = defineSignal<[{ by?: string }]>('resumed');
export const optedOutSignal = defineSignal<[{ channel: string }]>('optedOut');
export const contactOutcomeSignal = defineSignal<[{ channel: string; outcome: string }]>('contactOutcome');
export const debtorRepliedSignal = defineSignal<[{ channel: string; text: string }]>('debtorReplied');
/** A message that later bounced or was refused: the channel is unavailable and later steps use their fallback. */
export const deliveryFailedSignal = defineSignal<[{ key: string; channel: string; reason: string }]>('deliveryFailed');
/** A supervisor writes off part or all of the balance (minor units); nothing left closes it `written_off`. */
export const writtenOffSignal = defineSignal<[{ amountMinor: number; reason: string; by?: string }]>('writtenOff');
/** A supervisor takes a handed-off account back to its pre-legal stage. */
export const recalledSignal = defineSignal<[{ by?: string }]>('recalled');
/** Moves the account to another published strategy version at its next decision. */
export const strategyVersionChangedSignal =
  defineSignal<[{ strategyId: string; version: number }]>('strategyVersionChanged');

export const registerPromiseUpdate = defineUpdate<AgreementResult, [PromiseRequest]>('registerPromise');
export const proposePlanUpdate = defineUpdate<AgreementResult, [PlanRequest]>('proposePlan');

export const accountViewQuery = defineQuery<AccountView>('accountView');

/** What the decision core needs to say what happens next (GET …/explain): the engine context and state as they are. */
export interface AccountExplainSnapshot {
  /** Null until the run has loaded its strategy. */
  context: EngineContext | null;
  state: AccountState;
  strategyId: string;
}

export const accountExplainQuery = defineQuery<AccountExplainSnapshot>('accountExplain');
