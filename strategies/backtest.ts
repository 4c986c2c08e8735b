// Backtest (CONTRACT §6): what really happened to accounts, replayed through another strategy version.
// Replayed are the account's external events as recorded: invoices, payments, promise and plan requests
// (the version's policy answers them anew), disputes and their resolutions, pauses, opt-outs, write-offs,
// recalls, contact outcomes and replies. Whatever the strategy caused (messages, tasks, deferrals, skips,
// stage entries, promise judgements, hand-offs) is not replayed: the version under test decides it, with
// the production core on a simulated clock from the account's opening.
import { DateTime } from 'luxon';
import { addDays, localInstant } from './core/calendar';
import { currencyDigits, parseMinor } from './core/money';
import type { EngineContext, EngineEvent, InvoiceEvent, NormalizedStrategy, TimelineEntry } from './core/types';
import { publicHolidays } from './holidays';
import { packFor } from './jurisdictions';
import { kpis, localDateOf, type AccountTimeline, type KpiPeriod, type Kpis } from './kpis';
import type { Scenario } from './scenario';
import { runScenario } from './simulate';

/** One real account as PostgreSQL recorded it. */
export interface RecordedAccount {
  accountId: string;
  currency: string;
  country: string;
  zone: string;
  /** The channels the account opened with (an address, no opt-out or bounce yet). */
  channels: { email: boolean; whatsapp: boolean };
  /** As accepted (`acceptedAt`: when the invoice was stored). */
  invoices: { externalId: string; amountMinor: number; dueDate: string; acceptedAt: number }[];
  /** As reported, one per reference (`receivedAt`: when it was stored). */
  payments: { reference: string; amountMinor: number; paidAt: number; receivedAt: number }[];
  /** Channels the debtor opted out of (or that bounced) after the account opened, and when. */
  channelsOff: { channel: string; at: number }[];
  /** The account's ledger entries, in order. */
  timeline: TimelineEntry[];
}

export interface ExternalEvents {
  openedAt: number;
  /** The invoices the account opened with (decided together, as the workflow does). */
  opening: InvoiceEvent[];
  /** Everything after, by time; events at one instant keep the order they happened in. */
  events: { at: number; event: EngineEvent }[];
}

export interface VersionUnderTest {
  strategy: NormalizedStrategy;
  version: number;
}

/** Business instants are whole seconds (the workflow rounds every event down to its second). */
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The external event a ledger entry records, or null for what the strategy caused. */
function eventOf(entry: TimelineEntry, minor: (v: unknown) => number): EngineEvent | null {
  switch (entry.type) {
    case 'promise_accepted':
    case 'promise_rejected': {
      const dueDate = text(entry.dueDate);
      return dueDate && text(entry.amount) ? { type: 'promise', amountMinor: minor(entry.amount), dueDate } : null;
    }
    case 'plan_accepted': {
      const installments = Array.isArray(entry.installments) ? (entry.installments as Record<string, unknown>[]) : [];
      return {
        type: 'plan',
        installments: installments.map((i) => ({ amountMinor: minor(i.amount), dueDate: text(i.dueDate) ?? '' })),
      };
    }
    case 'dispute_opened': {
      const invoiceExternalId = text(entry.invoiceExternalId);
      return {
        type: 'dispute',
        reason: text(entry.reason) ?? 'unknown',
        ...(invoiceExternalId ? { invoiceExternalId } : {}),
      };
    }
    case 'dispute_resolved':
      return {
        type: 'dispute_resolved',
        outcome: entry.outcome === 'upheld' ? 'upheld' : 'rejected',
        ...(text(entry.adjustment) ? { adjustmentMinor: minor(entry.adjustment) } : {}),
      };
    case 'paused':
      return { type: 'pause' };
    case 'resumed':
      return { type: 'resume' };
    case 'written_off':
      return { type: 'write_off', amountMinor: minor(entry.amount), reason: text(entry.reason) ?? 'unknown' };
    case 'stage_entered':
      return entry.reason === 'recall' ? { type: 'recall' } : null;
    case 'contact_outcome':
      return { type: 'contact_outcome', channel: text(entry.channel) ?? 'unknown', outcome: text(entry.outcome) ?? '' };
    case 'reply':
      // The ledger keeps no reply text; a STOP reply also recorded an opt-out, replayed from channelsOff.
      return { type: 'reply', channel: text(entry.channel) ?? 'unknown', text: '' };
    default:
      return null;
  }
}

/** The invoices an account opened with: those whose amounts make up its `opened` balance, in order. */
function openingInvoices(account: RecordedAccount, openedAt: number, openedMinor: number | null) {
  const byTime = [...account.invoices].sort((a, b) => a.acceptedAt - b.acceptedAt);
  let sum = 0;
  for (let n = 1; n <= byTime.length && openedMinor !== null; n++) {
    sum += byTime[n - 1]?.amountMinor ?? 0;
    if (sum === openedMinor) return { opening: byTime.slice(0, n), later: byTime.slice(n) };
    if (sum > openedMinor) break;
  }
  const opening = byTime.filter((i) => wholeSecond(i.acceptedAt) <= openedAt);
  return { opening, later: byTime.filter((i) => !opening.includes(i)) };
}

/** What happened to the account from outside, reconstructed from its records (null: it never opened). */
export function externalEvents(account: RecordedAccount): ExternalEvents | null {
  const digits = currencyDigits(account.currency);
  const minor = (v: unknown) => (typeof v === 'string' ? (parseMinor(v, digits) ?? 0) : 0);
  const opened = account.timeline.find((e) => e.type === 'opened');
  const firstAccepted = Math.min(...account.invoices.map((i) => i.acceptedAt));
  const openedAt = opened ? Date.parse(opened.at) : wholeSecond(firstAccepted);
  if (!Number.isFinite(openedAt)) return null;
  const { opening, later } = openingInvoices(account, openedAt, opened ? minor(opened.amount) : null);
  const invoice = (i: RecordedAccount['invoices'][number]): InvoiceEvent => ({
    type: 'invoice',
    externalId: i.externalId,
    amountMinor: i.amountMinor,
    currency: account.currency,
    dueDate: i.dueDate,
  });
  const paidAt = new Map(account.payments.map((p) => [p.reference, p.paidAt]));
  const recorded: { at: number; event: EngineEvent }[] = [];
  for (const entry of account.timeline) {
    const at = Date.parse(entry.at);
    if (entry.type === 'payment') {
      const reference = text(entry.reference) ?? '';
      const event = { type: 'payment' as const, amountMinor: minor(entry.amount), reference };
      recorded.push({ at, event: { ...event, paidAt: paidAt.get(reference) ?? at } });
      continue;
    }
    const event = eventOf(entry, minor);
    if (event) recorded.push({ at, event });
  }
  const inLedger = new Set(account.timeline.flatMap((e) => (e.type === 'payment' ? [text(e.reference)] : [])));
  // Stored but not (yet) in the ledger: invoices after the opening, payments still on their way, opt-outs.
  const timed = (ms: number, event: EngineEvent) => ({ at: Math.max(wholeSecond(ms), openedAt), event });
  const stored = [
    ...later.map((i) => timed(i.acceptedAt, invoice(i))),
    ...account.payments
      .filter((p) => !inLedger.has(p.reference))
      .map((p) =>
        timed(p.receivedAt, { type: 'payment', amountMinor: p.amountMinor, reference: p.reference, paidAt: p.paidAt }),
      ),
    ...account.channelsOff.map((c) => timed(c.at, { type: 'opt_out', channel: c.channel })),
  ];
  // A stable sort: the ledger's order within an instant stands, stored events come after it.
  const events = [...recorded, ...stored].sort((a, b) => a.at - b.at);
  return { openedAt, opening: opening.map(invoice), events };
}

/** The last instant of local date `to` in the zone. */
export function endOfLocalDate(to: string, zone: string): number {
  return localInstant(addDays(to, 1), '00:00', zone) - 1;
}

/** The context the account's workflow would have loaded at its opening, under the version under test. */
export function replayContext(under: VersionUnderTest, account: RecordedAccount, from: number, until: number) {
  const start = DateTime.fromMillis(from, { zone: account.zone });
  const end = DateTime.fromMillis(until, { zone: account.zone });
  const ctx: EngineContext = {
    strategy: under.strategy,
    strategyVersion: under.version,
    pack: packFor(account.country, start.toISODate() ?? '2000-01-01'),
    holidays: publicHolidays(account.country, start.year - 1, end.year + 1),
    zone: account.zone,
  };
  return ctx;
}

/** The account's timeline as the version under test would have made it, up to `until` (null: never opened). */
export function replayAccount(
  account: RecordedAccount,
  under: VersionUnderTest,
  until: number,
): TimelineEntry[] | null {
  const replay = externalEvents(account);
  if (!replay || replay.openedAt > until) return null;
  const scenario: Scenario = {
    accountId: account.accountId,
    zone: account.zone,
    country: account.country,
    currency: account.currency,
    start: replay.openedAt,
    until,
    strategy: under.strategy,
    strategyVersion: under.version,
    channels: account.channels,
    invoices: replay.opening,
    events: replay.events,
  };
  return runScenario(scenario, replayContext(under, account, replay.openedAt, until)).timeline;
}

/** Beside the KPIs: who was contacted, deferred, handed off, and when (days past due). */
export interface BacktestFigures {
  kpis: Kpis[];
  contacts: { attempts: number; byChannel: Record<string, number>; accounts: number };
  deferred: Record<string, number>;
  skipped: Record<string, number>;
  handoffs: { accounts: number; byStatus: Record<string, number> };
  timing: { medianDayOfFirstContact: number | null; medianDayOfHandoff: number | null };
}

/** Closing statuses that end the debt; any other `closed` status is a hand-off (legal_handoff, …). */
const SETTLED = new Set(['paid', 'written_off']);
const isContact = (e: TimelineEntry) => e.type === 'message' || e.type === 'task';
const isHandoff = (e: TimelineEntry) => e.type === 'closed' && typeof e.status === 'string' && !SETTLED.has(e.status);

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const bump = (map: Record<string, number>, key: unknown) => {
  const k = typeof key === 'string' ? key : 'unknown';
  map[k] = (map[k] ?? 0) + 1;
};

/** Only the entries of [from, to] (local dates) count, as in the KPIs. */
export function inPeriod(timeline: readonly TimelineEntry[], period: KpiPeriod): TimelineEntry[] {
  return timeline.filter((e) => localDateOf(e) >= period.from && localDateOf(e) <= period.to);
}

export function backtestFigures(accounts: readonly AccountTimeline[], period: KpiPeriod): BacktestFigures {
  const f: BacktestFigures = {
    kpis: kpis(accounts, period),
    contacts: { attempts: 0, byChannel: {}, accounts: 0 },
    deferred: {},
    skipped: {},
    handoffs: { accounts: 0, byStatus: {} },
    timing: { medianDayOfFirstContact: null, medianDayOfHandoff: null },
  };
  const firstContact: number[] = [];
  const handoff: number[] = [];
  for (const account of accounts) {
    const entries = inPeriod(account.timeline, period);
    for (const e of entries) {
      if (isContact(e)) {
        f.contacts.attempts += 1;
        bump(f.contacts.byChannel, e.channel);
      } else if (e.type === 'deferred') bump(f.deferred, e.reason);
      else if (e.type === 'skipped') bump(f.skipped, e.reason);
      else if (isHandoff(e)) bump(f.handoffs.byStatus, e.status);
    }
    const contact = entries.find(isContact);
    if (contact) firstContact.push(contact.day);
    const handedOff = entries.find(isHandoff);
    if (handedOff) handoff.push(handedOff.day);
  }
  f.contacts.accounts = firstContact.length;
  f.handoffs.accounts = handoff.length;
  f.timing = { medianDayOfFirstContact: median(firstContact), medianDayOfHandoff: median(handoff) };
  return f;
}

/** The contacts of a timeline in the period, as comparable lines. */
export function contactsOf(timeline: readonly TimelineEntry[], period: KpiPeriod): string[] {
  return inPeriod(timeline, period)
    .filter(isContact)
    .map((e) => `${e.at} ${e.type} ${String(e.channel)}`);
}
