// Paying from the portal against the local Stripe and Mercado Pago servers (the official SDKs speak to
// them): the page offers the providers configured for the account's currency, the form redirects to the
// provider's checkout, the provider's signed webhook books what it confirms (not what the form said), and
// paying the rest by the other provider closes the account `paid`. The transfer reference is always shown.
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { transferReferences } from '../../db/schema';
import { eventually, httpClient } from '../support/http';
import { startMercadoPagoServer, type MercadoPagoServer } from '../support/mercadopago-server';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { startStripeServer, type StripeServer } from '../support/stripe-server';

let app: TestApp;
let db: DbHandle;
let stripe: StripeServer;
let mp: MercadoPagoServer;
let call: ReturnType<typeof httpClient>;
let system: string;

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
    TRANSFER_CLABE: '002010077777777771',
    TRANSFER_BANK_NAME: 'Banco de Prueba',
  });
  stripe.setWebhookUrl(`${app.url}/v1/webhooks/stripe`);
  mp.setWebhookUrl(`${app.url}/v1/webhooks/mercadopago`);
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
  await stripe?.close();
  await mp?.close();
});

async function openedMxn() {
  const timezone = 'America/Mexico_City';
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: {
        externalId: uniqueId('D'),
        name: 'Lucía Gómez',
        kind: 'person',
        email: 'lucia@example.com',
        country: 'MX',
        timezone,
        locale: 'es-MX',
      },
      amount: '1000.00',
      currency: 'MXN',
      dueDate: DateTime.now().setZone(timezone).minus({ days: 10 }).toISODate(),
      strategyId: 'consumer-mx',
    },
    system,
  );
  expect(res.status).toBe(201);
  return res.body as { accountId: string; workflowId: string };
}

const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function pay(url: string, form: Record<string, string>) {
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** The provider's checkout the answer moves the browser on to (meta refresh, and a link). */
async function checkoutUrlIn(res: Response): Promise<string> {
  const html = await res.text();
  const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(html)?.[1] ?? '';
  const link = /data-testid="checkout" href="([^"]+)"/.exec(html)?.[1] ?? '';
  expect(refresh).toBe(link);
  return refresh.replace(/&#38;/g, '&');
}

const view = (accountId: string) => call('GET', `/v1/accounts/${accountId}`, undefined, system);

describe('paying from the portal', () => {
  it('part by Stripe, the rest by Mercado Pago: booked from the providers’ confirmations, the account closes paid', async () => {
    const a = await openedMxn();
    const link = ((await call('GET', `/v1/accounts/${a.accountId}/portal-link`, undefined, system)).body.url ??
      '') as string;
    const accountUrl = `${link}/a/${a.accountId}`;
    const page = await (await fetch(accountUrl)).text();
    // Both providers configured for MXN, in the configured order, and the transfer reference beside them.
    expect(page.indexOf('value="mercadopago"')).toBeGreaterThan(-1);
    expect(page.indexOf('value="stripe"')).toBeGreaterThan(page.indexOf('value="mercadopago"'));
    const reference = /data-testid="transfer-reference">(\d+)</.exec(page)?.[1];
    expect(reference).toMatch(/^\d{10}$/);
    expect(page).toContain('002010077777777771');
    expect(page).toContain('Banco de Prueba');
    const [kept] = await db.db
      .select()
      .from(transferReferences)
      .where(eq(transferReferences.reference, reference ?? ''));
    expect(kept?.currency).toBe('MXN');

    // Amounts the form may not ask: nothing, zero, more than the balance, a provider not offered.
    for (const form of [{ amount: '' }, { amount: '0' }, { amount: '1000.01' }, { amount: '10', provider: 'paypal' }]) {
      const refused = await pay(`${accountUrl}/pay`, { csrf: csrfIn(page), provider: 'stripe', ...form });
      expect(refused.status).toBe(422);
    }

    // 400.00 by Stripe: redirected to the checkout the adapter opened.
    const toStripe = await pay(`${accountUrl}/pay`, { csrf: csrfIn(page), provider: 'stripe', amount: '400' });
    expect(toStripe.status).toBe(200);
    const stripeUrl = await checkoutUrlIn(toStripe);
    expect(stripeUrl.startsWith(stripe.url)).toBe(true);
    const sessionId = stripeUrl.split('/').at(-1) ?? '';
    const session = stripe.sessions.get(sessionId) as { amount_total?: number; success_url?: string } | undefined;
    expect(session?.amount_total).toBe(40000);
    expect(session?.success_url).toBe(`${link}/paid`);
    // A double submit reuses the provider's session (idempotency key).
    const again = await pay(`${accountUrl}/pay`, { csrf: csrfIn(page), provider: 'stripe', amount: '400.00' });
    expect(await checkoutUrlIn(again)).toBe(stripeUrl);
    await stripe.completeCheckout(sessionId);
    const stripeDelivery = stripe.deliveries.at(-1);
    expect(stripeDelivery?.status, stripeDelivery?.body).toBe(200);
    await eventually(
      () => view(a.accountId),
      (r) => r.body.balance?.amount === '600.00',
    );
    const paid = await fetch(`${link}/paid`);
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain('Recibimos tu pago');

    // The rest by Mercado Pago.
    const page2 = await (await fetch(accountUrl)).text();
    expect(page2).toContain('value="600.00"');
    const toMp = await pay(`${accountUrl}/pay`, { csrf: csrfIn(page2), provider: 'mercadopago', amount: '600.00' });
    expect(toMp.status).toBe(200);
    const mpUrl = await checkoutUrlIn(toMp);
    const preferenceId = [...mp.preferences.keys()].find((id) => mpUrl.includes(id)) ?? '';
    expect(preferenceId).not.toBe('');
    await mp.completeCheckout(preferenceId);
    const mpDelivery = mp.deliveries.at(-1);
    expect(mpDelivery?.status, mpDelivery?.body).toBe(200);
    const closed = await eventually(
      () => view(a.accountId),
      // The workflow's own view: under load a read can fall back to the read model, which has no timeline.
      (r) => r.body.status === 'paid' && r.body.source === 'workflow',
    );
    expect(closed.body.status).toBe('paid');
    const payments = (closed.body.timeline as { type: string; reference?: string }[]).filter(
      (e) => e.type === 'payment',
    );
    expect(payments.map((p) => p.reference?.split(':')[0])).toEqual(['stripe', 'mercadopago']);
    const overview = await (await fetch(link)).text();
    expect(overview).toContain('Pagada');
  });
});
