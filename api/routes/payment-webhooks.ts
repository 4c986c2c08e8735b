// Stripe and Mercado Pago webhooks (issue 12): verified on the raw body, every delivery recorded once in
// provider_events (a repeated one is answered 200 without being handled again), and the payment read back
// from the provider's API before anything is booked: amounts never come from a notification or a browser.
// A payment is booked once (reference `stripe:<payment_intent>` / `mercadopago:<payment id>`, source portal)
// through the same path as POST /v1/accounts/{id}/payments; refunds and chargebacks become payment_reversed.
import { and, eq, inArray } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type Stripe from 'stripe';
import { accounts, providerEvents } from '../../db/schema';
import { createProviderClients } from '../../lib/payments/index';
import type { ProviderName } from '../../lib/payments/config';
import {
  mercadoPagoFactOf,
  MercadoPagoSignatureError,
  verifyMercadoPagoSignature,
} from '../../lib/payments/mercadopago';
import { reopenWithReversal } from '../../lib/payments/reopen';
import { recordReversal } from '../../lib/payments/reversals';
import { paymentFact, stripeFactOf } from '../../lib/payments/stripe';
import type { OutboxRow } from '../../lib/outbox/relay';
import type { AppDeps } from '../app';
import { recordPayment } from '../accounts/payments';
import { ProblemError, unavailable } from '../problem';
import { problemResponses } from '../schemas/common';

/** Webhook bodies are small JSON documents; a larger one is not from the provider. */
const WEBHOOK_BODY_LIMIT = 128 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const answerSchema = {
  200: {
    type: 'object',
    required: ['received'],
    properties: {
      received: { type: 'boolean' },
      duplicate: { type: 'boolean' },
      outcome: { type: 'string' },
    },
  },
  ...problemResponses(400, 401, 503),
} as const;

interface Booking {
  outcome: string;
  paymentRef: string | null;
  accountId: string | null;
  outboxRows: OutboxRow[];
  outboxIds: number[];
}

const nothing = (outcome: string, paymentRef: string | null = null): Booking => ({
  outcome,
  paymentRef,
  accountId: null,
  outboxRows: [],
  outboxIds: [],
});

export function paymentWebhookRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const clients = createProviderClients(deps.config.payments);
  // Signatures cover the exact bytes the provider sent: keep the body raw for these routes only.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  async function accountOf(accountId: string | null) {
    if (!accountId || !UUID.test(accountId)) return null;
    const [account] = await deps.db
      .select({
        id: accounts.id,
        currency: accounts.currency,
        workflowId: accounts.workflowId,
        closedAt: accounts.closedAt,
      })
      .from(accounts)
      .where(eq(accounts.id, accountId));
    return account ?? null;
  }

  async function bookPayment(p: {
    reference: string;
    accountId: string | null;
    amountMinor: number;
    currency: string;
    paidAt: Date;
  }): Promise<Booking> {
    const account = await accountOf(p.accountId);
    if (!account) return nothing('unknown_payment', p.reference);
    const base = { paymentRef: p.reference, accountId: account.id, outboxIds: [] };
    try {
      const result = await recordPayment(deps.db, deps.outbox.taskQueue, account, {
        amountMinor: p.amountMinor,
        currency: p.currency,
        reference: p.reference,
        paidAt: p.paidAt,
        source: 'portal',
      });
      return { ...base, outcome: result.duplicate ? 'already_booked' : 'booked', outboxRows: result.outboxRows };
    } catch (err) {
      // The money arrived but the account cannot take it: recorded for an operator, acknowledged to the provider.
      if (err instanceof ProblemError && (err.status === 409 || err.status === 422))
        return { ...base, outcome: err.status === 409 ? 'account_closed' : 'currency_mismatch', outboxRows: [] };
      throw err;
    }
  }

  async function bookReversals(p: {
    reference: string;
    accountId: string | null;
    reversals: { id: string; amountMinor: number }[];
  }): Promise<Booking> {
    const account = await accountOf(p.accountId);
    if (!account) return nothing('unknown_payment', p.reference);
    const outcomes: string[] = [];
    const outboxIds: number[] = [];
    for (const r of p.reversals) {
      const reversalId = `${p.reference.split(':')[0]}:${r.id}`;
      const result = await recordReversal(deps.db, deps.outbox.taskQueue, account, {
        reference: p.reference,
        reversalId,
        amountMinor: r.amountMinor,
        source: 'portal',
      });
      if (result.status === 'reversed') outboxIds.push(...result.outboxIds);
      if ((result.status === 'account_closed' || result.status === 'duplicate') && account.closedAt) {
        // The payment had closed the account and its run has ended: a new run carries its state on (a failure
        // is a 503, and the provider's retry, a duplicate here, tries again).
        await providerCall(() =>
          reopenWithReversal(
            { db: deps.db, temporal: deps.temporal, taskQueue: deps.config.temporal.taskQueue },
            account.workflowId,
            { reference: p.reference, amountMinor: result.amountMinor, reversalId, source: 'portal' },
          ),
        );
        outcomes.push(result.status === 'duplicate' ? result.status : 'reopened');
        continue;
      }
      outcomes.push(result.status);
    }
    const outcome = outcomes.includes('reopened')
      ? 'reopened'
      : outcomes.includes('reversed')
        ? 'reversed'
        : outcomes.includes('account_closed')
          ? 'account_closed'
          : outcomes.includes('unknown_payment')
            ? 'unknown_payment'
            : outcomes.length > 0
              ? 'already_reversed'
              : 'nothing_to_reverse';
    return { outcome, paymentRef: p.reference, accountId: account.id, outboxRows: [], outboxIds };
  }

  /**
   * Records the delivery (a repeat is a duplicate), handles it, and stores the outcome. A delivery that fails
   * midway (the provider's API or the database not answering) is marked failed and answered 503: the
   * provider retries it, and a failed delivery is handled again when it comes back.
   */
  async function handleOnce(
    provider: ProviderName,
    eventId: string,
    type: string,
    handle: () => Promise<Booking>,
  ): Promise<{ received: true; duplicate: boolean; outcome: string }> {
    const fresh = await deps.db
      .insert(providerEvents)
      .values({ provider, eventId, type })
      .onConflictDoUpdate({
        target: [providerEvents.provider, providerEvents.eventId],
        set: { outcome: 'received', receivedAt: new Date() },
        setWhere: eq(providerEvents.outcome, 'failed'),
      })
      .returning({ id: providerEvents.id });
    const row = fresh[0];
    if (!row) {
      const [known] = await deps.db
        .select({ outcome: providerEvents.outcome })
        .from(providerEvents)
        .where(and(eq(providerEvents.provider, provider), eq(providerEvents.eventId, eventId)));
      return { received: true, duplicate: true, outcome: known?.outcome ?? 'received' };
    }
    let booking: Booking;
    try {
      booking = await handle();
    } catch (err) {
      await deps.db
        .update(providerEvents)
        .set({ outcome: 'failed' })
        .where(inArray(providerEvents.id, [row.id]))
        .catch(() => undefined);
      throw err;
    }
    await deps.db
      .update(providerEvents)
      .set({ outcome: booking.outcome, paymentRef: booking.paymentRef, accountId: booking.accountId })
      .where(eq(providerEvents.id, row.id));
    await deps.outbox.dispatchRows(booking.outboxRows).catch(() => undefined);
    await deps.outbox.dispatchNow(booking.outboxIds).catch(() => undefined);
    return { received: true, duplicate: false, outcome: booking.outcome };
  }

  /** The provider's API not answering is our 503: the provider retries the delivery later. */
  const providerCall = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof ProblemError) throw err;
      const status = (err as { statusCode?: unknown; status?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500 && status !== 429) throw err;
      throw unavailable('The payment provider’s API did not answer; the delivery will be retried.');
    }
  };

  app.post<{ Body: string }>(
    '/v1/webhooks/stripe',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: {
        tags: ['webhooks'],
        summary: 'Stripe events (signed with the Stripe-Signature header over the raw body).',
        security: [],
        headers: {
          type: 'object',
          required: ['stripe-signature'],
          properties: { 'stripe-signature': { type: 'string', minLength: 1, maxLength: 2000 } },
        },
        response: answerSchema,
      },
    },
    async (req: FastifyRequest<{ Body: string }>) => {
      const stripe = clients.stripe;
      const secret = deps.config.payments.stripe?.webhookSecret;
      if (!stripe || !secret) throw unavailable('STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are not configured.');
      const signature = req.headers['stripe-signature'];
      if (typeof signature !== 'string' || signature.length === 0) {
        throw new ProblemError(400, 'Bad Request', 'The Stripe-Signature header is required.', [
          { field: 'headers.stripe-signature', message: 'is required' },
        ]);
      }
      let event: Stripe.Event;
      try {
        event = stripe.webhooks.constructEvent(typeof req.body === 'string' ? req.body : '', signature, secret);
      } catch (err) {
        const kind = (err as { type?: unknown }).type;
        if (kind === 'StripeSignatureVerificationError') {
          throw new ProblemError(401, 'Unauthorized', 'The Stripe-Signature does not sign this body with our secret.', [
            { field: 'headers.stripe-signature', message: 'does not match the body' },
          ]);
        }
        throw new ProblemError(400, 'Bad Request', 'The body is not a Stripe event.');
      }
      if (typeof event.id !== 'string' || typeof event.type !== 'string' || !event.data?.object)
        throw new ProblemError(400, 'Bad Request', 'The body is not a Stripe event.');
      return handleOnce('stripe', event.id, event.type, async () => {
        const fact = await providerCall(() => stripeFactOf(stripe, event));
        switch (fact.kind) {
          case 'ignored':
            return nothing('ignored');
          case 'not_paid':
            return nothing('not_paid', fact.paymentIntentId ? `stripe:${fact.paymentIntentId}` : null);
          case 'payment':
            return bookPayment({ ...fact, reference: `stripe:${fact.paymentIntentId}` });
          case 'reversals': {
            const reference = `stripe:${fact.paymentIntentId}`;
            // The payment first: a refund or dispute event may arrive before the payment's own events.
            const paid = await providerCall(() => paymentFact(stripe, fact.paymentIntentId));
            if (paid.kind === 'payment') {
              const booked = await bookPayment({ ...paid, reference });
              await deps.outbox.dispatchRows(booked.outboxRows).catch(() => undefined);
            }
            const reversed = await bookReversals({ reference, accountId: fact.accountId, reversals: fact.reversals });
            if (!fact.reinstated) return reversed;
            // A won dispute: the money withdrawn came back, booked as a payment of its own.
            const back = await bookPayment({
              reference: `stripe:${fact.reinstated.id}`,
              accountId: fact.accountId,
              amountMinor: fact.reinstated.amountMinor,
              currency: fact.currency,
              paidAt: fact.reinstated.paidAt,
            });
            return { ...back, outcome: back.outcome === 'booked' ? 'reinstated' : back.outcome };
          }
        }
      });
    },
  );

  app.post<{ Body: string; Querystring: { 'data.id'?: string; type?: string; id?: string; topic?: string } }>(
    '/v1/webhooks/mercadopago',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      schema: {
        tags: ['webhooks'],
        summary:
          'Mercado Pago notifications (x-signature: HMAC-SHA256 of data.id, x-request-id and ts); the payment is read back from its API.',
        security: [],
        headers: {
          type: 'object',
          required: ['x-signature', 'x-request-id'],
          properties: {
            'x-signature': { type: 'string', minLength: 1, maxLength: 1000 },
            'x-request-id': { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
        querystring: {
          type: 'object',
          required: ['data.id'],
          properties: {
            'data.id': { type: 'string', minLength: 1, maxLength: 64 },
            type: { type: 'string', maxLength: 64 },
            id: { type: 'string', maxLength: 64 },
            topic: { type: 'string', maxLength: 64 },
          },
        },
        response: answerSchema,
      },
    },
    async (req) => {
      const client = clients.mercadopago;
      const secret = deps.config.payments.mercadopago?.webhookSecret;
      if (!client || !secret)
        throw unavailable('MERCADOPAGO_ACCESS_TOKEN and MERCADOPAGO_WEBHOOK_SECRET are not configured.');
      const dataId = req.query['data.id'];
      if (!dataId) {
        throw new ProblemError(400, 'Bad Request', 'A Mercado Pago notification names its resource in data.id.', [
          { field: 'querystring.data.id', message: 'is required' },
        ]);
      }
      try {
        verifyMercadoPagoSignature({
          xSignature: req.headers['x-signature'],
          xRequestId: req.headers['x-request-id'],
          // Mercado Pago signs alphanumeric ids in lower case.
          dataId: dataId.toLowerCase(),
          secret,
        });
      } catch (err) {
        if (!(err instanceof MercadoPagoSignatureError)) throw err;
        throw new ProblemError(
          401,
          'Unauthorized',
          'The x-signature does not sign this notification with our secret.',
          [{ field: 'headers.x-signature', message: err.reason }],
        );
      }
      let body: Record<string, unknown> = {};
      try {
        const parsed: unknown = JSON.parse(typeof req.body === 'string' && req.body ? req.body : '{}');
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
      } catch {
        throw new ProblemError(400, 'Bad Request', 'The body is not JSON.');
      }
      const type = typeof body.type === 'string' ? body.type : (req.query.type ?? req.query.topic ?? 'unknown');
      const requestId = req.headers['x-request-id'];
      const notificationId =
        typeof body.id === 'number' || typeof body.id === 'string'
          ? String(body.id)
          : `${typeof requestId === 'string' ? requestId : dataId}`;
      const action = typeof body.action === 'string' ? body.action : type;
      return handleOnce('mercadopago', notificationId, action, async () => {
        if (type !== 'payment') return nothing('ignored');
        if (!/^\d{1,20}$/.test(dataId)) return nothing('unknown_payment', `mercadopago:${dataId}`);
        const fact = await providerCall(() => mercadoPagoFactOf(client, dataId));
        const reference = `mercadopago:${fact.paymentId}`;
        if (fact.kind === 'unknown_payment') return nothing('unknown_payment', reference);
        if (fact.kind === 'not_paid') return nothing('not_paid', reference);
        // The payment first (a refund's notification may be the first we hear of it), then its reversals.
        const booked = await bookPayment({ ...fact, reference });
        if (fact.reversals.length === 0 || booked.accountId === null) return booked;
        const reversed = await bookReversals({ reference, accountId: fact.accountId, reversals: fact.reversals });
        return {
          ...reversed,
          outboxRows: booked.outboxRows,
          outboxIds: reversed.outboxIds,
          outcome: booked.outcome === 'booked' ? `booked+${reversed.outcome}` : reversed.outcome,
        };
      });
    },
  );
  return Promise.resolve();
}
