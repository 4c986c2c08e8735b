// The one KPI function (CONTRACT §6): every figure, from account timelines, for a period of the debtors'
// local dates. The portfolio simulation and the live ledger (GET /v1/kpis) both answer with it.
import { RIGHT_PARTY_OUTCOMES } from './core/events';
import { currencyDigits, formatMinor, parseMinor } from './core/money';
import type { TimelineEntry } from './core/types';

/** One account's timeline and the currency its amounts are in. */
export interface AccountTimeline {
  currency: string;
  timeline: readonly TimelineEntry[];
}

export interface KpiPeriod {
  /** First and last local date counted, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  /** Currencies answered even without activity (zeros and nulls). */
  currencies?: readonly string[];
}

export interface Kpis {
  currency: string;
  accounts: number;
  opened: number;
  placed: string;
  collected: string;
  recovered: string;
  recoveryRate: number | null;
  promises: number;
  promisesKept: number;
  promisesBroken: number;
  keptRate: number | null;
  attempts: number;
  messages: Record<string, number>;
  tasks: Record<string, number>;
  rightPartyContacts: number;
  rpcRate: number | null;
  deferred: Record<string, number>;
  skipped: Record<string, number>;
  closed: Record<string, number>;
}

/** Each figure's definition, shown next to it (the OpenAPI description of GET /v1/kpis carries these). */
export const KPI_FORMULAS: Record<keyof Kpis, string> = {
  currency: 'ISO 4217 code; figures never mix currencies (one result per currency).',
  accounts: 'accounts with at least one timeline entry in the period.',
  opened: 'accounts opened in the period (their `opened` entry falls in it).',
  placed: 'Σ balance of the accounts when they opened (`opened` entry amount), for accounts opened in the period.',
  collected:
    'Σ `payment` amounts less Σ `payment_reversed` amounts (refunds, chargebacks) in the period (every account, whenever it opened).',
  recovered:
    'Σ over accounts opened in the period of min(placed, their payments in the period): the part of `placed` paid back.',
  recoveryRate:
    'recovered ÷ placed (null when placed is 0). Of the debt placed in the period, the share paid in the period; payments of older accounts are in `collected`, not here, so the rate stays within [0, 1].',
  promises: 'count of `promise_accepted`.',
  promisesKept: 'count of `promise_kept`.',
  promisesBroken: 'count of `promise_broken`.',
  keptRate: 'promisesKept ÷ (promisesKept + promisesBroken) (null when no promise came due).',
  attempts: 'messages sent + tasks created (`message` and `task` entries).',
  messages: '{channel: count of `message` entries}.',
  tasks: '{channel: count of `task` entries}.',
  rightPartyContacts: `\`contact_outcome\` entries with a right-party outcome (${[...RIGHT_PARTY_OUTCOMES].join(', ')}) + debtor \`reply\` entries.`,
  rpcRate:
    'min(1, rightPartyContacts ÷ attempts) (null when attempts is 0): replies the debtor sends unprompted can outnumber attempts.',
  deferred: '{reason: count of `deferred` entries}.',
  skipped: '{reason: count of `skipped` entries}.',
  closed: '{status: count of `closed` entries} (paid, written_off, and hand-offs such as legal_handoff).',
};

/** The local calendar date of an entry: `at` carries the debtor's offset, so its date part is the local date. */
export const localDateOf = (entry: TimelineEntry): string => entry.at.slice(0, 10);

export const rate = (numerator: number, denominator: number): number | null =>
  denominator === 0 ? null : Math.min(1, numerator / denominator);

interface Tally {
  accounts: number;
  opened: number;
  placed: number;
  collected: number;
  recovered: number;
  promises: number;
  promisesKept: number;
  promisesBroken: number;
  messages: Record<string, number>;
  tasks: Record<string, number>;
  rightPartyContacts: number;
  deferred: Record<string, number>;
  skipped: Record<string, number>;
  closed: Record<string, number>;
}

const emptyTally = (): Tally => ({
  accounts: 0,
  opened: 0,
  placed: 0,
  collected: 0,
  recovered: 0,
  promises: 0,
  promisesKept: 0,
  promisesBroken: 0,
  messages: {},
  tasks: {},
  rightPartyContacts: 0,
  deferred: {},
  skipped: {},
  closed: {},
});

const bump = (map: Record<string, number>, key: unknown) => {
  const k = typeof key === 'string' ? key : 'unknown';
  map[k] = (map[k] ?? 0) + 1;
};

function amountOf(entry: TimelineEntry, digits: number): number {
  return typeof entry.amount === 'string' ? (parseMinor(entry.amount, digits) ?? 0) : 0;
}

/** Adds one account's entries of the period to its currency's tally. */
function tallyAccount(t: Tally, entries: readonly TimelineEntry[], digits: number): void {
  if (entries.length === 0) return;
  t.accounts += 1;
  let placed = 0;
  let paid = 0;
  for (const e of entries) {
    switch (e.type) {
      case 'opened':
        t.opened += 1;
        placed += amountOf(e, digits);
        break;
      case 'payment':
        paid += amountOf(e, digits);
        break;
      case 'payment_reversed':
        // Collected is net of refunds and chargebacks.
        paid -= amountOf(e, digits);
        break;
      case 'promise_accepted':
        t.promises += 1;
        break;
      case 'promise_kept':
        t.promisesKept += 1;
        break;
      case 'promise_broken':
        t.promisesBroken += 1;
        break;
      case 'message':
        bump(t.messages, e.channel);
        break;
      case 'task':
        bump(t.tasks, e.channel);
        break;
      case 'contact_outcome':
        if (typeof e.outcome === 'string' && RIGHT_PARTY_OUTCOMES.has(e.outcome)) t.rightPartyContacts += 1;
        break;
      case 'reply':
        t.rightPartyContacts += 1;
        break;
      case 'deferred':
        bump(t.deferred, e.reason);
        break;
      case 'skipped':
        bump(t.skipped, e.reason);
        break;
      case 'closed':
        bump(t.closed, e.status);
        break;
    }
  }
  t.placed += placed;
  t.collected += paid;
  t.recovered += Math.max(0, Math.min(placed, paid));
}

const total = (map: Record<string, number>) => Object.values(map).reduce((sum, n) => sum + n, 0);

function figures(currency: string, t: Tally): Kpis {
  const digits = currencyDigits(currency);
  const attempts = total(t.messages) + total(t.tasks);
  return {
    currency,
    accounts: t.accounts,
    opened: t.opened,
    placed: formatMinor(t.placed, digits),
    collected: formatMinor(t.collected, digits),
    recovered: formatMinor(t.recovered, digits),
    recoveryRate: rate(t.recovered, t.placed),
    promises: t.promises,
    promisesKept: t.promisesKept,
    promisesBroken: t.promisesBroken,
    keptRate: rate(t.promisesKept, t.promisesKept + t.promisesBroken),
    attempts,
    messages: t.messages,
    tasks: t.tasks,
    rightPartyContacts: t.rightPartyContacts,
    rpcRate: rate(t.rightPartyContacts, attempts),
    deferred: t.deferred,
    skipped: t.skipped,
    closed: t.closed,
  };
}

/** The figures of a currency without activity: zeros, and null rates. */
export const zeroKpis = (currency: string): Kpis => figures(currency, emptyTally());

/** CONTRACT §6's figures for what happened in [from, to], one result per currency (sorted by currency). */
export function kpis(timelines: readonly AccountTimeline[], period: KpiPeriod): Kpis[] {
  const tallies = new Map<string, Tally>();
  const tallyOf = (currency: string) => {
    let t = tallies.get(currency);
    if (!t) tallies.set(currency, (t = emptyTally()));
    return t;
  };
  for (const currency of period.currencies ?? []) tallyOf(currency);
  for (const account of timelines) {
    const inPeriod = account.timeline.filter((e) => {
      const date = localDateOf(e);
      return date >= period.from && date <= period.to;
    });
    if (inPeriod.length > 0) tallyAccount(tallyOf(account.currency), inPeriod, currencyDigits(account.currency));
  }
  return [...tallies.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, t]) => figures(currency, t));
}
