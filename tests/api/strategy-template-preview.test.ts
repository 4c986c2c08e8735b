// POST /v1/strategies/template-preview: a draft's templates rendered with sample data in Spanish and English, as
// a sent message resolves and renders them; variables a message does not carry are named; errors at their path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerMx } from '../../strategies/builtin/consumer-mx';
import type { StrategyDefinition } from '../../strategies/definition';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller } from './helpers';

let app: TestApp;
let strategist: string;
let agent: string;

beforeAll(async () => {
  app = await startTestApp();
  strategist = await app.keyFor('strategist');
  agent = await app.keyFor('agent');
});
afterAll(async () => {
  await app?.stop();
});

interface Preview {
  sample: { debtorName: string; balance: string; currency: string; dueDate: string };
  templates: {
    name: string;
    source: string;
    renders: { locale: string; resolvedLocale: string; subject: string | null; body: string; unset: string[] }[];
  }[];
}

describe('POST /v1/strategies/template-preview', () => {
  it('renders every template a step uses in es and en, the draft’s own text before the library’s', async () => {
    const call = caller(app.url);
    const definition: StrategyDefinition = {
      ...consumerMx,
      id: uniqueId('tpl'),
      templates: {
        ...consumerMx.templates,
        overdue: {
          es: { subject: 'Aviso para {{ debtor.name }}', body: 'Debes {{ balance }}. Portal: {{ portalUrl }}' },
          en: { subject: 'Notice for {{ debtor.name }}', body: 'You owe {{ balance }}. Portal: {{ portalUrl }}' },
        },
      },
    };
    const r = await call('POST', '/v1/strategies/template-preview', strategist, { definition });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const body = r.body as Preview;
    expect(body.templates.map((t) => t.name)).toEqual([
      'upcoming',
      'due-today',
      'overdue',
      'overdue-15',
      'prelegal-notice',
    ]);
    const overdue = body.templates.find((t) => t.name === 'overdue');
    expect(overdue?.source).toBe('strategy');
    expect(overdue?.renders).toEqual([
      {
        locale: 'es-MX',
        resolvedLocale: 'es',
        subject: 'Aviso para Ana Pérez',
        body: 'Debes $1,500.00. Portal: https://cobranza.example/portal/muestra',
        unset: [],
      },
      {
        locale: 'en-US',
        resolvedLocale: 'en',
        subject: 'Notice for Ana Pérez',
        body: 'You owe MX$1,500.00. Portal: https://cobranza.example/portal/muestra',
        unset: [],
      },
    ]);

    // A library template, with a sample of the caller's own, names what a sent message leaves empty.
    const lib = await call('POST', '/v1/strategies/template-preview', strategist, {
      definition: { ...definition, templates: {} },
      templates: ['upcoming'],
      locales: ['en-US'],
      sample: { debtorName: 'Bob Stone', balance: '20.50', currency: 'USD', dueDate: '2026-03-10' },
    });
    expect(lib.status, JSON.stringify(lib.body)).toBe(200);
    const upcoming = (lib.body as Preview).templates[0];
    expect(upcoming?.source).toBe('library');
    expect(upcoming?.renders[0]?.subject).toBe('Your payment is due soon');
    expect(upcoming?.renders[0]?.body).toBe(
      'Hi Bob Stone, a reminder that your balance of $20.50 is due on March 10, 2026. Cobranza Ejemplo.',
    );
    expect(upcoming?.renders[0]?.unset).toEqual([]);
    // A variable no message carries is named.
    const odd = await call('POST', '/v1/strategies/template-preview', strategist, {
      definition: {
        ...definition,
        templates: { overdue: { es: { body: 'Hola {{ debtor.nickname }}, {{ daysPastDue }} días' } } },
      },
      templates: ['overdue'],
      locales: ['es-MX'],
    });
    expect(odd.status, JSON.stringify(odd.body)).toBe(200);
    expect((odd.body as Preview).templates[0]?.renders[0]).toMatchObject({
      body: 'Hola , 17 días',
      unset: ['debtor.nickname'],
    });
  });

  it('answers an invalid draft with each error at definition.<path>, an unknown name at its index', async () => {
    const call = caller(app.url);
    const bad = await call('POST', '/v1/strategies/template-preview', strategist, {
      definition: { ...consumerMx, promise: { maxDaysAhead: 15, minPercent: 150, graceDays: 1 } },
    });
    expect(bad.status).toBe(400);
    const fields = (bad.body as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toContain('definition.promise.minPercent');

    const unknown = await call('POST', '/v1/strategies/template-preview', strategist, {
      definition: consumerMx,
      templates: ['overdue', 'no-such-template'],
    });
    expect(unknown.status).toBe(400);
    expect((unknown.body as { errors: unknown[] }).errors).toEqual([
      { field: 'templates[1]', message: 'unknown template "no-such-template"' },
    ]);
  });

  it('is the strategist’s', async () => {
    const r = await caller(app.url)('POST', '/v1/strategies/template-preview', agent, { definition: consumerMx });
    expect(r.status).toBe(403);
  });
});
