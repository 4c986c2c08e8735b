// Online payments end to end (issue 12) on the real servers: checkouts opened through the official Stripe and
// Mercado Pago SDKs against local servers speaking their APIs, signed webhooks delivered the way each provider
// does (twice, out of order, before the redirect, for unknown payments, badly signed), payments booked exactly
// once, and refunds and chargebacks reversing them in the account workflow (balance, timeline, promises).
import { and, eq, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { paymentCheckouts, paymentReversals, payments, providerEvents } from '../../db/schema';
import { rawLedgerKpis } from '../../lib/kpis/ledger-kpis';
import { rollupKpis } from '../../lib/kpis/rollups';
import { createPaymentProviders, type CheckoutRequest, type PaymentProviders } from '../../lib/payments/index';
import { accountExplainQuery, accountWorkflowId } from '../../workflows/account.messages';
import { eventually, httpClient } from '../support/http';
import { mercadoPagoSignature, startMercadoPagoServer, type MercadoPagoServer } from '../support/mercadopago-server';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { startStripeServer, stripeSignature, type StripeServer } from '../support/stripe-server';
import { connectTestClient } from '../support/temporal';

let app: TestApp;
let db: DbHandle;
let stripe: StripeServer;
let mp: MercadoPagoServer;
let providers: PaymentProviders;
let call: ReturnType<typeof httpClient>;
let system: string;

async function openAccount(amount = '1000.00') {
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: { externalId: uniqueId('D'), name: 'Lucía Gómez', kind: 'person', email: 'l@example.com', country: 'MX' },
      amount,
      currency: 'MXN',
      dueDate: DateTime.now().setZone('America/Mexico_City').minus({ days: 5 }).toISODate(),
    },
    system,
  );
  expect(res.status).toBe(201);
  const accountId = res.body.accountId as string;
  const [row] = await db.db.execute<{ debtor_id: string }>(
    // The debtor's id as the portal has it (the checkout carries it as metadata).
    sql`select debtor_id from accounts where id = ${accountId}`,
  );
  return { accountId, debtorId: String(row?.debtor_id) };
}

const checkoutFor = (accountId: string, debtorId: string, amountMinor: number): CheckoutRequest => ({
  accountId,
  debtorId,
  amountMinor,
  currency: 'MXN',
  description: 'Pago de su cuenta',
  successUrl: `${app.url}/portal/paid`,
  cancelUrl: `${app.url}/portal/cancelled`,
  idempotencyKey: uniqueId('checkout'),
  locale: 'es',
});

const account = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, system);
const balanceIs = (accountId: string, amount: string) =>
  eventually(
    () => account(accountId),
    (r) => r.body.balance?.amount === amount && r.body.source === 'workflow',
  );
const eventsOf = (provider: 'stripe' | 'mercadopago', ref: string) =>
  db.db
    .select()
    .from(providerEvents)
    .where(and(eq(providerEvents.provider, provider), eq(providerEvents.paymentRef, ref)));
const paymentsOf = (accountId: string) => db.db.select().from(payments).where(eq(payments.accountId, accountId));

beforeAll(async () => {
  stripe = await startStripeServer();
  mp = await startMercadoPagoServer();
  app = await startTestApp({
    STRIPE_SECRET_KEY: stripe.secretKey,
    STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
    STRIPE_API_BASE: stripe.url,
    MERCADOPAGO_ACCESS_TOKEN: mp.accessToken,
    MERCADOPAGO_WEBHOOK_SECRET: mp.webhookSecret,
    MERCADOPAGO_API_BASE: mp.url,
    PAYMENT_PROVIDERS: 'MXN:mercadopago,stripe;USD:stripe',
  });
  stripe.setWebhookUrl(`${app.url}/v1/webhooks/stripe`);
  mp.setWebhookUrl(`${app.url}/v1/webhooks/mercadopago`);
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
  providers = createPaymentProviders(app.config, db.db);
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
  await stripe?.close();
  await mp?.close();
});

describe('routing', () => {
  it('offers the configured providers per currency, in order, and none without keys', () => {
    expect(providers.forAccount('MXN', 'MX')).toEqual(['mercadopago', 'stripe']);
    expect(providers.forAccount('USD', 'US')).toEqual(['stripe']);
    expect(providers.forAccount('CLP', 'CL')).toEqual([]);
    const keyless = createPaymentProviders({ payments: {} }, db.db);
    expect(keyless.forAccount('MXN', 'MX')).toEqual([]);
  });
});

describe('Stripe', () => {
  it('opens a Checkout Session through the SDK, the same one for the same idempotency key', async () => {
    const { accountId, debtorId } = await openAccount();
    const req = checkoutFor(accountId, debtorId, 30_000);
    const checkout = await providers.createCheckout('stripe', req);
    expect(checkout).toMatchObject({ provider: 'stripe', providerRef: expect.stringMatching(/^cs_test_/) });
    expect(checkout.url).toContain(checkout.providerRef);
    const session = stripe.sessions.get(checkout.providerRef);
    expect(session).toMatchObject({
      amount_total: 30_000,
      currency: 'mxn',
      client_reference_id: accountId,
      metadata: { accountId, debtorId },
      locale: 'es',
      success_url: req.successUrl,
    });
    const again = await providers.createCheckout('stripe', req);
    expect(again).toEqual(checkout);
    const creates = stripe.requests.filter(
      (r) => r.path === '/v1/checkout/sessions' && r.idempotencyKey === req.idempotencyKey,
    );
    expect(creates).toHaveLength(1);
    const [row] = await db.db
      .select()
      .from(paymentCheckouts)
      .where(eq(paymentCheckouts.providerRef, checkout.providerRef));
    expect(row).toMatchObject({ accountId, amountMinor: 30_000, currency: 'MXN' });
  });

  it('books a paid checkout once whatever the deliveries: both events, a redelivery, the amount Stripe confirmed', async () => {
    const { accountId, debtorId } = await openAccount();
    const checkout = await providers.createCheckout('stripe', checkoutFor(accountId, debtorId, 30_000));
    // The debtor pays 250.00 though the checkout said 300.00: what Stripe confirms is what is booked.
    const paid = await stripe.completeCheckout(checkout.providerRef, 25_000);
    const reference = `stripe:${paid.paymentIntentId}`;
    expect(stripe.deliveries.slice(-2).map((d) => d.status)).toEqual([200, 200]);
    const again = await stripe.deliver(paid.events[0]!);
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toMatchObject({ received: true, duplicate: true });
    const booked = await paymentsOf(accountId);
    expect(booked.map((p) => [p.reference, p.amountMinor, p.currency])).toEqual([[reference, 25_000, 'MXN']]);
    const recorded = await eventsOf('stripe', reference);
    expect(recorded.map((e) => [e.type, e.outcome]).sort()).toEqual(
      [
        ['checkout.session.completed', 'booked'],
        ['payment_intent.succeeded', 'already_booked'],
      ].sort(),
    );
    const view = await balanceIs(accountId, '750.00');
    expect(view.body.balance.amount).toBe('750.00');
    const entry = (view.body.timeline as { type: string; reference?: string; source?: string }[]).find(
      (e) => e.type === 'payment',
    );
    expect(entry).toMatchObject({ reference, amount: '250.00', source: 'portal' });
  });

  it('a refund that arrives before any payment event books the payment, then reverses part of it', async () => {
    const { accountId, debtorId } = await openAccount();
    const checkout = await providers.createCheckout('stripe', checkoutFor(accountId, debtorId, 40_000));
    // The debtor has paid but Stripe's payment events are late (or lost for now); the refund's comes first.
    const paid = await stripe.completeCheckout(checkout.providerRef, undefined, { deliver: false });
    const reference = `stripe:${paid.paymentIntentId}`;
    const refund = await stripe.refund(paid.paymentIntentId, 10_000);
    expect(stripe.deliveries.at(-1)?.status).toBe(200);
    // Now the payment's events, out of order (payment intent first), and one twice.
    for (const e of [paid.events[1]!, paid.events[0]!, paid.events[1]!])
      expect((await stripe.deliver(e)).status).toBe(200);
    expect((await paymentsOf(accountId)).map((p) => p.amountMinor)).toEqual([40_000]);
    const reversals = await db.db.select().from(paymentReversals).where(eq(paymentReversals.accountId, accountId));
    expect(reversals.map((r) => [r.reference, r.reversalId, r.amountMinor, r.source])).toEqual([
      [reference, `stripe:${refund.refundId}`, 10_000, 'portal'],
    ]);
    const view = await balanceIs(accountId, '700.00');
    const types = (view.body.timeline as { type: string }[]).map((e) => e.type);
    expect(types.filter((t) => t === 'payment' || t === 'payment_reversed')).toEqual(['payment', 'payment_reversed']);
  });

  it('a chargeback reverses the payment: balance back up, timeline payment_reversed, the promise counts net', async () => {
    const { accountId, debtorId } = await openAccount();
    const promise = await call(
      'POST',
      `/v1/accounts/${accountId}/promises`,
      { amount: '500.00', dueDate: DateTime.now().setZone('America/Mexico_City').plus({ days: 5 }).toISODate() },
      system,
    );
    expect(promise.status).toBe(201);
    const checkout = await providers.createCheckout('stripe', checkoutFor(accountId, debtorId, 50_000));
    const paid = await stripe.completeCheckout(checkout.providerRef);
    await balanceIs(accountId, '500.00');
    const temporal = await connectTestClient();
    const handle = temporal.workflow.getHandle(accountWorkflowId(accountId));
    const before = await handle.query(accountExplainQuery);
    expect(before.state.promise?.paidSinceMinor).toBe(50_000);
    const dispute = await stripe.dispute(paid.paymentIntentId);
    expect(stripe.deliveries.at(-1)?.status).toBe(200);
    expect(JSON.parse(stripe.deliveries.at(-1)!.body)).toMatchObject({ outcome: 'reversed' });
    const view = await balanceIs(accountId, '1000.00');
    const reversed = (view.body.timeline as { type: string }[]).find((e) => e.type === 'payment_reversed');
    expect(reversed).toMatchObject({
      reference: `stripe:${paid.paymentIntentId}`,
      amount: '500.00',
      reversalId: `stripe:${dispute.disputeId}`,
      source: 'portal',
    });
    const after = await handle.query(accountExplainQuery);
    expect(after.state.promise?.paidSinceMinor).toBe(0);
    await temporal.connection.close();
  });

  it('a chargeback of the payment that closed the account reopens it in a new run that carries its state', async () => {
    const { accountId, debtorId } = await openAccount('300.00');
    const checkout = await providers.createCheckout('stripe', checkoutFor(accountId, debtorId, 30_000));
    const paid = await stripe.completeCheckout(checkout.providerRef);
    const temporal = await connectTestClient();
    const handle = temporal.workflow.getHandle(accountWorkflowId(accountId));
    expect(await handle.result()).toMatchObject({ status: 'paid', balanceMinor: 0 });
    await eventually(
      () => account(accountId),
      (r) => r.body.status === 'paid',
    );
    const { disputeId } = await stripe.dispute(paid.paymentIntentId);
    expect(JSON.parse(stripe.deliveries.at(-1)!.body)).toMatchObject({ outcome: 'reopened' });
    const view = await eventually(
      () => account(accountId),
      (r) => r.body.source === 'workflow' && r.body.balance?.amount === '300.00' && r.body.status !== 'paid',
    );
    expect(view.body.balance.amount).toBe('300.00');
    expect(view.body.status).not.toBe('paid');
    const types = (view.body.timeline as { type: string }[]).map((e) => e.type);
    // One timeline across both runs: the payment, the close, then the reversal and the reopening.
    expect(types.filter((t) => ['payment', 'closed', 'payment_reversed', 'reopened'].includes(t))).toEqual([
      'payment',
      'closed',
      'payment_reversed',
      'reopened',
    ]);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    // The same chargeback delivered again changes nothing.
    const again = await stripe.deliver(stripe.events.find((e) => e.data.object.id === disputeId)!);
    expect(JSON.parse(again.body)).toMatchObject({ duplicate: true });
    const rows = await db.db.select().from(paymentReversals).where(eq(paymentReversals.accountId, accountId));
    expect(rows).toHaveLength(1);
    await temporal.connection.close();
  });

  it('answers 200 for a payment no checkout of ours made, and books nothing', async () => {
    const event = await stripe.unknownPayment(12_345, 'MXN');
    const delivery = stripe.deliveries.at(-1)!;
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toMatchObject({ received: true, outcome: 'unknown_payment' });
    const [row] = await db.db.select().from(providerEvents).where(eq(providerEvents.eventId, event.id));
    expect(row).toMatchObject({ outcome: 'unknown_payment', accountId: null });
    const booked = await db.db.select().from(payments).where(eq(payments.amountMinor, 12_345));
    expect(booked).toHaveLength(0);
  });

  it('refuses a bad or missing signature (401/400) and records and books nothing', async () => {
    const { accountId, debtorId } = await openAccount();
    const checkout = await providers.createCheckout('stripe', checkoutFor(accountId, debtorId, 20_000));
    const paid = await stripe.completeCheckout(checkout.providerRef, undefined, { deliver: false });
    const forged = await stripe.deliver(paid.events[0]!, { secret: 'whsec_not_ours' });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body)).toMatchObject({ status: 401, errors: [{ field: 'headers.stripe-signature' }] });
    const unsigned = await stripe.deliver(paid.events[1]!, { signature: '' });
    expect(unsigned.status).toBe(400);
    // A valid signature of other bytes: the body was altered on the way.
    const tampered = await fetch(`${app.url}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'stripe-signature': stripeSignature('{}', stripe.webhookSecret),
      },
      body: JSON.stringify(paid.events[0]),
    });
    expect(tampered.status).toBe(401);
    const recorded = await db.db.select().from(providerEvents).where(eq(providerEvents.eventId, paid.events[0]!.id));
    expect(recorded).toHaveLength(0);
    expect(await paymentsOf(accountId)).toHaveLength(0);
  });
});

describe('Mercado Pago', () => {
  it('opens a preference through the SDK and books the approved payment once, however often notified', async () => {
    const { accountId, debtorId } = await openAccount();
    const req = checkoutFor(accountId, debtorId, 35_050);
    const checkout = await providers.createCheckout('mercadopago', req);
    expect(checkout.provider).toBe('mercadopago');
    expect(checkout.url).toContain(checkout.providerRef);
    const preference = mp.preferences.get(checkout.providerRef);
    expect(preference).toMatchObject({
      external_reference: accountId,
      metadata: { account_id: accountId, debtor_id: debtorId },
      items: [{ unit_price: 350.5, currency_id: 'MXN', quantity: 1 }],
    });
    expect(mp.requests.find((r) => r.path.startsWith('/checkout/preferences'))?.idempotencyKey).toBe(
      req.idempotencyKey,
    );
    const paid = await mp.completeCheckout(checkout.providerRef);
    expect(mp.deliveries.at(-1)?.status).toBe(200);
    const reference = `mercadopago:${paid.paymentId}`;
    // Mercado Pago retries a notification it thinks was missed, and also notifies `payment.updated` later.
    const again = await mp.deliver(paid.notification);
    expect(JSON.parse(again.body)).toMatchObject({ received: true, duplicate: true });
    const booked = await paymentsOf(accountId);
    expect(booked.map((p) => [p.reference, p.amountMinor])).toEqual([[reference, 35_050]]);
    await balanceIs(accountId, '649.50');
  });

  it('a partial refund and then a chargeback of the rest reverse the payment, each once', async () => {
    const { accountId, debtorId } = await openAccount();
    const checkout = await providers.createCheckout('mercadopago', checkoutFor(accountId, debtorId, 60_000));
    const paid = await mp.completeCheckout(checkout.providerRef);
    await balanceIs(accountId, '400.00');
    const refund = await mp.refund(paid.paymentId, 15_000);
    expect(JSON.parse(mp.deliveries.at(-1)!.body)).toMatchObject({ outcome: 'reversed' });
    await mp.deliver(refund.notification);
    await balanceIs(accountId, '550.00');
    await mp.chargeback(paid.paymentId);
    const view = await balanceIs(accountId, '1000.00');
    const reversals = (view.body.timeline as { type: string; amount?: string }[])
      .filter((e) => e.type === 'payment_reversed')
      .map((e) => e.amount);
    expect(reversals).toEqual(['150.00', '450.00']);
    const rows = await db.db.select().from(paymentReversals).where(eq(paymentReversals.accountId, accountId));
    expect(rows.map((r) => r.reversalId).sort()).toEqual(
      [`mercadopago:refund:${refund.refundId}`, `mercadopago:chargeback:${paid.paymentId}`].sort(),
    );
    // The ledger's KPIs count collected net of reversals: this account's 600.00 came back in full.
    const [day] = await db.db.execute<{ paid: string | null }>(
      sql`select sum(paid_minor)::text as paid from kpi_account_days where account_id = ${accountId}`,
    );
    expect(day?.paid).toBe('0');
    const today = DateTime.now().setZone('America/Mexico_City');
    const q = {
      from: today.minus({ days: 1 }).toISODate() ?? '',
      to: today.plus({ days: 1 }).toISODate() ?? '',
      groupBy: [],
      currency: 'MXN',
    };
    expect(await rollupKpis(db.db, q)).toEqual(await rawLedgerKpis(db.db, q));
  });

  it('a notification for a payment Mercado Pago does not know is answered 200 and recorded as unknown', async () => {
    const n = await mp.unknownPayment();
    const delivery = mp.deliveries.at(-1)!;
    expect(delivery.status).toBe(200);
    expect(JSON.parse(delivery.body)).toMatchObject({ outcome: 'unknown_payment' });
    const [row] = await eventsOf('mercadopago', `mercadopago:${n.query['data.id']}`);
    expect(row).toMatchObject({ outcome: 'unknown_payment', type: 'payment.created' });
  });

  it('refuses a bad signature (401) or a missing data.id (400), and books nothing', async () => {
    const { accountId, debtorId } = await openAccount();
    const checkout = await providers.createCheckout('mercadopago', checkoutFor(accountId, debtorId, 10_000));
    const paid = await mp.completeCheckout(checkout.providerRef, undefined, { deliver: false });
    const forged = await mp.deliver(paid.notification, { secret: 'not-our-secret' });
    expect(forged.status).toBe(401);
    const unsigned = await mp.deliver(paid.notification, { signature: 'ts=1,v1=' });
    expect(unsigned.status).toBe(401);
    const noId = await fetch(`${app.url}/v1/webhooks/mercadopago?type=payment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': 'ts=1,v1=00', 'x-request-id': 'r' },
      body: '{}',
    });
    expect(noId.status).toBe(400);
    expect(await paymentsOf(accountId)).toHaveLength(0);
    const recorded = await eventsOf('mercadopago', `mercadopago:${paid.paymentId}`);
    expect(recorded).toHaveLength(0);
  });
});

describe('malformed deliveries', () => {
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(`${app.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('are 400, 401, 413 or 415 problems, or a recorded 200, never a 500', async () => {
    const signed = (body: string) => ({ 'stripe-signature': stripeSignature(body, stripe.webhookSecret) });
    expect((await post('/v1/webhooks/stripe', 'not json', signed('not json'))).status).toBe(400);
    expect((await post('/v1/webhooks/stripe', '{"id":1}', signed('{"id":1}'))).status).toBe(400);
    expect((await post('/v1/webhooks/stripe', '[]', signed('[]'))).status).toBe(400);
    const plain = await fetch(`${app.url}/v1/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...signed('x') },
      body: 'x',
    });
    expect(plain.status).toBe(415);
    const huge = JSON.stringify({ id: 'evt_x', padding: 'x'.repeat(200_000) });
    expect((await post('/v1/webhooks/stripe', huge, signed(huge))).status).toBe(413);
    // An authentic event of a kind we do not act on: recorded, acknowledged.
    const other = JSON.stringify({
      id: uniqueId('evt'),
      object: 'event',
      type: 'customer.created',
      data: { object: { id: 'cus_1' } },
    });
    const ignored = await post('/v1/webhooks/stripe', other, signed(other));
    expect(ignored.status).toBe(200);
    expect(await ignored.json()).toMatchObject({ outcome: 'ignored' });

    const mpSigned = (dataId: string, requestId = uniqueId('req')) => ({
      'x-request-id': requestId,
      'x-signature': mercadoPagoSignature(dataId, requestId, mp.webhookSecret),
    });
    expect((await post('/v1/webhooks/mercadopago?data.id=123&type=payment', '{', mpSigned('123'))).status).toBe(400);
    const merchantOrder = await post(
      '/v1/webhooks/mercadopago?data.id=456&type=merchant_order',
      JSON.stringify({
        id: uniqueId('n'),
        type: 'merchant_order',
        action: 'merchant_order.updated',
        data: { id: '456' },
      }),
      mpSigned('456'),
    );
    expect(merchantOrder.status).toBe(200);
    expect(await merchantOrder.json()).toMatchObject({ outcome: 'ignored' });
    const alnum = await post(
      '/v1/webhooks/mercadopago?data.id=AbC9&type=payment',
      JSON.stringify({ id: uniqueId('n'), type: 'payment', action: 'payment.created', data: { id: 'AbC9' } }),
      mpSigned('AbC9'),
    );
    expect(alnum.status).toBe(200);
    expect(await alnum.json()).toMatchObject({ outcome: 'unknown_payment' });
    const tooLong = await post(`/v1/webhooks/mercadopago?data.id=${'9'.repeat(65)}`, '{}', mpSigned('9'));
    expect(tooLong.status).toBe(400);

    const { accountId } = await openAccount();
    const odd = await call(
      'POST',
      `/v1/accounts/${accountId}/payments/${encodeURIComponent('a/b?c#d:é')}/reversal`,
      {},
      system,
    );
    expect(odd.status).toBe(404);
    const blank = await call('POST', `/v1/accounts/${accountId}/payments/x/reversal`, { reversalId: '   ' }, system);
    expect(blank.status).toBe(400);
  });
});

describe('a failed run started again', () => {
  it('knows the reversals as well as the invoices and payments', async () => {
    const debtor = {
      externalId: uniqueId('D'),
      name: 'Rosa Díaz',
      kind: 'person',
      email: 'r@example.com',
      country: 'MX',
    };
    const invoice = (amount: string) => ({
      externalId: uniqueId('F'),
      debtor,
      amount,
      currency: 'MXN',
      dueDate: DateTime.now().setZone('America/Mexico_City').minus({ days: 5 }).toISODate(),
    });
    const opened = await call('POST', '/v1/invoices', invoice('1000.00'), system);
    const { accountId, workflowId } = opened.body as { accountId: string; workflowId: string };
    const [row] = await db.db.execute<{ debtor_id: string }>(
      sql`select debtor_id from accounts where id = ${accountId}`,
    );
    const checkout = await providers.createCheckout('stripe', checkoutFor(accountId, String(row?.debtor_id), 30_000));
    const paid = await stripe.completeCheckout(checkout.providerRef);
    await stripe.refund(paid.paymentIntentId, 10_000);
    await balanceIs(accountId, '800.00');
    const temporal = await connectTestClient();
    const handle = temporal.workflow.getHandle(workflowId);
    await handle.terminate('test: a run that failed');
    // The debtor's next invoice starts a new run with every invoice, payment and reversal of the account.
    expect((await call('POST', '/v1/invoices', invoice('500.00'), system)).status).toBe(201);
    const view = await balanceIs(accountId, '1300.00');
    expect(view.body.balance.amount).toBe('1300.00');
    await temporal.connection.close();
  });
});

describe('POST /v1/accounts/{id}/payments/{reference}/reversal', () => {
  it('reverses a booked payment once per reversal id, within what is left, for system and supervisor keys only', async () => {
    const { accountId } = await openAccount();
    const reference = uniqueId('ERP');
    const paid = await call(
      'POST',
      `/v1/accounts/${accountId}/payments`,
      { amount: '400.00', currency: 'MXN', reference },
      system,
    );
    expect(paid.status).toBe(202);
    await balanceIs(accountId, '600.00');
    const path = `/v1/accounts/${accountId}/payments/${encodeURIComponent(reference)}/reversal`;
    const agent = await app.keyFor('agent', uniqueId('agent'));
    expect((await call('POST', path, { amount: '10.00' }, agent)).status).toBe(403);
    const supervisor = await app.keyFor('supervisor');
    const first = await call('POST', path, { amount: '100.00', reversalId: 'bounce-1', reason: 'bounced' }, supervisor);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ amount: '100.00', reversalId: 'bounce-1', duplicate: false });
    const repeat = await call('POST', path, { amount: '100.00', reversalId: 'bounce-1' }, supervisor);
    expect(repeat.body).toMatchObject({ duplicate: true });
    const tooMuch = await call('POST', path, { amount: '300.01', reversalId: 'bounce-2' }, system);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.errors).toEqual([expect.objectContaining({ field: 'amount' })]);
    const bad = await call('POST', path, { amount: '1.001' }, system);
    expect(bad.status).toBe(400);
    const unknown = await call('POST', `/v1/accounts/${accountId}/payments/nope/reversal`, {}, system);
    expect(unknown.status).toBe(404);
    const rest = await call('POST', path, { reversalId: 'bounce-3' }, system);
    expect(rest.body).toMatchObject({ amount: '300.00' });
    expect((await call('POST', path, { reversalId: 'bounce-4' }, system)).status).toBe(409);
    const view = await balanceIs(accountId, '1000.00');
    const reversed = (view.body.timeline as { type: string; amount?: string; source?: string }[]).filter(
      (e) => e.type === 'payment_reversed',
    );
    expect(reversed.map((e) => e.amount)).toEqual(['100.00', '300.00']);
    expect(reversed.every((e) => e.source === undefined)).toBe(true);
  });
});
