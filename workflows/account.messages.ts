// The account workflow's public surface: input/output, signals, queries, updates and its id.
// The API imports this file; it pulls in no workflow code.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const accountWorkflowType = 'accountWorkflow';

/** Workflow ids carry only our opaque account id, never personal data. */
export function accountWorkflowId(accountId: string): string {
  return `account-${accountId}`;
}

export interface AccountWorkflowInput {
  version: 1;
  accountId: string;
  currency: string;
  /** Debtor facts the decision core needs; names, emails and phones stay in PostgreSQL. */
  debtor: { country: string; timezone: string; locale: string; channels: { email: boolean; whatsapp: boolean } };
  strategyId?: string;
}

export interface AccountWorkflowResult {
  status: string;
  balanceMinor: number;
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
  /** Epoch milliseconds. */
  paidAt: number;
}

export interface TimelineEntry {
  at: string;
  type: string;
  [field: string]: unknown;
}

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
  brokenPromises: number;
  timeline: TimelineEntry[];
}

export const invoiceAddedSignal = defineSignal<[InvoiceAddedSignal]>('invoiceAdded');
export const paymentReceivedSignal = defineSignal<[PaymentReceivedSignal]>('paymentReceived');
export const accountViewQuery = defineQuery<AccountView>('accountView');
