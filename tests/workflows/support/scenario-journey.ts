// Drives scenarios (CONTRACT §4) through the real account workflow on the time-skipping server, and
// through the simulator, so the two timelines can be compared entry by entry.
//
// Clock: the time-skipping server starts at the real "now" and only moves forward. Scenario files are
// dated; `shiftScenario` moves every local date and time of a scenario by whole weeks (weekdays and
// local times stay; dated holidays may fall elsewhere, which the simulator sees identically), and
// `planShift` picks the smallest shift of whole 52-week "years" (plus extra weeks if needed) that puts
// the start after the server's clock and leaves no external event within 5 s of a decision
// instant of the core. At the same instant the simulator applies the event first, while the server
// fires the timer before the test can signal: that race is transport, not behaviour, so the harness
// avoids it instead of asserting it.
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { accounts, debtorChannelStatus, debtors, invoices, strategyVersions } from '../../../db/schema';
import { BUILTIN_STRATEGIES } from '../../../strategies/builtin/index';
import { addDays } from '../../../strategies/core/calendar';
import { adoptStrategyVersion, decide, initialState, nextWakeAt, toView } from '../../../strategies/core/index';
import type { AccountState, EngineContext, EngineEvent, TimelineEntry } from '../../../strategies/core/types';
import { validateStrategy } from '../../../strategies/definition';
import { contextFor, parseScenario, type Scenario, type ScenarioInput } from '../../../strategies/simulate';
import {
  accountViewQuery,
  accountWorkflowId,
  disputeOpenedSignal,
  disputeResolvedSignal,
  contactOutcomeSignal,
  debtorRepliedSignal,
  invoiceAddedSignal,
  invoicesAddedSignal,
  optedOutSignal,
  pausedSignal,
  paymentReceivedSignal,
  paymentReversedSignal,
  proposePlanUpdate,
  registerPromiseUpdate,
  recalledSignal,
  resumedSignal,
  strategyVersionChangedSignal,
  writtenOffSignal,
  type AccountView,
  type AccountWorkflowInput,
  type AgreementResult,
  type InvoiceAddedSignal,
} from '../../../workflows/account.messages';

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;
/** Events closer than this to a decision instant would race the timer (see the header). */
const CLEARANCE_MS = 5_000;

/** Moves a local "YYYY-MM-DD[THH:mm…]" text by whole days, keeping the local time. */
function shiftText(text: string, days: number): string {
  return addDays(text.slice(0, 10), days) + text.slice(10);
}

export function shiftScenario(input: ScenarioInput, days: number): ScenarioInput {
  const shiftEvent = (
    e: NonNullable<ScenarioInput['events']>[number],
  ): NonNullable<ScenarioInput['events']>[number] => {
    const at = shiftText(e.at, days);
    switch (e.type) {
      case 'invoice':
      case 'promise':
        return { ...e, at, dueDate: shiftText(e.dueDate, days) };
      case 'plan':
        return { ...e, at, installments: e.installments.map((i) => ({ ...i, dueDate: shiftText(i.dueDate, days) })) };
      case 'payment':
      case 'payment_reversed':
      case 'dispute':
      case 'dispute_resolved':
      case 'pause':
      case 'resume':
      case 'opt_out':
      case 'contact_outcome':
      case 'reply':
      case 'write_off':
      case 'recall':
        return { ...e, at };
    }
  };
  return {
    ...input,
    start: shiftText(input.start, days),
    until: shiftText(input.until, days),
    invoices: input.invoices.map((i) => ({
      ...i,
      dueDate: shiftText(i.dueDate, days),
      ...(i.issuedAt ? { issuedAt: shiftText(i.issuedAt, days) } : {}),
    })),
    ...(input.events ? { events: input.events.map(shiftEvent) } : {}),
  };
}

export function parsed(input: unknown): Scenario {
  const result = parseScenario(input);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return result.scenario;
}

/** A strategy version change the journey makes at `at` (epoch ms), to `definition` published as `version`. */
export interface VersionChange {
  at: number;
  version: number;
  definition: Record<string, unknown>;
}

export interface Simulated {
  timeline: TimelineEntry[];
  /** As the account view shows it at `until`. */
  status: string;
  /** Every instant at which the core woke up on its own (timers). */
  wakes: number[];
  state: AccountState;
}

function contextOf(scenario: Scenario, definition: Record<string, unknown>, version: number): EngineContext {
  const checked = validateStrategy(definition);
  if (!checked.ok) throw new Error(checked.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return { ...contextFor(scenario, version), strategy: checked.strategy };
}

/**
 * The simulator's loop (strategies/simulate.ts runScenario), plus strategy version changes the way the
 * workflow applies them (adoptStrategyVersion at the instant the change arrives), recording wake-ups.
 */
export function simulateJourney(scenario: Scenario, changes: readonly VersionChange[] = []): Simulated {
  let ctx = contextFor(scenario);
  let state = initialState({
    accountId: scenario.accountId,
    currency: scenario.currency,
    channels: scenario.channels,
    openedAt: scenario.start,
  });
  if (scenario.invoices.length > 0)
    state = decide(ctx, state, { type: 'invoices', invoices: scenario.invoices }, scenario.start).state;
  const agenda: { at: number; event?: EngineEvent; change?: VersionChange }[] = [
    ...scenario.events.map((e) => ({ at: e.at, event: e.event })),
    ...changes.map((change) => ({ at: change.at, change })),
  ].sort((a, b) => a.at - b.at);
  const wakes: number[] = [];
  let next = 0;
  for (;;) {
    const wake = nextWakeAt(ctx, state);
    const item = agenda[next];
    const t = Math.min(wake ?? Infinity, item?.at ?? Infinity);
    if (!Number.isFinite(t) || t > scenario.until) break;
    if (item && item.at <= t) {
      next += 1;
      if (item.event) state = decide(ctx, state, item.event, item.at).state;
      if (item.change) {
        const to = contextOf(scenario, item.change.definition, item.change.version);
        state = adoptStrategyVersion(ctx, to, state, item.at);
        ctx = to;
      }
    } else {
      if (wakes.at(-1) === t) throw new Error(`the core did not advance at ${new Date(t).toISOString()}`);
      wakes.push(t);
      state = decide(ctx, state, { type: 'tick' }, t).state;
    }
  }
  return {
    timeline: state.timeline,
    status: toView(ctx, state, Math.min(state.clock, scenario.until)).status,
    wakes,
    state,
  };
}

/**
 * The smallest shift (days) that starts the scenario after `notBefore` and keeps every external
 * instant (events, version changes, `until`) clear of the core's own decision instants.
 */
export function planShift(
  input: ScenarioInput,
  notBefore: number,
  opts: { changes?: (s: Scenario) => VersionChange[] } = {},
): number {
  const start = parsed(input).start;
  const years = Math.max(0, Math.ceil((notBefore - start) / (364 * DAY_MS)));
  for (let weeks = years * 52; weeks < years * 52 + 60; weeks++) {
    const scenario = parsed(shiftScenario(input, weeks * WEEK_DAYS));
    if (scenario.start < notBefore) continue;
    const changes = opts.changes?.(scenario) ?? [];
    const sim = simulateJourney(scenario, changes);
    const externals = [...scenario.events.map((e) => e.at), ...changes.map((c) => c.at), scenario.until];
    const clash = externals.some((x) => sim.wakes.some((w) => Math.abs(w - x) < CLEARANCE_MS));
    if (!clash) return weeks * WEEK_DAYS;
  }
  throw new Error('no shift of the scenario keeps its events clear of the decision instants');
}

export interface PreparedAccount {
  accountId: string;
  workflowId: string;
  strategyId: string;
  input: AccountWorkflowInput;
  invoiceIds: Map<string, string>;
}

/**
 * Writes the debtor, account and invoice rows the activities read, and publishes the scenario's
 * strategy under a unique id as version 1: other tests may publish versions of the built-ins.
 */
export async function prepareAccount(db: Db, raw: ScenarioInput, scenario: Scenario): Promise<PreparedAccount> {
  const tag = randomUUID().slice(0, 8);
  const strategyDefinition = typeof raw.strategy === 'string' ? BUILTIN_STRATEGIES[raw.strategy] : raw.strategy;
  if (!strategyDefinition) throw new Error(`unknown strategy ${JSON.stringify(raw.strategy)}`);
  const strategyId = `${typeof raw.strategy === 'string' ? raw.strategy : 'inline'}-${tag}`;
  await db.insert(strategyVersions).values({ strategyId, version: 1, definition: strategyDefinition });
  const d = raw.debtor;
  const [debtor] = await db
    .insert(debtors)
    .values({
      externalId: `${d.externalId}-${tag}`,
      kind: d.kind,
      name: d.name,
      email: d.email ?? null,
      phone: d.phone ?? null,
      country: d.country,
      timezone: scenario.zone,
      locale: d.locale ?? 'es',
    })
    .returning({ id: debtors.id });
  if (!debtor) throw new Error('debtor not written');
  const extra = scenario.events.flatMap((e) => (e.event.type === 'invoice' ? [e.event] : []));
  return seedAccount(db, {
    debtorId: debtor.id,
    kind: d.kind,
    locale: d.locale,
    scenario,
    strategyId,
    tag,
    invoices: [...scenario.invoices, ...extra],
  });
}

/** One account of a debtor, its invoice rows (externalIds suffixed with `tag`) and its workflow input. */
export async function seedAccount(
  db: Db,
  args: {
    debtorId: string;
    kind: AccountWorkflowInput['debtor']['kind'];
    locale: string | undefined;
    scenario: Scenario;
    strategyId: string;
    tag: string;
    invoices: { externalId: string; amountMinor: number; currency: string; dueDate: string }[];
  },
): Promise<PreparedAccount> {
  const { scenario, strategyId, tag } = args;
  const accountId = randomUUID();
  const workflowId = accountWorkflowId(accountId);
  await db
    .insert(accounts)
    .values({ id: accountId, debtorId: args.debtorId, currency: scenario.currency, workflowId, strategyId });
  const invoiceIds = new Map<string, string>();
  for (const inv of args.invoices) {
    const [row] = await db
      .insert(invoices)
      .values({
        externalId: `${inv.externalId}-${tag}`,
        accountId,
        debtorId: args.debtorId,
        amountMinor: inv.amountMinor,
        currency: inv.currency,
        dueDate: inv.dueDate,
        contentHash: tag,
      })
      .returning({ id: invoices.id });
    if (row) invoiceIds.set(inv.externalId, row.id);
  }
  const input: AccountWorkflowInput = {
    version: 1,
    accountId,
    currency: scenario.currency,
    debtor: {
      kind: args.kind,
      country: scenario.country,
      timezone: scenario.zone,
      locale: args.locale ?? 'es',
      channels: scenario.channels,
    },
    strategyId,
  };
  return { accountId, workflowId, strategyId, input, invoiceIds };
}

export async function publishVersion(
  db: Db,
  strategyId: string,
  version: number,
  definition: Record<string, unknown>,
): Promise<void> {
  await db.insert(strategyVersions).values({ strategyId, version, definition });
}

/**
 * A debtor channel status written straight into the database at `at` (epoch ms), without telling the
 * workflow: what it finds when it sends there is a status it has not heard of yet (an opt-out that
 * landed after it decided the send).
 */
export interface ChannelStatusWrite {
  at: number;
  channel: string;
  status: 'opted_out' | 'invalid' | 'complained';
}

/** One journey: the scenario, its account and what the harness does at each instant. */
export interface Journey {
  name: string;
  scenario: Scenario;
  account: PreparedAccount;
  changes?: VersionChange[];
  /** Filled in at `until`. */
  view?: AccountView;
  channelStatuses?: ChannelStatusWrite[];
  /** Extra views taken along the way, each filled in at its `at` (clear of the core's decision instants). */
  probes?: { at: number; view?: AccountView }[];
  agreements: AgreementResult[];
}

type Action = { at: number; journey: Journey; run: () => Promise<void> };

function actionsOf(client: Client, taskQueue: string, journey: Journey, db: Db): Action[] {
  const { scenario, account } = journey;
  const handle = () => client.workflow.getHandle(account.workflowId);
  const invoiceSignal = (e: Extract<EngineEvent, { type: 'invoice' }>): InvoiceAddedSignal => ({
    invoiceId: account.invoiceIds.get(e.externalId) ?? '',
    externalId: e.externalId,
    amountMinor: e.amountMinor,
    currency: e.currency,
    dueDate: e.dueDate,
  });
  const [first, ...rest] = scenario.invoices;
  if (!first) throw new Error(`${journey.name}: no invoice`);
  const actions: Action[] = [
    {
      at: scenario.start,
      journey,
      run: async () => {
        await client.workflow.signalWithStart('accountWorkflow', {
          workflowId: account.workflowId,
          taskQueue,
          args: [account.input],
          // The invoices an account opens with arrive together, as the outbox delivers a batch.
          signal: invoicesAddedSignal,
          signalArgs: [{ invoices: [first, ...rest].map(invoiceSignal) }],
        });
      },
    },
  ];
  for (const { at, event } of scenario.events) {
    actions.push({ at, journey, run: () => deliver(handle(), event, at, journey, invoiceSignal) });
  }
  for (const change of journey.changes ?? []) {
    actions.push({
      at: change.at,
      journey,
      run: async () => {
        await publishVersion(db, account.strategyId, change.version, change.definition);
        await handle().signal(strategyVersionChangedSignal, {
          strategyId: account.strategyId,
          version: change.version,
        });
      },
    });
  }
  for (const write of journey.channelStatuses ?? []) {
    actions.push({
      at: write.at,
      journey,
      run: async () => {
        const [row] = await db
          .select({ debtorId: accounts.debtorId })
          .from(accounts)
          .where(eq(accounts.id, account.accountId));
        if (!row) throw new Error(`${journey.name}: no account row`);
        await db
          .insert(debtorChannelStatus)
          .values({ debtorId: row.debtorId, channel: write.channel, status: write.status, reason: journey.name });
      },
    });
  }
  for (const probe of journey.probes ?? []) {
    actions.push({
      at: probe.at,
      journey,
      run: async () => {
        probe.view = await handle().query(accountViewQuery);
      },
    });
  }
  actions.push({
    at: scenario.until,
    journey,
    run: async () => {
      journey.view = await handle().query(accountViewQuery);
    },
  });
  return actions;
}

async function deliver(
  handle: ReturnType<Client['workflow']['getHandle']>,
  event: EngineEvent,
  at: number,
  journey: Journey,
  invoiceSignal: (e: Extract<EngineEvent, { type: 'invoice' }>) => InvoiceAddedSignal,
): Promise<void> {
  switch (event.type) {
    case 'invoice':
      return handle.signal(invoiceAddedSignal, invoiceSignal(event));
    case 'payment':
      return handle.signal(paymentReceivedSignal, {
        reference: event.reference,
        amountMinor: event.amountMinor,
        currency: journey.scenario.currency,
        paidAt: at,
      });
    case 'payment_reversed':
      return handle.signal(paymentReversedSignal, {
        reference: event.reference,
        amountMinor: event.amountMinor,
        ...(event.reversalId !== undefined ? { reversalId: event.reversalId } : {}),
      });
    case 'promise':
      journey.agreements.push(
        await handle.executeUpdate(registerPromiseUpdate, {
          args: [{ amountMinor: event.amountMinor, dueDate: event.dueDate }],
        }),
      );
      return;
    case 'plan':
      journey.agreements.push(
        await handle.executeUpdate(proposePlanUpdate, { args: [{ installments: event.installments }] }),
      );
      return;
    case 'dispute':
      return handle.signal(disputeOpenedSignal, {
        reason: event.reason,
        ...(event.invoiceExternalId ? { invoiceExternalId: event.invoiceExternalId } : {}),
      });
    case 'dispute_resolved':
      return handle.signal(disputeResolvedSignal, {
        outcome: event.outcome,
        ...(event.adjustmentMinor !== undefined ? { adjustmentMinor: event.adjustmentMinor } : {}),
      });
    case 'pause':
      return handle.signal(pausedSignal, {});
    case 'resume':
      return handle.signal(resumedSignal, {});
    case 'opt_out':
      return handle.signal(optedOutSignal, { channel: event.channel });
    case 'contact_outcome':
      return handle.signal(contactOutcomeSignal, { channel: event.channel, outcome: event.outcome });
    case 'reply':
      return handle.signal(debtorRepliedSignal, { channel: event.channel, text: event.text });
    case 'write_off':
      return handle.signal(writtenOffSignal, { amountMinor: event.amountMinor, reason: event.reason });
    case 'recall':
      return handle.signal(recalledSignal, {});
    case 'invoices':
    case 'send_failed':
    case 'send_refused':
    case 'tick':
      throw new Error(`scenarios carry no ${event.type} events`);
  }
}

/**
 * Runs journeys side by side on one server clock: sleeps (skipping time) to each external instant
 * in order and acts there. Fails if the clock has already passed an instant by a second or more.
 */
export async function driveJourneys(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  journeys: Journey[],
  db: Db,
): Promise<void> {
  const actions = journeys.flatMap((j) => actionsOf(env.client, taskQueue, j, db)).sort((a, b) => a.at - b.at);
  for (const action of actions) {
    const now = await env.currentTimeMs();
    if (now > action.at + 900)
      throw new Error(
        `${action.journey.name}: the server clock (${new Date(now).toISOString()}) passed ${new Date(action.at).toISOString()}`,
      );
    if (action.at > now) await env.sleep(action.at - now);
    await action.run();
  }
}
