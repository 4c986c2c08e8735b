// Plain-data shapes shared by the decision core, the workflow and the simulator.
// Everything here must stay JSON-serializable: it crosses Temporal continue-as-new.

export type ActionKind = 'message' | 'task';

export interface StepCondition {
  /** Decimal strings in the account currency ("100.00"). */
  minBalance?: string;
  maxBalance?: string;
  minDaysPastDue?: number;
  minBrokenPromises?: number;
}

export interface NormalizedStep {
  day: number;
  action: ActionKind;
  channel: string;
  template?: string;
  fallback?: string;
  priority?: string;
  /** "HH:mm" local time; without it the step comes due at the day's first window opening. */
  time?: string;
  when?: StepCondition;
}

export interface NormalizedStage {
  id: string;
  kind: string;
  fromDay: number;
  /** Hand-off status when this stage is entered (e.g. "legal_handoff"): automated contact ends. */
  terminal?: string;
  /** Days the account stays in this stage (from 00:00 local of the day it entered) before a later one by schedule. */
  minDays?: number;
  steps: NormalizedStep[];
}

export interface EscalationCondition {
  brokenPromises?: number;
  unansweredContacts?: number;
  minDaysPastDue?: number;
  minBalance?: string;
}

export interface EscalationRule {
  when: EscalationCondition;
  goTo: string;
}

export interface TemplateContent {
  subject?: string;
  body: string;
}

export interface NormalizedStrategy {
  id: string;
  name: string;
  jurisdiction: string;
  contact: { maxPerDay?: number; maxPerWeek?: Record<string, number>; minHoursBetween?: number };
  promise: { maxDaysAhead: number; minPercent: number; graceDays: number };
  /** monthlyInterestBasisPoints = monthlyInterestPercent × 100, kept integral for exact money math. */
  plan: {
    maxInstallments: number;
    minDownPaymentPercent: number;
    monthlyInterestBasisPoints: number;
    graceDays: number;
  };
  stages: NormalizedStage[];
  escalations: EscalationRule[];
  templates: Record<string, Record<string, TemplateContent>>;
}

/** Local contact window on one weekday, minutes after local midnight, end exclusive. */
export interface ContactWindow {
  start: string; // "HH:mm"
  end: string; // "HH:mm"
}

/** A cap over a group of channels ('*' = every channel). */
export interface ChannelCap {
  channels: readonly string[] | '*';
  max: number;
  /** 'day' = local calendar day, 'week' = local Monday–Sunday week, 'rolling7' = any 7×24h span. */
  period: 'day' | 'week' | 'rolling7';
}

export interface JurisdictionPack {
  id: string;
  country: string;
  version: number;
  /** YYYY-MM-DD: the first local day this version applies. */
  effectiveFrom: string;
  legalBasis: string;
  /** Keyed by ISO weekday 1 (Mon) … 7 (Sun); a missing day has no window. */
  windows: Partial<Record<1 | 2 | 3 | 4 | 5 | 6 | 7, ContactWindow[]>>;
  noContactOnHolidays: boolean;
  caps: ChannelCap[];
  /** Written channels that must be at least N local calendar days apart (CL). */
  minDaysApart?: { channels: readonly string[]; days: number };
  /** CO: all contacts of a calendar week use a single channel. */
  oneChannelPerWeek?: boolean;
  /** US Reg F: no call within N days after a conversation with the debtor. */
  quietAfterConversation?: { channels: readonly string[]; days: number };
  minHoursBetween?: number;
  /**
   * Caps count per debt (US Reg F) instead of per debtor across all their accounts (the default:
   * Colombia and Chile count every contact the debtor received, whichever account made it).
   */
  capsPerDebt?: boolean;
}

export interface Invoice {
  externalId: string;
  amountMinor: number;
  openMinor: number;
  dueDate: string;
  /** 'interest' lines come from payment plans and do not drive day counting. */
  kind?: 'invoice' | 'interest';
}

export interface ContactRecord {
  at: number;
  date: string;
  channel: string;
}

export interface PendingAction {
  stageId: string;
  stepIndex: number;
  channel: string;
  key: string;
  until: number;
  /** Set when this is the fallback of a refused send: the refused send's key (the retry's key extends it). */
  retryOf?: string;
}

export interface ActivePromise {
  /** Stable id, the same in the Update's answer, the view and the timeline. */
  id: string;
  amountMinor: number;
  dueDate: string;
  acceptedAt: number;
  paidSinceMinor: number;
}

export interface ActivePlan {
  id: string;
  installments: { amountMinor: number; dueDate: string }[];
  totalMinor: number;
  interestMinor: number;
  acceptedAt: number;
  paidSinceMinor: number;
  /** Index of the next installment whose deadline has not been checked yet. */
  nextCheck: number;
}

export interface TimelineEntry {
  at: string;
  day: number;
  stage: string;
  type: string;
  [extra: string]: unknown;
}

export interface AccountState {
  accountId: string;
  currency: string;
  currencyDigits: number;
  channels: Record<string, boolean>;
  openedAt: number;
  /** The latest instant the core has processed; time never goes back. */
  clock: number;
  closed: string | null;
  /**
   * Set while the account is handed off by a terminal stage (e.g. "legal_handoff"): no automated contact,
   * no stage movement, but payments, invoices, disputes and write-offs still count.
   */
  handoff: string | null;
  /** How many times the current stage has been entered (2 after a recall): part of its steps' keys. */
  stageVisit?: number;
  /** Before this instant no later stage is entered by schedule (the current stage's `minDays`). */
  stageHoldUntil: number | null;
  invoices: Invoice[];
  creditMinor: number;
  paymentRefs: string[];
  /**
   * Amount of each payment by reference, kept since reversals exist (absent in states carried from before
   * them, and without the payments applied before): a reversal never takes back more than was paid.
   */
  paymentAmounts?: Record<string, number>;
  /** Reversal ids already applied (refunds, chargebacks): a repeated reversal changes nothing. */
  reversals?: string[];
  /** Due date used for day counting when no invoice is unpaid (keeps `day` meaningful after closing). */
  anchorDueDate: string | null;
  stageIndex: number;
  /** Days added to each step of the current stage (escalation entry). */
  stageShift: number;
  handledSteps: number[];
  pending: PendingAction | null;
  contacts: ContactRecord[];
  /**
   * Recent contacts the debtor received through their other accounts, as the contact ledger reported
   * them at send time; absent in states carried from before the contact budget existed.
   */
  debtorContacts?: ContactRecord[];
  lastConversationAt: Record<string, number>;
  optedOut: string[];
  unavailable: string[];
  unansweredContacts: number;
  brokenPromises: number;
  promise: ActivePromise | null;
  plan: ActivePlan | null;
  dispute: { reason: string; invoiceExternalId?: string; openedAt: number } | null;
  paused: boolean;
  timeline: TimelineEntry[];
}

export interface EngineContext {
  strategy: NormalizedStrategy;
  strategyVersion: number;
  pack: JurisdictionPack;
  holidays: readonly string[];
  zone: string;
}

export interface InvoiceEvent {
  type: 'invoice';
  externalId: string;
  amountMinor: number;
  currency: string;
  dueDate: string;
}

export type EngineEvent =
  | InvoiceEvent
  /** Invoices that arrived together: all count before anything is decided at that instant. */
  | { type: 'invoices'; invoices: InvoiceEvent[] }
  | { type: 'write_off'; amountMinor: number; reason: string }
  /** A supervisor takes a handed-off account back into its pre-legal stage. */
  | { type: 'recall' }
  | { type: 'payment'; amountMinor: number; reference: string; paidAt?: number; source?: string }
  /**
   * A booked payment taken back (a refund, a chargeback, an ERP's correction): the balance goes back up.
   * `reversalId` tells repeated reversals of one payment apart (partial refunds); it defaults to the reference.
   */
  | { type: 'payment_reversed'; reference: string; amountMinor: number; reversalId?: string; source?: string }
  /** `source`: where the debtor made it (e.g. 'portal'), kept on its timeline entry; absent = the API. */
  | { type: 'promise'; amountMinor: number; dueDate: string; source?: string }
  | { type: 'plan'; installments: { amountMinor: number; dueDate: string }[]; source?: string }
  | { type: 'dispute'; reason: string; invoiceExternalId?: string; source?: string }
  | { type: 'dispute_resolved'; outcome: 'upheld' | 'rejected'; adjustmentMinor?: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'opt_out'; channel: string }
  | { type: 'contact_outcome'; channel: string; outcome: string }
  | { type: 'reply'; channel: string; text: string }
  | { type: 'send_failed'; key: string; channel: string; reason: string }
  /**
   * The channel refused the send of step `key` when it would have left (the debtor's channel status, read at
   * send time: opted out, bounced, complained): nothing left, and the step takes its fallback.
   */
  | { type: 'send_refused'; key: string; channel: string; reason: string }
  | { type: 'tick' };

export type Command =
  | { type: 'send_message'; key: string; channel: string; template: string; stageId: string }
  | { type: 'create_task'; key: string; channel: string; priority: string; stageId: string }
  | { type: 'close'; status: string };

export interface Decision {
  state: AccountState;
  commands: Command[];
  timeline: TimelineEntry[];
}

export type Verdict = { ok: true } | { ok: false; reason: string; minimumMinor?: number };
