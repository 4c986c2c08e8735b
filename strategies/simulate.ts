// The simulator: drives the production decision core on a simulated clock.
// Loop: next instant = min(next wake-up, next event); events at an instant go before ticks.
import { DateTime } from 'luxon';
import { decide, initialState, nextWakeAt, toView } from './core/index';
import type { AccountState, EngineContext, EngineEvent, InvoiceEvent, TimelineEntry } from './core/types';
import { publicHolidays } from './holidays';
import { packFor } from './jurisdictions';
import type { Scenario } from './scenario';

export { parseScenario, publishedVersionRef, scenarioSchema } from './scenario';
export type { Scenario, ScenarioInput, ScenarioParse } from './scenario';

export interface SimulationResult {
  status: string;
  balance: string;
  timeline: TimelineEntry[];
}

export function contextFor(scenario: Scenario, strategyVersion = scenario.strategyVersion ?? 1): EngineContext {
  const startLocal = DateTime.fromMillis(scenario.start, { zone: scenario.zone });
  const untilLocal = DateTime.fromMillis(scenario.until, { zone: scenario.zone });
  return {
    strategy: scenario.strategy,
    strategyVersion,
    pack: packFor(scenario.country, startLocal.toISODate() ?? '2000-01-01'),
    holidays: publicHolidays(scenario.country, startLocal.year - 1, untilLocal.year + 1),
    zone: scenario.zone,
  };
}

export function runScenario(scenario: Scenario, ctx: EngineContext = contextFor(scenario)): AccountState {
  let state = initialState({
    accountId: scenario.accountId,
    currency: scenario.currency,
    channels: scenario.channels,
    openedAt: scenario.start,
  });
  // Invoices that arrive together all count before anything is decided, as in the workflow.
  if (scenario.invoices.length > 0)
    state = decide(ctx, state, { type: 'invoices', invoices: scenario.invoices }, scenario.start).state;
  let next = 0;
  let lastTick = Number.NEGATIVE_INFINITY;
  for (;;) {
    const wake = nextWakeAt(ctx, state);
    const event = scenario.events[next];
    const eventAt = event?.at ?? Number.POSITIVE_INFINITY;
    const t = Math.min(wake ?? Number.POSITIVE_INFINITY, eventAt);
    if (!Number.isFinite(t) || t > scenario.until) break;
    if (event && eventAt <= t) {
      const together = invoicesAt(scenario.events, next);
      state = decide(ctx, state, together ?? event.event, eventAt).state;
      next += together ? together.invoices.length : 1;
    } else {
      if (t === lastTick) throw new Error(`decision core did not advance at ${new Date(t).toISOString()}`);
      lastTick = t;
      state = decide(ctx, state, { type: 'tick' }, t).state;
    }
  }
  return state;
}

/** Consecutive invoice events at one instant, from index i, as one event (null when fewer than two). */
function invoicesAt(events: Scenario['events'], i: number): Extract<EngineEvent, { type: 'invoices' }> | null {
  const first = events[i];
  const invoices: InvoiceEvent[] = [];
  for (let j = i; j < events.length; j++) {
    const e = events[j];
    if (!e || !first || e.at !== first.at || e.event.type !== 'invoice') break;
    invoices.push(e.event);
  }
  return invoices.length > 1 ? { type: 'invoices', invoices } : null;
}

export function simulate(scenario: Scenario): SimulationResult {
  const ctx = contextFor(scenario);
  const state = runScenario(scenario, ctx);
  const view = toView(ctx, state, Math.min(state.clock, scenario.until));
  return { status: view.status, balance: view.balance, timeline: state.timeline };
}
