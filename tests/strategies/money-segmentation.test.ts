import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMinor, isAtLeastPercent, parseMinor } from '../../strategies/core/money';
import { assignStrategy, fnv1a } from '../../strategies/segmentation';
import type { Segmentation } from '../../strategies/segmentation';
import { renderTemplate } from '../../strategies/templates';
import { builtinStrategy } from '../../strategies/builtin/index';

describe('money', () => {
  it('parses and formats decimal strings exactly', () => {
    expect(currencyDigits('MXN')).toBe(2);
    expect(currencyDigits('CLP')).toBe(0);
    expect(currencyDigits('COP')).toBe(2);
    expect(parseMinor('1500.00', 2)).toBe(150000);
    expect(parseMinor('0.1', 2)).toBe(10);
    expect(parseMinor('1500.001', 2)).toBeNull();
    expect(parseMinor('150000.00', 0)).toBe(150000);
    expect(parseMinor('1e3', 2)).toBeNull();
    expect(parseMinor('99999999999999999.00', 2)).toBeNull();
    expect(formatMinor(150000, 2)).toBe('1500.00');
    expect(formatMinor(5, 2)).toBe('0.05');
    expect(formatMinor(150000, 0)).toBe('150000');
  });

  it('compares percentages in integer math', () => {
    expect(isAtLeastPercent(30, 100, 30)).toBe(true);
    expect(isAtLeastPercent(29, 100, 30)).toBe(false);
    expect(isAtLeastPercent(1, 3, 33.33)).toBe(true);
  });
});

describe('segmentation', () => {
  const segmentation: Segmentation = {
    rules: [
      { id: 'b2b', when: { kind: 'company', country: 'CO' }, strategy: 'b2b-co' },
      {
        id: 'big-mx',
        when: { country: 'MX', minBalance: '10000.00' },
        strategy: 'consumer-mx',
        challenger: { strategy: 'consumer-mx-v2', percent: 20 },
      },
    ],
    default: { strategy: 'consumer-mx' },
  };
  const facts = {
    accountId: 'A-1',
    kind: 'person' as const,
    country: 'MX',
    balanceMinor: 2_000_000,
    currency: 'MXN',
    daysPastDue: 10,
  };

  it('assigns by the first matching rule, else the default', () => {
    expect(assignStrategy(segmentation, { ...facts, kind: 'company', country: 'CO', currency: 'COP' })).toMatchObject({
      strategyId: 'b2b-co',
      rule: 'b2b',
      arm: 'champion',
    });
    expect(assignStrategy(segmentation, { ...facts, balanceMinor: 100 })).toMatchObject({
      strategyId: 'consumer-mx',
      rule: 'default',
    });
  });

  it('splits champion/challenger by a stable hash close to the configured share', () => {
    expect(fnv1a('a')).toBe(0xe40c292c);
    let challengers = 0;
    for (let i = 0; i < 5000; i++) {
      const a = assignStrategy(segmentation, { ...facts, accountId: `ACC-${i}` });
      expect(assignStrategy(segmentation, { ...facts, accountId: `ACC-${i}` })).toEqual(a);
      if (a.arm === 'challenger') challengers++;
    }
    expect(challengers).toBeGreaterThan(850);
    expect(challengers).toBeLessThan(1150);
  });
});

describe('templates', () => {
  it('renders built-in templates with locale fallback and no code execution', async () => {
    const strategy = builtinStrategy('consumer-mx');
    if (!strategy) throw new Error('missing');
    const es = await renderTemplate(strategy, 'overdue', 'es-MX', {
      debtor: { name: 'Ana' },
      balance: '$1,500.00',
      daysPastDue: 3,
    });
    expect(es.locale).toBe('es');
    expect(es.body).toContain('Hola Ana, tu saldo es $1,500.00');
    const fr = await renderTemplate(strategy, 'overdue', 'fr', { debtor: { name: 'Ana' }, balance: '1' });
    expect(fr.locale).toBe('es');
    const hostile = await renderTemplate(
      { templates: { t: { en: { body: '{{ debtor.constructor.constructor }}' } } } },
      't',
      'en',
      { debtor: { name: 'x' }, balance: '1' },
    );
    expect(hostile.body).toBe('');
  });
});
