// Simulation throughput: N generated accounts over 180 days each through the real decision core.
import { DateTime } from 'luxon';
import { builtinStrategy } from './builtin/index';
import { parseMinor } from './core/money';
import type { EngineEvent } from './core/types';
import type { Scenario } from './scenario';
import { contextFor, runScenario } from './simulate';

/** Deterministic pseudo-random numbers (mulberry32) so every run simulates the same portfolio. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generatedScenario(index: number, days = 180): Scenario {
  const random = generator(index + 1);
  const zone = 'America/Mexico_City';
  const start = DateTime.fromISO('2026-03-02T08:00:00', { zone }).plus({ hours: Math.floor(random() * 48) });
  const due = start.plus({ days: Math.floor(random() * 20) - 5 });
  const amountMinor = (parseMinor('500.00', 2) ?? 0) + Math.floor(random() * 500000);
  const events: { at: number; event: EngineEvent }[] = [];
  const behaviour = random();
  const promiseAt = start.plus({ days: 8 + Math.floor(random() * 10), hours: 3 });
  if (behaviour < 0.4) {
    const dueDate = promiseAt.plus({ days: 5 }).toISODate() ?? '';
    events.push({ at: promiseAt.toMillis(), event: { type: 'promise', amountMinor, dueDate } });
    if (behaviour < 0.25)
      events.push({
        at: promiseAt.plus({ days: 4 }).toMillis(),
        event: { type: 'payment', amountMinor, reference: `P${index}` },
      });
  } else if (behaviour < 0.5) {
    events.push({ at: promiseAt.toMillis(), event: { type: 'reply', channel: 'whatsapp', text: 'hola' } });
  }
  const strategy = builtinStrategy('consumer-mx');
  if (!strategy) throw new Error('consumer-mx missing');
  return {
    accountId: `A${index}`,
    zone,
    country: 'MX',
    currency: 'MXN',
    start: start.toMillis(),
    until: start.plus({ days }).toMillis(),
    strategy,
    channels: { email: true, whatsapp: random() > 0.1 },
    invoices: [
      { type: 'invoice', externalId: `F${index}`, amountMinor, currency: 'MXN', dueDate: due.toISODate() ?? '' },
    ],
    events,
  };
}

/** Simulates `accounts` generated accounts over `days` days; returns elapsed milliseconds. */
export function benchSimulate(
  accounts: number,
  days = 180,
): { accounts: number; days: number; elapsedMs: number; timelineEntries: number } {
  const first = generatedScenario(0, days);
  const ctx = contextFor(first);
  let entries = 0;
  const started = performance.now();
  for (let i = 0; i < accounts; i++) {
    const scenario = generatedScenario(i, days);
    entries += runScenario(scenario, ctx).timeline.length;
  }
  return { accounts, days, elapsedMs: Math.round(performance.now() - started), timelineEntries: entries };
}
