import { describe, expect, it } from 'vitest';
import { BUILTIN_STRATEGIES } from '../../strategies/builtin/index';
import { validateStrategy } from '../../strategies/definition';
import { strategyWith } from './helpers';

function pathsOf(input: unknown): string[] {
  const result = validateStrategy(input);
  return result.ok ? [] : result.errors.map((e) => e.path);
}

describe('strategy definition validation', () => {
  it('accepts the built-in strategies', () => {
    for (const definition of Object.values(BUILTIN_STRATEGIES))
      expect(validateStrategy(definition)).toMatchObject({ ok: true });
  });

  it('names an escalation to an unknown stage', () => {
    expect(pathsOf(strategyWith({ escalations: [{ when: { brokenPromises: 2 }, goTo: 'nowhere' }] }))).toEqual([
      'escalations[0].goTo',
    ]);
  });

  it('rejects steps out of day order', () => {
    const s = strategyWith();
    const stages = s.stages as { steps?: { day: number }[] }[];
    stages[0]!.steps = [
      { day: 7, action: 'task', channel: 'call' } as never,
      { day: 3, action: 'message', channel: 'email', template: 'overdue' } as never,
    ];
    expect(pathsOf(s)).toEqual(['stages[0].steps[1].day']);
  });

  it('rejects a fromDay that does not increase', () => {
    const s = strategyWith();
    (s.stages as { fromDay: number }[])[1]!.fromDay = 1;
    expect(pathsOf(s)).toContain('stages[1].fromDay');
  });

  it('rejects unknown channels and templates', () => {
    const s = strategyWith();
    (s.stages as { steps: unknown[] }[])[1]!.steps = [
      { day: 31, action: 'message', channel: 'pigeon', template: 'overdue' },
      { day: 32, action: 'message', channel: 'email', template: 'no-such-template' },
    ];
    expect(pathsOf(s)).toEqual(['stages[1].steps[0].channel', 'stages[1].steps[1].template']);
  });

  it('rejects a contact block looser than the jurisdiction pack', () => {
    expect(pathsOf(strategyWith({ jurisdiction: 'CO', contact: { maxPerDay: 2 } }))).toEqual(['contact.maxPerDay']);
    expect(pathsOf(strategyWith({ jurisdiction: 'CL', contact: { maxPerWeek: { whatsapp: 3, call: 1 } } }))).toEqual([
      'contact.maxPerWeek.whatsapp',
    ]);
    expect(
      pathsOf(strategyWith({ jurisdiction: 'MX', contact: { maxPerDay: 5, maxPerWeek: { whatsapp: 9 } } })),
    ).toEqual([]);
  });

  it('rejects unknown fields and bad template syntax with their paths', () => {
    expect(pathsOf(strategyWith({ colour: 'red' }))).toEqual(['colour']);
    expect(pathsOf(strategyWith({ templates: { overdue: { es: { body: 'Hola {{ debtor.name ' } } } }))).toEqual([
      'templates.overdue.es.body',
    ]);
  });

  it('normalizes interest to basis points and keeps steps as data', () => {
    const result = validateStrategy(
      strategyWith({
        plan: { maxInstallments: 3, minDownPaymentPercent: 20, monthlyInterestPercent: 1.5, graceDays: 2 },
      }),
    );
    expect(result.ok && result.strategy.plan.monthlyInterestBasisPoints).toBe(150);
  });
});
