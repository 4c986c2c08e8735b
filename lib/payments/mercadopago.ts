// Mercado Pago through its official SDK: Checkout Pro preferences for the debtor's payment, notifications
// verified by their x-signature (WebhookSignatureValidator: HMAC-SHA256 of `id:<data.id>;request-id:<x-request-id>;
// ts:<ts>;` under the webhook secret), then the payment read back with the SDK (GET /v1/payments/{id}):
// amounts always come from Mercado Pago's API, never from the notification or the browser.
import { MercadoPagoConfig, MPNotFoundError, Payment, Preference, WebhookSignatureValidator } from 'mercadopago';
// The SDK has no base-URL option: its RestClient prefixes every path with this static (see pointMercadoPagoAt).
import { AppConfig as MercadoPagoSdkConfig } from 'mercadopago/dist/utils/config/index.js';
import { currencyDigits, formatMinor, parseMinor } from '../../strategies/core/money';
import type { CheckoutRequest } from './index';

export interface MercadoPagoClient {
  config: MercadoPagoConfig;
  preference: Preference;
  payment: Payment;
}

const PRODUCTION_BASE = 'https://api.mercadopago.com';

/**
 * Tests only (MERCADOPAGO_API_BASE): every Mercado Pago SDK call of this process goes to a local server speaking
 * its API. The SDK reads one static base URL for all its clients, so this is process-wide by necessity.
 */
export function pointMercadoPagoAt(apiBase: string | undefined): void {
  Object.defineProperty(MercadoPagoSdkConfig, 'BASE_URL', {
    value: (apiBase ?? PRODUCTION_BASE).replace(/\/+$/, ''),
    configurable: true,
    writable: false,
  });
}

export function createMercadoPagoClient(accessToken: string, apiBase?: string): MercadoPagoClient {
  if (apiBase) pointMercadoPagoAt(apiBase);
  const config = new MercadoPagoConfig({ accessToken, options: { timeout: 20_000 } });
  return { config, preference: new Preference(config), payment: new Payment(config) };
}

/** The SDK takes prices as JSON numbers: a decimal of at most the currency's digits is exact there. */
const priceOf = (minor: number, currency: string) => Number(formatMinor(minor, currencyDigits(currency)));

/** A Mercado Pago amount (a JSON number such as 150.5) in minor units, read through its decimal text. */
export function minorOf(amount: unknown, currency: string): number | null {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) return null;
  const text = String(amount);
  return /e/i.test(text) ? null : parseMinor(text, currencyDigits(currency));
}

export async function createMercadoPagoCheckout(
  client: MercadoPagoClient,
  req: CheckoutRequest,
  notificationUrl?: string,
): Promise<{ providerRef: string; url: string }> {
  const preference = await client.preference.create({
    body: {
      items: [
        {
          id: req.accountId,
          title: req.description,
          quantity: 1,
          unit_price: priceOf(req.amountMinor, req.currency),
          currency_id: req.currency,
        },
      ],
      external_reference: req.accountId,
      metadata: { account_id: req.accountId, debtor_id: req.debtorId },
      back_urls: { success: req.successUrl, failure: req.cancelUrl, pending: req.successUrl },
      auto_return: 'approved',
      ...(notificationUrl ? { notification_url: notificationUrl } : {}),
    },
    requestOptions: { idempotencyKey: req.idempotencyKey },
  });
  if (!preference.id || !preference.init_point) throw new Error('Mercado Pago answered a preference without a URL');
  return { providerRef: preference.id, url: preference.init_point };
}

export class MercadoPagoSignatureError extends Error {
  constructor(readonly reason: string) {
    super(`Mercado Pago signature check failed: ${reason}`);
    this.name = 'MercadoPagoSignatureError';
  }
}

/** Throws MercadoPagoSignatureError unless x-signature signs (data.id, x-request-id, ts) with the secret. */
export function verifyMercadoPagoSignature(args: {
  xSignature: string | string[] | undefined;
  xRequestId: string | string[] | undefined;
  dataId: string;
  secret: string;
}): void {
  try {
    WebhookSignatureValidator.validate({
      xSignature: args.xSignature,
      xRequestId: args.xRequestId,
      dataId: args.dataId,
      secret: args.secret,
    });
  } catch (err) {
    const reason = (err as { reason?: unknown }).reason;
    throw new MercadoPagoSignatureError(typeof reason === 'string' ? reason : 'invalid');
  }
}

export type MercadoPagoFact =
  | { kind: 'unknown_payment'; paymentId: string }
  | { kind: 'not_paid'; paymentId: string; status: string }
  | {
      kind: 'payment';
      paymentId: string;
      accountId: string | null;
      currency: string;
      amountMinor: number;
      paidAt: Date;
      /** Refunds (each with its id) and a chargeback of what was left, as the API has them now. */
      reversals: { id: string; amountMinor: number }[];
    };

/** The payment as Mercado Pago's API has it now (out-of-order notifications all read the same truth). */
export async function mercadoPagoFactOf(client: MercadoPagoClient, paymentId: string): Promise<MercadoPagoFact> {
  let payment;
  try {
    payment = await client.payment.get({ id: paymentId });
  } catch (err) {
    if (err instanceof MPNotFoundError) return { kind: 'unknown_payment', paymentId };
    throw err;
  }
  const status = payment.status ?? 'unknown';
  const currency = (payment.currency_id ?? '').toUpperCase();
  const amount = minorOf(payment.transaction_amount, currency);
  const settled = ['approved', 'refunded', 'charged_back', 'in_mediation'].includes(status);
  if (!settled || !amount || !/^[A-Z]{3}$/.test(currency)) return { kind: 'not_paid', paymentId, status };
  const reversals: { id: string; amountMinor: number }[] = [];
  let refunded = 0;
  for (const refund of payment.refunds ?? []) {
    const refundAmount = minorOf(refund.amount, currency);
    if (refund.id === undefined || !refundAmount || (refund.status && refund.status !== 'approved')) continue;
    reversals.push({ id: `refund:${String(refund.id)}`, amountMinor: refundAmount });
    refunded += refundAmount;
  }
  if (status === 'refunded' && amount > refunded) {
    // Refunded in full without the refunds listed: the rest of the payment went back.
    reversals.push({ id: `refunded:${paymentId}`, amountMinor: amount - refunded });
  } else if (status === 'charged_back' && amount > refunded) {
    reversals.push({ id: `chargeback:${paymentId}`, amountMinor: amount - refunded });
  }
  const metadata = payment.metadata as { account_id?: unknown } | undefined;
  const accountId =
    typeof metadata?.account_id === 'string' ? metadata.account_id : (payment.external_reference ?? null);
  return {
    kind: 'payment',
    paymentId: String(payment.id ?? paymentId),
    accountId,
    currency,
    amountMinor: amount,
    paidAt: new Date(payment.date_approved ?? payment.date_created ?? Date.now()),
    reversals,
  };
}
