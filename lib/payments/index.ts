// One narrow adapter over the online payment providers (issue 12): which providers an account is offered,
// and a checkout opened with one of them. Confirmation never comes from here or from the browser: the
// providers' signed webhooks book payments (api/routes/payment-webhooks.ts), reading amounts from their APIs.
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { paymentCheckouts } from '../../db/schema';
import { providersFor, type PaymentsConfig, type ProviderName } from './config';
import { createMercadoPagoCheckout, createMercadoPagoClient, type MercadoPagoClient } from './mercadopago';
import { createStripeCheckout, createStripeClient, stripeServes, type StripeClient } from './stripe';

export type PaymentProviderName = ProviderName;

export interface CheckoutRequest {
  accountId: string;
  debtorId: string;
  /** Minor units of `currency` (integer). */
  amountMinor: number;
  currency: string;
  /** What the debtor sees on the provider's page (no personal data: e.g. "Account 1234 – payment"). */
  description: string;
  successUrl: string;
  cancelUrl: string;
  /** The same key gives back the same checkout (a double click, a retried request). */
  idempotencyKey: string;
  locale: 'es' | 'en';
}

export interface Checkout {
  provider: PaymentProviderName;
  /** Stripe's Checkout Session id (cs_…) or Mercado Pago's preference id. */
  providerRef: string;
  /** Where the debtor's browser goes to pay. */
  url: string;
}

export interface PaymentProviders {
  /** Providers offered for an account, in the configured order; [] without provider keys. */
  forAccount(currency: string, country: string): PaymentProviderName[];
  createCheckout(name: PaymentProviderName, req: CheckoutRequest): Promise<Checkout>;
}

/** The providers' SDK clients, for the webhook routes (null: that provider is not configured). */
export interface ProviderClients {
  stripe: StripeClient | null;
  mercadopago: MercadoPagoClient | null;
}

export class CheckoutRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckoutRefused';
  }
}

/** The app's config (its `payments` part and the public base URL that notifications come back to). */
export interface PaymentsAppConfig {
  payments: PaymentsConfig;
  http?: { publicBaseUrl?: string };
}

export function createProviderClients(config: PaymentsConfig): ProviderClients {
  return {
    stripe: config.stripe ? createStripeClient(config.stripe.secretKey, config.stripe.apiBase) : null,
    mercadopago: config.mercadopago
      ? createMercadoPagoClient(config.mercadopago.accessToken, config.mercadopago.apiBase)
      : null,
  };
}

export function createPaymentProviders(
  config: PaymentsAppConfig,
  db: Db,
  clients: ProviderClients = createProviderClients(config.payments),
): PaymentProviders {
  const base = config.http?.publicBaseUrl?.replace(/\/+$/, '');
  const notificationUrl = base ? `${base}/v1/webhooks/mercadopago` : undefined;
  return {
    forAccount(currency, country) {
      return providersFor(config.payments, currency, country).filter((p) => p !== 'stripe' || stripeServes(currency));
    },
    async createCheckout(name, req) {
      if (!Number.isSafeInteger(req.amountMinor) || req.amountMinor <= 0)
        throw new CheckoutRefused('amountMinor must be a positive integer');
      const [known] = await db
        .select()
        .from(paymentCheckouts)
        .where(eq(paymentCheckouts.idempotencyKey, req.idempotencyKey));
      if (known) return { provider: known.provider, providerRef: known.providerRef, url: known.url };
      let opened: { providerRef: string; url: string };
      if (name === 'stripe') {
        if (!clients.stripe) throw new CheckoutRefused('Stripe is not configured (STRIPE_SECRET_KEY)');
        opened = await createStripeCheckout(clients.stripe, req);
      } else {
        if (!clients.mercadopago)
          throw new CheckoutRefused('Mercado Pago is not configured (MERCADOPAGO_ACCESS_TOKEN)');
        opened = await createMercadoPagoCheckout(clients.mercadopago, req, notificationUrl);
      }
      // Both providers honour the idempotency key, so a race of two requests opens one checkout either way.
      await db
        .insert(paymentCheckouts)
        .values({
          provider: name,
          providerRef: opened.providerRef,
          idempotencyKey: req.idempotencyKey,
          accountId: req.accountId,
          debtorId: req.debtorId,
          amountMinor: req.amountMinor,
          currency: req.currency,
          url: opened.url,
        })
        .onConflictDoNothing();
      return { provider: name, ...opened };
    },
  };
}

export { providersFor, type PaymentsConfig } from './config';
