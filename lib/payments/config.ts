// Online payment providers' configuration, part of the app's one config schema (workers/config.ts):
// each provider's keys, a base URL for tests (a local server speaking the provider's API), and which
// providers a debtor is offered per currency or country.
import { z } from 'zod';

export const PROVIDER_NAMES = ['stripe', 'mercadopago'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** `MXN:mercadopago,stripe;USD:stripe;CL:mercadopago`: a currency (3 letters) or a country (2) → providers in order. */
export type PaymentRouting = Record<string, ProviderName[]>;

const ROUTE = /^([A-Z]{2,3}):([a-z]+(?:,[a-z]+)*)$/;

export function parseRouting(text: string): PaymentRouting | string {
  const routing: PaymentRouting = {};
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = ROUTE.exec(part);
    if (!match?.[1] || !match[2]) return `"${part}" is not CODE:provider[,provider] (e.g. MXN:mercadopago,stripe)`;
    const names = match[2].split(',');
    const unknown = names.find((n) => !(PROVIDER_NAMES as readonly string[]).includes(n));
    if (unknown) return `unknown provider "${unknown}" (known: ${PROVIDER_NAMES.join(', ')})`;
    routing[match[1]] = [...new Set(names as ProviderName[])];
  }
  return routing;
}

const routingSchema = z.string().transform((text, ctx) => {
  const parsed = parseRouting(text);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

export const paymentsEnvSchema = z.object({
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Tests: a local server speaking Stripe's API, e.g. http://127.0.0.1:12111. */
  STRIPE_API_BASE: z.url().optional(),
  MERCADOPAGO_ACCESS_TOKEN: z.string().min(1).optional(),
  MERCADOPAGO_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** Tests: a local server speaking Mercado Pago's API. */
  MERCADOPAGO_API_BASE: z.url().optional(),
  PAYMENT_PROVIDERS: routingSchema.optional(),
});

export interface PaymentsConfig {
  stripe?: { secretKey: string; webhookSecret?: string; apiBase?: string };
  mercadopago?: { accessToken: string; webhookSecret?: string; apiBase?: string };
  /** Unset: Stripe for every currency, Mercado Pago for the Latin American currencies it serves. */
  routing?: PaymentRouting;
}

export function paymentsConfigFrom(env: z.infer<typeof paymentsEnvSchema>): PaymentsConfig {
  return {
    ...(env.STRIPE_SECRET_KEY
      ? {
          stripe: {
            secretKey: env.STRIPE_SECRET_KEY,
            ...(env.STRIPE_WEBHOOK_SECRET ? { webhookSecret: env.STRIPE_WEBHOOK_SECRET } : {}),
            ...(env.STRIPE_API_BASE ? { apiBase: env.STRIPE_API_BASE } : {}),
          },
        }
      : {}),
    ...(env.MERCADOPAGO_ACCESS_TOKEN
      ? {
          mercadopago: {
            accessToken: env.MERCADOPAGO_ACCESS_TOKEN,
            ...(env.MERCADOPAGO_WEBHOOK_SECRET ? { webhookSecret: env.MERCADOPAGO_WEBHOOK_SECRET } : {}),
            ...(env.MERCADOPAGO_API_BASE ? { apiBase: env.MERCADOPAGO_API_BASE } : {}),
          },
        }
      : {}),
    ...(env.PAYMENT_PROVIDERS ? { routing: env.PAYMENT_PROVIDERS } : {}),
  };
}

/** Currencies Mercado Pago settles (its countries' own): the default routing offers it for these. */
export const MERCADOPAGO_CURRENCIES: ReadonlySet<string> = new Set(['ARS', 'BRL', 'CLP', 'COP', 'MXN', 'PEN', 'UYU']);

/**
 * The providers offered for an account, in order: the country's route, else the currency's, else the
 * default; only providers with keys. Without any key: none (the portal offers the transfer reference).
 */
export function providersFor(config: PaymentsConfig, currency: string, country: string): ProviderName[] {
  const configured = (name: ProviderName) => config[name] !== undefined;
  const routed = config.routing?.[country.toUpperCase()] ?? config.routing?.[currency.toUpperCase()];
  if (routed) return routed.filter(configured);
  if (config.routing) return [];
  const defaults: ProviderName[] = MERCADOPAGO_CURRENCIES.has(currency.toUpperCase())
    ? ['mercadopago', 'stripe']
    : ['stripe'];
  return defaults.filter(configured);
}
