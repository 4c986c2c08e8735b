// Payment provider configuration (pure): the routing syntax, which providers an account is offered, and
// Mercado Pago's JSON-number amounts read into minor units without float arithmetic.
import { describe, expect, it } from 'vitest';
import { parseRouting, paymentsConfigFrom, paymentsEnvSchema, providersFor } from '../../lib/payments/config';
import { minorOf } from '../../lib/payments/mercadopago';
import { ConfigError, loadConfig } from '../../workers/config';

const both = paymentsConfigFrom(
  paymentsEnvSchema.parse({ STRIPE_SECRET_KEY: 'sk_test_1', MERCADOPAGO_ACCESS_TOKEN: 'TEST-1' }),
);

describe('payment provider routing', () => {
  it('parses currency and country routes, in order, without repeats', () => {
    expect(parseRouting('MXN:mercadopago,stripe; USD:stripe;CL:mercadopago,mercadopago')).toEqual({
      MXN: ['mercadopago', 'stripe'],
      USD: ['stripe'],
      CL: ['mercadopago'],
    });
    expect(parseRouting('MXN=stripe')).toMatch(/not CODE:provider/);
    expect(parseRouting('MXN:paypal')).toMatch(/unknown provider "paypal"/);
  });

  it('is refused at start with the variable named', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', PAYMENT_PROVIDERS: 'MXN:paypal' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', PAYMENT_PROVIDERS: 'MXN:paypal' })).toThrow(/PAYMENT_PROVIDERS/);
    expect(() => loadConfig({ NODE_ENV: 'test', STRIPE_API_BASE: 'not a url' })).toThrow(/STRIPE_API_BASE/);
  });

  it('offers the country route first, then the currency route, then the default; only providers with keys', () => {
    const routed = { ...both, routing: { MX: ['stripe' as const], MXN: ['mercadopago' as const, 'stripe' as const] } };
    expect(providersFor(routed, 'MXN', 'MX')).toEqual(['stripe']);
    expect(providersFor(routed, 'MXN', 'US')).toEqual(['mercadopago', 'stripe']);
    // A routing that names no route for the currency offers none rather than guessing.
    expect(providersFor(routed, 'EUR', 'ES')).toEqual([]);
    // Without a routing: Mercado Pago first where it settles the currency, Stripe everywhere.
    expect(providersFor(both, 'CLP', 'CL')).toEqual(['mercadopago', 'stripe']);
    expect(providersFor(both, 'EUR', 'ES')).toEqual(['stripe']);
    const stripeOnly = paymentsConfigFrom(paymentsEnvSchema.parse({ STRIPE_SECRET_KEY: 'sk_test_1' }));
    expect(providersFor({ ...stripeOnly, routing: { MXN: ['mercadopago'] } }, 'MXN', 'MX')).toEqual([]);
    expect(providersFor(paymentsConfigFrom(paymentsEnvSchema.parse({})), 'MXN', 'MX')).toEqual([]);
  });
});

describe('Mercado Pago amounts', () => {
  it('reads JSON numbers through their decimal text', () => {
    expect(minorOf(150.5, 'MXN')).toBe(15_050);
    expect(minorOf(0.1 + 0.2, 'MXN')).toBeNull(); // 0.30000000000000004: more digits than the currency has
    expect(minorOf(19_990, 'CLP')).toBe(19_990);
    expect(minorOf(12.5, 'CLP')).toBeNull();
    expect(minorOf(1e21, 'MXN')).toBeNull();
    expect(minorOf(-1, 'MXN')).toBeNull();
    expect(minorOf('150.50', 'MXN')).toBeNull();
  });
});
