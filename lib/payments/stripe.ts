// Stripe through its official SDK: Checkout Sessions for the debtor's payment, webhooks verified on the raw
// body (stripe.webhooks.constructEvent), and every amount read back from Stripe's API, never from the event.
import Stripe from 'stripe';
import type { CheckoutRequest } from './index';

export type StripeClient = Stripe;

/** A confirmed fact read from Stripe's API: what to book or reverse. */
export type StripeFact =
  | {
      kind: 'payment';
      paymentIntentId: string;
      accountId: string | null;
      amountMinor: number;
      currency: string;
      paidAt: Date;
    }
  | { kind: 'not_paid'; paymentIntentId: string | null }
  | {
      kind: 'reversals';
      paymentIntentId: string;
      accountId: string | null;
      currency: string;
      /** Each refund or lost/open dispute: its id and the amount it took back. */
      reversals: { id: string; amountMinor: number }[];
      /** A dispute won: the money came back, booked as a payment of its own. */
      reinstated?: { id: string; amountMinor: number; paidAt: Date };
    }
  | { kind: 'ignored' };

/** Points the SDK at a local server speaking Stripe's API when `apiBase` is set (tests). */
export function createStripeClient(secretKey: string, apiBase?: string): Stripe {
  if (!apiBase) return new Stripe(secretKey, { maxNetworkRetries: 2, timeout: 20_000 });
  const url = new URL(apiBase);
  return new Stripe(secretKey, {
    host: url.hostname,
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    protocol: url.protocol === 'https:' ? 'https' : 'http',
    maxNetworkRetries: 0,
    timeout: 10_000,
    telemetry: false,
  });
}

/**
 * Stripe's amounts are in the currency's smallest unit, which for the currencies collected here is ISO 4217's
 * minor unit (MXN, USD, COP, CLP…). The few where Stripe differs (e.g. HUF, TWD, UGX charge in whole units with
 * two zero decimals) are not offered.
 */
const STRIPE_DIFFERENT_UNITS = new Set(['HUF', 'ISK', 'TWD', 'UGX']);
export const stripeServes = (currency: string) => !STRIPE_DIFFERENT_UNITS.has(currency.toUpperCase());

export async function createStripeCheckout(
  stripe: Stripe,
  req: CheckoutRequest,
): Promise<{ providerRef: string; url: string }> {
  const metadata = { accountId: req.accountId, debtorId: req.debtorId };
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'payment',
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: req.currency.toLowerCase(),
            unit_amount: req.amountMinor,
            product_data: { name: req.description },
          },
        },
      ],
      client_reference_id: req.accountId,
      metadata,
      // The payment intent carries the account too: its events and refunds lead back without the session.
      payment_intent_data: { metadata },
      success_url: req.successUrl,
      cancel_url: req.cancelUrl,
      locale: req.locale,
    },
    { idempotencyKey: req.idempotencyKey },
  );
  if (!session.url) throw new Error('Stripe answered a Checkout Session without a URL');
  return { providerRef: session.id, url: session.url };
}

const idOf = (v: string | { id: string } | null | undefined): string | null =>
  typeof v === 'string' ? v : (v?.id ?? null);

const checkedMinor = (amount: number | null | undefined): number | null =>
  typeof amount === 'number' && Number.isSafeInteger(amount) && amount >= 0 ? amount : null;

/** The payment intent as Stripe's API has it: a payment to book when it succeeded. */
export async function paymentFact(stripe: Stripe, paymentIntentId: string): Promise<StripeFact> {
  const intent = await stripe.paymentIntents.retrieve(paymentIntentId);
  const amount = checkedMinor(intent.amount_received);
  if (intent.status !== 'succeeded' || !amount) return { kind: 'not_paid', paymentIntentId };
  return {
    kind: 'payment',
    paymentIntentId: intent.id,
    accountId: intent.metadata?.accountId ?? null,
    amountMinor: amount,
    currency: intent.currency.toUpperCase(),
    paidAt: new Date(intent.created * 1000),
  };
}

/** Refunds and disputes of a charge, as Stripe's API has them now (so out-of-order events agree). */
async function reversalsFact(stripe: Stripe, chargeId: string): Promise<StripeFact> {
  const charge = await stripe.charges.retrieve(chargeId, { expand: ['refunds'] });
  const paymentIntentId = idOf(charge.payment_intent);
  if (!paymentIntentId) return { kind: 'ignored' };
  const reversals: { id: string; amountMinor: number }[] = [];
  for (const refund of charge.refunds?.data ?? []) {
    const amount = checkedMinor(refund.amount);
    if (refund.status === 'succeeded' && amount) reversals.push({ id: refund.id, amountMinor: amount });
  }
  const disputes = await stripe.disputes.list({ charge: chargeId, limit: 100 });
  let reinstated: { id: string; amountMinor: number; paidAt: Date } | undefined;
  for (const dispute of disputes.data) {
    const amount = checkedMinor(dispute.amount);
    if (!amount) continue;
    // The disputed amount is withdrawn when the dispute opens; a won dispute gives it back.
    reversals.push({ id: dispute.id, amountMinor: amount });
    if (dispute.status === 'won') reinstated = { id: dispute.id, amountMinor: amount, paidAt: new Date() };
  }
  return {
    kind: 'reversals',
    paymentIntentId,
    accountId: charge.metadata?.accountId ?? null,
    currency: charge.currency.toUpperCase(),
    reversals,
    ...(reinstated ? { reinstated } : {}),
  };
}

/** What an authentic event means, read back from Stripe's API (the event's own copy may be stale or reordered). */
export async function stripeFactOf(stripe: Stripe, event: Stripe.Event): Promise<StripeFact> {
  if (event.type === 'checkout.session.completed' || event.type === 'checkout.session.async_payment_succeeded') {
    const session = await stripe.checkout.sessions.retrieve(event.data.object.id);
    const intent = idOf(session.payment_intent);
    if (session.payment_status !== 'paid' || !intent) return { kind: 'not_paid', paymentIntentId: intent };
    return paymentFact(stripe, intent);
  }
  if (event.type === 'payment_intent.succeeded') return paymentFact(stripe, event.data.object.id);
  if (event.type === 'charge.refunded') return reversalsFact(stripe, event.data.object.id);
  if (event.type === 'charge.dispute.created' || event.type === 'charge.dispute.closed') {
    const charge = idOf(event.data.object.charge);
    return charge ? reversalsFact(stripe, charge) : { kind: 'ignored' };
  }
  // Authentic events of other kinds: recorded and acknowledged, nothing to book.
  return { kind: 'ignored' };
}

export { Stripe };
