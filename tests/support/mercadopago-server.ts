// A local stand-in for api.mercadopago.com, so the official SDK is exercised offline: Checkout Pro preferences
// (POST /checkout/preferences, X-Idempotency-Key honoured) and payments (GET /v1/payments/{id}) with Mercado
// Pago's JSON shapes (amounts as JSON numbers, refunds listed on the payment), and notifications signed and
// delivered as Mercado Pago does: POST <notification URL>?data.id=<id>&type=payment with
// `x-signature: ts=<unix seconds>,v1=<hex HMAC-SHA256 of "id:<data.id>;request-id:<x-request-id>;ts:<ts>;">`.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface Notification {
  /** The query string Mercado Pago appends: data.id and type. */
  query: { 'data.id': string; type: string };
  requestId: string;
  body: Json;
}

export interface MercadoPagoDelivery {
  notification: Notification;
  status: number;
  body: string;
}

export interface MercadoPagoServer {
  url: string;
  accessToken: string;
  webhookSecret: string;
  setWebhookUrl(url: string): void;
  requests: { method: string; path: string; idempotencyKey: string | undefined; status: number }[];
  preferences: Map<string, Json>;
  notifications: Notification[];
  deliveries: MercadoPagoDelivery[];
  /** The debtor pays the preference (its price, or `amountMinor`): an approved payment and its notification. */
  completeCheckout(
    preferenceId: string,
    amountMinor?: number,
    opts?: { deliver?: boolean },
  ): Promise<{ paymentId: string; notification: Notification }>;
  /** Refunds all or part of the payment (payment.updated). */
  refund(paymentId: string, amountMinor?: number): Promise<{ refundId: string; notification: Notification }>;
  /** The card holder's bank charges the payment back (status charged_back, payment.updated). */
  chargeback(paymentId: string): Promise<Notification>;
  /** A notification for a payment id Mercado Pago's API does not know (GET answers 404). */
  unknownPayment(): Promise<Notification>;
  deliver(n: Notification, opts?: { secret?: string; signature?: string }): Promise<MercadoPagoDelivery>;
  close(): Promise<void>;
}

/** ISO 4217 digits of the currencies served here (Mercado Pago's prices are decimals in these). */
const DIGITS: Record<string, number> = { ARS: 2, BRL: 2, CLP: 0, COP: 2, MXN: 2, PEN: 2, UYU: 2, USD: 2 };
/** Minor units of a JSON-number price, read through its decimal text (no float arithmetic on money). */
const toMinor = (price: number, currency: string) => {
  const digits = DIGITS[currency] ?? 2;
  const [whole = '0', fraction = ''] = String(price).split('.');
  return Number(whole + fraction.padEnd(digits, '0').slice(0, digits));
};
/** Decimal as Mercado Pago writes it (a JSON number), from integer minor units without float arithmetic. */
const toPrice = (minor: number, currency: string) => {
  const digits = DIGITS[currency] ?? 2;
  const text = String(minor).padStart(digits + 1, '0');
  return Number(digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`);
};

export function mercadoPagoSignature(dataId: string, requestId: string, secret: string, ts = Date.now()): string {
  const seconds = Math.floor(ts / 1000);
  const manifest = `id:${dataId.toLowerCase()};request-id:${requestId};ts:${seconds};`;
  return `ts=${seconds},v1=${createHmac('sha256', secret).update(manifest).digest('hex')}`;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function answer(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID() });
  res.end(JSON.stringify(body));
}

export async function startMercadoPagoServer(opts: { webhookUrl?: string } = {}): Promise<MercadoPagoServer> {
  const accessToken = `TEST-${randomBytes(8).toString('hex')}-${randomBytes(16).toString('hex')}`;
  const webhookSecret = randomBytes(32).toString('hex');
  const collectorId = 1_000_000 + Math.floor(Math.random() * 1_000_000);
  let webhookUrl = opts.webhookUrl;
  let nextPaymentId = 90_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  // Unique like Mercado Pago's own: test files share one database, whose provider_events key on this id.
  let nextNotificationId = 120_000_000_000 + Math.floor(Math.random() * 1_000_000) * 1000;
  const preferences = new Map<string, Json>();
  const payments = new Map<string, Json>();
  const idempotent = new Map<string, Json>();
  const requests: MercadoPagoServer['requests'] = [];
  const notifications: Notification[] = [];
  const deliveries: MercadoPagoDelivery[] = [];

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const idempotencyKey = req.headers['x-idempotency-key'] as string | undefined;
      const record = (status: number) =>
        requests.push({ method: req.method ?? '', path: url.pathname, idempotencyKey, status });
      if (req.headers.authorization !== `Bearer ${accessToken}`) {
        record(401);
        return answer(res, 401, { message: 'invalid access token', error: 'unauthorized', status: 401, cause: [] });
      }
      if (req.method === 'POST' && url.pathname.replace(/\/$/, '') === '/checkout/preferences') {
        const known = idempotencyKey ? idempotent.get(idempotencyKey) : undefined;
        if (known) {
          record(201);
          return answer(res, 201, known);
        }
        const body = JSON.parse(raw || '{}') as Json;
        const items = body.items as Json[] | undefined;
        const item = items?.[0];
        if (!item || typeof item.unit_price !== 'number' || typeof item.currency_id !== 'string') {
          record(400);
          return answer(res, 400, {
            message: 'items.unit_price must be a number',
            error: 'bad_request',
            status: 400,
            cause: [{ code: 'invalid_items', description: 'items.unit_price must be a number' }],
          });
        }
        const preferenceId = `${collectorId}-${randomUUID()}`;
        const preference: Json = {
          id: preferenceId,
          collector_id: collectorId,
          client_id: String(collectorId),
          date_created: new Date().toISOString(),
          items: items.map((i) => ({ ...i, quantity: Number(i.quantity ?? 1) })),
          external_reference: body.external_reference ?? '',
          metadata: body.metadata ?? {},
          back_urls: body.back_urls ?? {},
          auto_return: body.auto_return ?? '',
          notification_url: body.notification_url ?? null,
          operation_type: 'regular_payment',
          init_point: `${`http://${req.headers.host}`}/checkout/v1/redirect?pref_id=${preferenceId}`,
          sandbox_init_point: `${`http://${req.headers.host}`}/checkout/v1/redirect?pref_id=${preferenceId}&sandbox=1`,
        };
        preferences.set(preferenceId, preference);
        if (idempotencyKey) idempotent.set(idempotencyKey, preference);
        record(201);
        return answer(res, 201, preference);
      }
      const match = /^\/v1\/payments\/(\d+)$/.exec(url.pathname);
      if (req.method === 'GET' && match) {
        const payment = payments.get(match[1] ?? '');
        if (!payment) {
          record(404);
          return answer(res, 404, {
            message: 'Payment not found',
            error: 'not_found',
            status: 404,
            cause: [{ code: 2000, description: 'Payment not found', data: null }],
          });
        }
        record(200);
        return answer(res, 200, payment);
      }
      record(404);
      return answer(res, 404, { message: 'resource not found', error: 'not_found', status: 404, cause: [] });
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function notification(paymentId: string, action: string): Notification {
    const n: Notification = {
      query: { 'data.id': paymentId, type: 'payment' },
      requestId: randomUUID(),
      body: {
        id: nextNotificationId++,
        live_mode: false,
        type: 'payment',
        date_created: new Date().toISOString(),
        user_id: collectorId,
        api_version: 'v1',
        action,
        data: { id: paymentId },
      },
    };
    notifications.push(n);
    return n;
  }

  /**
   * Delivers a notification as Mercado Pago does, including its redelivery: an answer other than 2xx (our 503
   * when the payment could not be read back) is delivered again, here after a second and up to 5 times.
   */
  async function deliver(n: Notification, o: { secret?: string; signature?: string } = {}) {
    let delivery = await deliverOnce(n, o);
    for (let attempt = 1; attempt < 5 && (delivery.status >= 500 || delivery.status === 429); attempt++) {
      await new Promise((r) => setTimeout(r, 1000));
      delivery = await deliverOnce(n, o);
    }
    return delivery;
  }

  async function deliverOnce(n: Notification, o: { secret?: string; signature?: string }) {
    if (!webhookUrl) throw new Error('mercadopago-server: no webhook URL set');
    const target = new URL(webhookUrl);
    target.searchParams.set('data.id', n.query['data.id']);
    target.searchParams.set('type', n.query.type);
    const res = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-request-id': n.requestId,
        'x-signature': o.signature ?? mercadoPagoSignature(n.query['data.id'], n.requestId, o.secret ?? webhookSecret),
      },
      body: JSON.stringify(n.body),
    });
    const delivery = { notification: n, status: res.status, body: await res.text() };
    deliveries.push(delivery);
    return delivery;
  }

  function paymentOf(paymentId: string): Json {
    const payment = payments.get(paymentId);
    if (!payment) throw new Error(`mercadopago-server: no payment ${paymentId}`);
    return payment;
  }

  return {
    url,
    accessToken,
    webhookSecret,
    setWebhookUrl(u) {
      webhookUrl = u;
    },
    requests,
    preferences,
    notifications,
    deliveries,
    async completeCheckout(preferenceId, amountMinor, o = {}) {
      const preference = preferences.get(preferenceId);
      if (!preference) throw new Error(`mercadopago-server: no preference ${preferenceId}`);
      const item = (preference.items as Json[])[0] as Json;
      const currency = String(item.currency_id);
      const price = amountMinor === undefined ? Number(item.unit_price) : toPrice(amountMinor, currency);
      const paymentId = String((nextPaymentId += 7));
      const at = new Date().toISOString();
      payments.set(paymentId, {
        id: Number(paymentId),
        date_created: at,
        date_approved: at,
        date_last_updated: at,
        money_release_date: at,
        operation_type: 'regular_payment',
        payment_method_id: 'visa',
        payment_type_id: 'credit_card',
        status: 'approved',
        status_detail: 'accredited',
        currency_id: currency,
        description: item.title,
        live_mode: false,
        collector_id: collectorId,
        external_reference: preference.external_reference,
        metadata: preference.metadata,
        transaction_amount: price,
        transaction_amount_refunded: 0,
        transaction_details: { net_received_amount: price, total_paid_amount: price, installment_amount: price },
        installments: 1,
        refunds: [],
        captured: true,
      });
      const n = notification(paymentId, 'payment.created');
      if (o.deliver !== false) await deliver(n);
      return { paymentId, notification: n };
    },
    async refund(paymentId, amountMinor) {
      const payment = paymentOf(paymentId);
      const currency = String(payment.currency_id);
      const paid = toMinor(Number(payment.transaction_amount), currency);
      const refunded = toMinor(Number(payment.transaction_amount_refunded), currency);
      const amount = amountMinor ?? paid - refunded;
      if (amount <= 0 || amount > paid - refunded) throw new Error('mercadopago-server: refund above what is left');
      const refundId = nextPaymentId++;
      (payment.refunds as Json[]).push({
        id: refundId,
        payment_id: Number(paymentId),
        amount: toPrice(amount, currency),
        status: 'approved',
        source: { id: String(collectorId), name: 'collector', type: 'collector' },
        date_created: new Date().toISOString(),
        unique_sequence_number: null,
        refund_mode: 'standard',
      });
      const total = refunded + amount;
      payment.transaction_amount_refunded = toPrice(total, currency);
      if (total === paid) Object.assign(payment, { status: 'refunded', status_detail: 'refunded' });
      else payment.status_detail = 'partially_refunded';
      const n = notification(paymentId, 'payment.updated');
      await deliver(n);
      return { refundId: String(refundId), notification: n };
    },
    async chargeback(paymentId) {
      Object.assign(paymentOf(paymentId), { status: 'charged_back', status_detail: 'settled' });
      const n = notification(paymentId, 'payment.updated');
      await deliver(n);
      return n;
    },
    async unknownPayment() {
      const n = notification(String((nextPaymentId += 11)), 'payment.created');
      await deliver(n);
      return n;
    },
    deliver,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
