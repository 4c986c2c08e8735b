// Shared helpers: run scenario objects through the real simulator and summarise timelines.
import type { TimelineEntry } from '../../strategies/core/types';
import { parseScenario, simulate } from '../../strategies/simulate';
import type { SimulationResult } from '../../strategies/simulate';

export function run(input: unknown): SimulationResult {
  const parsed = parseScenario(input);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  return simulate(parsed.scenario);
}

/** One line per entry: "at type channel/template reason until", enough to assert a journey. */
export function brief(timeline: readonly TimelineEntry[]): string[] {
  return timeline.map((e) => {
    const parts = [e.at, e.type];
    for (const field of ['reason', 'channel', 'template', 'until', 'status', 'amount']) {
      const value = e[field];
      if (typeof value === 'string') parts.push(`${field}=${value}`);
    }
    return parts.join(' ');
  });
}

export const mxDebtor = {
  externalId: 'D-MX',
  name: 'Ana Pérez',
  kind: 'person',
  country: 'MX',
  timezone: 'America/Mexico_City',
  email: 'ana@example.com',
  phone: '+525512345678',
} as const;

/** A minimal valid strategy to be tweaked per test. */
export function strategyWith(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'test',
    name: 'Test',
    jurisdiction: 'MX',
    stages: [
      {
        id: 'early',
        kind: 'administrative',
        fromDay: 1,
        steps: [
          { day: 1, action: 'message', channel: 'email', template: 'overdue' },
          { day: 7, action: 'task', channel: 'call', priority: 'high' },
        ],
      },
      {
        id: 'prelegal',
        kind: 'prelegal',
        fromDay: 31,
        steps: [{ day: 31, action: 'message', channel: 'email', template: 'prelegal-notice' }],
      },
      { id: 'legal', kind: 'legal', fromDay: 90, terminal: 'legal_handoff' },
    ],
    ...overrides,
  };
}
