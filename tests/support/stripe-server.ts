// A local stand-in for api.stripe.com, so the official SDK is exercised offline: the subset of Stripe's API the
// adapter uses (Checkout Sessions, Payment Intents, Charges with refunds, Disputes) with Stripe's JSON shapes,
// form-encoded requests and idempotency keys, and webhooks signed and delivered the way Stripe does
// (`Stripe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" under the endpoint secret>`).
// Tests drive the debtor's side (completeCheckout) and the bank's (refund, dispute) and can redeliver or
// reorder events, or announce payments that no checkout of ours made.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface StripeEvent {
  id: string;
  object: 'event';
  type: string;
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  data: { object: Json };
}

export interface Delivery {
  event: StripeEvent;
  status: number;
  body: string;
}

export interface StripeServer {
  url: string;
  secretKey: string;
  webhookSecret: string;
  /** Where signed events are POSTed (the app's /v1/webhooks/stripe). */
  setWebhookUrl(url: string): void;
  /** Every API request received (method, path, idempotency key). */
  requests: { method: string; path: string; idempotencyKey: string | undefined; status: number }[];
  sessions: Map<string, Json>;
  /** Every event made, in order; deliveries record what the webhook endpoint answered. */
  events: StripeEvent[];
  deliveries: Delivery[];
  /**
   * The debtor pays the session (its amount, or `amountMinor`): a succeeded payment intent and its charge.
   * Sends checkout.session.completed and payment_intent.succeeded unless `deliver: false`; `order: 'reversed'`
   * sends the payment intent's event first.
   */
  completeCheckout(
    sessionId: string,
    amountMinor?: number,
    opts?: { deliver?: boolean; order?: 'normal' | 'reversed' },
  ): Promise<{ paymentIntentId: string; chargeId: string; events: StripeEvent[] }>;
  /** Refunds all or part of a payment (by payment intent or session id) and sends charge.refunded. */
  refund(ref: string, amountMinor?: number): Promise<{ refundId: string; event: StripeEvent }>;
  /** Opens a dispute (chargeback) and sends charge.dispute.created; closeDispute sends charge.dispute.closed. */
  dispute(ref: string, amountMinor?: number): Promise<{ disputeId: string; event: StripeEvent }>;
  closeDispute(disputeId: string, status: 'won' | 'lost'): Promise<StripeEvent>;
  /** A payment made outside any checkout of ours (no account in its metadata), announced by its event. */
  unknownPayment(amountMinor: number, currency: string): Promise<StripeEvent>;
  /** Sends an event (again): Stripe retries until it gets a 2xx, and may deliver twice. */
  deliver(event: StripeEvent, opts?: { secret?: string; signature?: string }): Promise<Delivery>;
  close(): Promise<void>;
}

const API_VERSION = '2026-11-18.endive';
const now = () => Math.floor(Date.now() / 1000);
const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/** Stripe's bracket form encoding (`line_items[0][price_data][currency]=mxn`) back into objects and arrays. */
export function parseStripeForm(body: string): Json {
  const root: Json = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node: Json | unknown[] = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const container = node as Record<string, unknown>;
      if (last) {
        if (Array.isArray(node) && part === '') node.push(value);
        else container[part] = value;
        return;
      }
      const nextIsIndex = /^\d*$/.test(path[i + 1] ?? '');
      container[part] ??= nextIsIndex ? [] : {};
      node = container[part] as Json | unknown[];
    });
  }
  return root;
}

function stripeError(res: ServerResponse, status: number, message: string, extra: Json = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify({ error: { type: 'invalid_request_error', message, ...extra } }));
}

function send(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The `Stripe-Signature` header Stripe sends with a delivery. */
export function stripeSignature(payload: string, secret: string, timestamp = now()): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

export async function startStripeServer(opts: { webhookUrl?: string } = {}): Promise<StripeServer> {
  const secretKey = `sk_test_${randomBytes(18).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(24).toString('base64url')}`;
  let webhookUrl = opts.webhookUrl;
  const sessions = new Map<string, Json>();
  const intents = new Map<string, Json>();
  const charges = new Map<string, Json>();
  const disputes = new Map<string, Json>();
  const idempotent = new Map<string, unknown>();
  const requests: StripeServer['requests'] = [];
  const events: StripeEvent[] = [];
  const deliveries: Delivery[] = [];

  const refundsOf = (charge: Json) => (charge.refunds as { data: Json[] }).data;

  function createSession(form: Json, url: string): Json {
    const items = (form.line_items as Json[] | undefined) ?? [];
    const price = (items[0]?.price_data ?? {}) as Json;
    const amount = Number(price.unit_amount) * Number(items[0]?.quantity ?? 1);
    const sessionId = id('cs');
    const session: Json = {
      id: sessionId,
      object: 'checkout.session',
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: form.cancel_url ?? null,
      client_reference_id: form.client_reference_id ?? null,
      created: now(),
      currency: typeof price.currency === 'string' ? price.currency : 'usd',
      customer: null,
      expires_at: now() + 24 * 3600,
      livemode: false,
      locale: form.locale ?? null,
      metadata: form.metadata ?? {},
      mode: form.mode ?? 'payment',
      payment_intent: null,
      payment_status: 'unpaid',
      status: 'open',
      success_url: form.success_url ?? null,
      url: `${url}/c/pay/${sessionId}`,
      // Kept to give the payment intent its metadata when the debtor pays.
      _intent_metadata: (form.payment_intent_data as Json | undefined)?.metadata ?? {},
    };
    sessions.set(sessionId, session);
    return session;
  }

  const publicSession = (s: Json): Json => {
    const { _intent_metadata: _hidden, ...rest } = s;
    return rest;
  };

  const server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const url = new URL(req.url ?? '/', 'http://localhost');
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      const record = (status: number) =>
        requests.push({ method: req.method ?? '', path: url.pathname, idempotencyKey, status });
      if (req.headers.authorization !== `Bearer ${secretKey}`) {
        record(401);
        return stripeError(res, 401, 'Invalid API Key provided.');
      }
      const base = `http://${req.headers.host}`;
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const key = idempotencyKey ? `sessions:${idempotencyKey}` : undefined;
        const known = key ? idempotent.get(key) : undefined;
        if (known) {
          record(200);
          return send(res, known);
        }
        const form = parseStripeForm(raw);
        const items = form.line_items as Json[] | undefined;
        const price = items?.[0]?.price_data as Json | undefined;
        if (!items?.length || !price || !/^\d+$/.test(String(price.unit_amount)) || !price.currency) {
          record(400);
          return stripeError(res, 400, 'Missing required param: line_items[0][price_data].', { param: 'line_items' });
        }
        if (!form.success_url) {
          record(400);
          return stripeError(res, 400, 'Missing required param: success_url.', { param: 'success_url' });
        }
        const session = publicSession(createSession(form, base));
        if (key) idempotent.set(key, session);
        record(200);
        return send(res, session);
      }
      const match = /^\/v1\/(checkout\/sessions|payment_intents|charges|disputes)\/([\w]+)$/.exec(url.pathname);
      if (req.method === 'GET' && match) {
        const [, kind, objectId = ''] = match;
        const store =
          kind === 'checkout/sessions'
            ? sessions
            : kind === 'payment_intents'
              ? intents
              : kind === 'charges'
                ? charges
                : disputes;
        const found = store.get(objectId);
        if (!found) {
          record(404);
          const noun = kind === 'checkout/sessions' ? 'checkout.session' : (kind ?? '').replace(/s$/, '');
          return stripeError(res, 404, `No such ${noun}: '${objectId}'`, { code: 'resource_missing', param: 'id' });
        }
        record(200);
        // A charge carries its refunds as a list object (what `expand: ['refunds']` asks for).
        return send(res, kind === 'checkout/sessions' ? publicSession(found) : found);
      }
      if (req.method === 'GET' && url.pathname === '/v1/disputes') {
        const charge = url.searchParams.get('charge');
        const data = [...disputes.values()].filter((d) => !charge || d.charge === charge);
        record(200);
        return send(res, { object: 'list', data, has_more: false, url: '/v1/disputes' });
      }
      record(404);
      return stripeError(res, 404, `Unrecognized request URL (${req.method} ${url.pathname}).`);
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function event(type: string, object: Json): StripeEvent {
    const made: StripeEvent = {
      id: id('evt'),
      object: 'event',
      type,
      api_version: API_VERSION,
      created: now(),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: { object: structuredClone(object) },
    };
    events.push(made);
    return made;
  }

  /**
   * Delivers an event as Stripe does, including its retries: an answer other than 2xx (our 503 when the
   * payment could not be read back) is delivered again, here after a second and up to 5 times.
   */
  async function deliver(e: StripeEvent, o: { secret?: string; signature?: string } = {}): Promise<Delivery> {
    let delivery = await deliverOnce(e, o);
    for (let attempt = 1; attempt < 5 && (delivery.status >= 500 || delivery.status === 429); attempt++) {
      await new Promise((r) => setTimeout(r, 1000));
      delivery = await deliverOnce(e, o);
    }
    return delivery;
  }

  async function deliverOnce(e: StripeEvent, o: { secret?: string; signature?: string }): Promise<Delivery> {
    if (!webhookUrl) throw new Error('stripe-server: no webhook URL set');
    const payload = JSON.stringify(e, null, 2);
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        'stripe-signature': o.signature ?? stripeSignature(payload, o.secret ?? webhookSecret),
      },
      body: payload,
    });
    const delivery = { event: e, status: res.status, body: await res.text() };
    deliveries.push(delivery);
    return delivery;
  }

  function pay(amount: number, currency: string, metadata: Json) {
    const intentId = id('pi');
    const chargeId = id('ch');
    const charge: Json = {
      id: chargeId,
      object: 'charge',
      amount,
      amount_captured: amount,
      amount_refunded: 0,
      captured: true,
      created: now(),
      currency,
      disputed: false,
      livemode: false,
      metadata,
      paid: true,
      payment_intent: intentId,
      refunded: false,
      refunds: { object: 'list', data: [], has_more: false, total_count: 0, url: `/v1/charges/${chargeId}/refunds` },
      status: 'succeeded',
    };
    const intent: Json = {
      id: intentId,
      object: 'payment_intent',
      amount,
      amount_received: amount,
      capture_method: 'automatic_async',
      created: now(),
      currency,
      latest_charge: chargeId,
      livemode: false,
      metadata,
      payment_method_types: ['card'],
      status: 'succeeded',
    };
    charges.set(chargeId, charge);
    intents.set(intentId, intent);
    return { intent, charge };
  }

  function chargeFor(ref: string): Json {
    const session = sessions.get(ref);
    const intentId = session ? (session.payment_intent as string | null) : ref;
    const intent = intentId ? intents.get(intentId) : undefined;
    const charge = intent ? charges.get(intent.latest_charge as string) : undefined;
    if (!charge) throw new Error(`stripe-server: no payment for ${ref}`);
    return charge;
  }

  return {
    url,
    secretKey,
    webhookSecret,
    setWebhookUrl(u) {
      webhookUrl = u;
    },
    requests,
    sessions,
    events,
    deliveries,
    async completeCheckout(sessionId, amountMinor, o = {}) {
      const session = sessions.get(sessionId);
      if (!session) throw new Error(`stripe-server: no session ${sessionId}`);
      const amount = amountMinor ?? Number(session.amount_total);
      const { intent, charge } = pay(amount, String(session.currency), session._intent_metadata as Json);
      Object.assign(session, {
        payment_intent: intent.id,
        payment_status: 'paid',
        status: 'complete',
        amount_total: amount,
      });
      const made = [
        event('checkout.session.completed', publicSession(session)),
        event('payment_intent.succeeded', intent),
      ];
      if (o.order === 'reversed') made.reverse();
      if (o.deliver !== false) for (const e of made) await deliver(e);
      return { paymentIntentId: String(intent.id), chargeId: String(charge.id), events: made };
    },
    async refund(ref, amountMinor) {
      const charge = chargeFor(ref);
      const left = Number(charge.amount) - Number(charge.amount_refunded);
      const amount = amountMinor ?? left;
      if (amount <= 0 || amount > left) throw new Error('stripe-server: refund above what is left');
      const refundId = id('re');
      refundsOf(charge).unshift({
        id: refundId,
        object: 'refund',
        amount,
        charge: charge.id,
        created: now(),
        currency: charge.currency,
        payment_intent: charge.payment_intent,
        status: 'succeeded',
      });
      Object.assign(charge, {
        amount_refunded: Number(charge.amount_refunded) + amount,
        refunded: Number(charge.amount_refunded) + amount === Number(charge.amount),
      });
      (charge.refunds as Json).total_count = refundsOf(charge).length;
      const e = event('charge.refunded', charge);
      await deliver(e);
      return { refundId, event: e };
    },
    async dispute(ref, amountMinor) {
      const charge = chargeFor(ref);
      const disputeId = id('dp');
      const dispute: Json = {
        id: disputeId,
        object: 'dispute',
        amount: amountMinor ?? Number(charge.amount) - Number(charge.amount_refunded),
        charge: charge.id,
        created: now(),
        currency: charge.currency,
        livemode: false,
        payment_intent: charge.payment_intent,
        reason: 'fraudulent',
        status: 'needs_response',
      };
      disputes.set(disputeId, dispute);
      charge.disputed = true;
      const e = event('charge.dispute.created', dispute);
      await deliver(e);
      return { disputeId, event: e };
    },
    async closeDispute(disputeId, status) {
      const dispute = disputes.get(disputeId);
      if (!dispute) throw new Error(`stripe-server: no dispute ${disputeId}`);
      dispute.status = status;
      const e = event('charge.dispute.closed', dispute);
      await deliver(e);
      return e;
    },
    async unknownPayment(amountMinor, currency) {
      const { intent } = pay(amountMinor, currency.toLowerCase(), {});
      const e = event('payment_intent.succeeded', intent);
      await deliver(e);
      return e;
    },
    deliver,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
