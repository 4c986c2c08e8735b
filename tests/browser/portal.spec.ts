// The debtor portal in a real browser (Debian chromium), on a phone-sized screen: the link is taken from a
// captured message (outbound_messages), the debtor promises a date, pays part by Stripe and the rest by
// Mercado Pago (the local provider servers stand in for both, and sign their webhooks as they do), and
// sees the account closed `paid`. Each page passes axe (no serious or critical violation); screenshots go
// to docs/screenshots/portal-*.png for the README.
//
// It brings up its own app (API + worker) with the providers configured, on the PostgreSQL and Temporal
// that `npm run test:e2e` started (E2E_DATABASE_URL / E2E_TEMPORAL_ADDRESS), or on its own when run alone.
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { expect, test, type Page } from '@playwright/test';
import { outboundMessages } from '../../db/schema';
import { startBenchEnv, type BenchEnv } from '../../scripts/bench/servers';
import { startMercadoPagoServer, type MercadoPagoServer } from '../support/mercadopago-server';
import { startStripeServer, type StripeServer } from '../support/stripe-server';
import { checkPage } from './support';

let env: BenchEnv;
let stripe: StripeServer;
let mp: MercadoPagoServer;

const shots = path.resolve(import.meta.dirname, '../../docs/screenshots');
const log = (line: string) => process.stderr.write(`[portal e2e] ${line}\n`);

test.describe.configure({ mode: 'serial', timeout: 300_000 });
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  if (process.env.E2E_DATABASE_URL) process.env.DATABASE_URL = process.env.E2E_DATABASE_URL;
  if (process.env.E2E_TEMPORAL_ADDRESS) process.env.TEMPORAL_ADDRESS = process.env.E2E_TEMPORAL_ADDRESS;
  stripe = await startStripeServer();
  mp = await startMercadoPagoServer();
  env = await startBenchEnv({
    app: 'child',
    logLevel: 'warn',
    nodeArgs: [],
    log,
    appEnv: {
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
      STRIPE_API_BASE: stripe.url,
      MERCADOPAGO_ACCESS_TOKEN: mp.accessToken,
      MERCADOPAGO_WEBHOOK_SECRET: mp.webhookSecret,
      MERCADOPAGO_API_BASE: mp.url,
      PAYMENT_PROVIDERS: 'MXN:stripe,mercadopago',
      TRANSFER_CLABE: '002010077777777771',
      TRANSFER_BANK_NAME: 'Banco de Prueba',
      LINK_SIGNING_SECRET: `portal-e2e-${crypto.randomUUID()}`,
    },
  });
  stripe.setWebhookUrl(`${env.apiUrl}/v1/webhooks/stripe`);
  mp.setWebhookUrl(`${env.apiUrl}/v1/webhooks/mercadopago`);
});

test.afterAll(async () => {
  await env?.stop();
  await stripe?.close();
  await mp?.close();
});

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${env.apiUrl}${url}`, {
    method,
    headers: { authorization: `Bearer ${env.apiKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** A fixed-offset zone where it is early afternoon now, so the strategy's first email goes out at once. */
function afternoonZone(): string {
  let offset = 14 - new Date().getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -12) offset += 24;
  return offset === 0 ? 'Etc/GMT' : offset > 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

async function shot(page: Page, name: string) {
  await checkPage(page, name);
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

test('a debtor opens the link from a message, promises a date, pays by Stripe and Mercado Pago: paid', async ({
  page,
}) => {
  const timezone = afternoonZone();
  const opened = await api('POST', '/v1/invoices', {
    externalId: `F-${env.runId}`,
    debtor: {
      externalId: `D-${env.runId}`,
      name: 'Lucía Gómez',
      kind: 'person',
      email: 'lucia@example.com',
      country: 'US',
      timezone,
      locale: 'es-MX',
    },
    amount: '1000.00',
    currency: 'MXN',
    dueDate: DateTime.now().setZone(timezone).plus({ days: 3 }).toISODate(),
    strategyId: 'consumer-mx',
  });
  expect(opened.status).toBe(201);
  const accountId = opened.body.accountId as string;

  // The link as the debtor got it: in the captured message (no Resend key here).
  let link = '';
  await expect
    .poll(
      async () => {
        const [m] = await env.db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, accountId));
        link = /(http:\/\/\S+\/portal\/p1\.[A-Za-z0-9_.-]+)/.exec(m?.bodyText ?? '')?.[1] ?? '';
        return link;
      },
      { timeout: 60_000 },
    )
    .toMatch(/\/portal\/p1\./);

  await page.goto(link);
  await expect(page.getByRole('heading', { level: 1, name: 'Tus cuentas' })).toBeVisible();
  await expect(page.locator('main')).toContainText('F-');
  await shot(page, 'portal-overview');

  // English and back: the switch is remembered.
  await page.getByRole('link', { name: 'EN' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your accounts' })).toBeVisible();
  await page.getByRole('link', { name: 'ES' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Tus cuentas' })).toBeVisible();

  await page.getByRole('link', { name: 'Pagar o gestionar' }).click();
  await expect(page.getByTestId('balance')).toContainText('1,000.00');
  await expect(page.locator('#promise-limits')).toContainText('Puedes elegir una fecha hasta el');
  await expect(page.getByTestId('transfer-reference')).toHaveText(/^\d{10}$/);
  await shot(page, 'portal-account');

  // Promise the whole balance in five days.
  const dueDate = DateTime.now().setZone(timezone).plus({ days: 5 }).toISODate() ?? '';
  await page.getByLabel('Fecha en que pagarás').fill(dueDate);
  await page.getByLabel(/Importe que pagarás/).fill('1000.00');
  await page.getByRole('button', { name: 'Registrar promesa' }).click();
  await expect(page.getByRole('status')).toContainText('Registramos tu promesa de pagar');
  await shot(page, 'portal-promise');

  // 400.00 by Stripe: the browser goes to the provider's checkout; the debtor pays there.
  await page.getByLabel(/Importe a pagar/).fill('400');
  await page.getByLabel('Tarjeta (Stripe)').check();
  await page.getByRole('button', { name: 'Continuar al pago' }).click();
  await expect(page).toHaveURL(new RegExp(`^${stripe.url}/c/pay/`));
  const sessionId = page.url().split('/').at(-1) ?? '';
  await stripe.completeCheckout(sessionId);
  const successUrl = (stripe.sessions.get(sessionId) as { success_url: string }).success_url;
  await page.goto(successUrl);
  await expect(page.getByRole('status')).toContainText('Recibimos tu pago');
  await shot(page, 'portal-paid');
  await expect
    .poll(async () => (await api('GET', `/v1/accounts/${accountId}`)).body.balance?.amount, { timeout: 60_000 })
    .toBe('600.00');

  // The rest by Mercado Pago.
  await page.goto(`${link}/a/${accountId}`);
  await expect(page.getByTestId('balance')).toContainText('600.00');
  await page.getByLabel(/Importe a pagar/).fill('600.00');
  await page.getByLabel(/Mercado Pago/).check();
  await page.getByRole('button', { name: 'Continuar al pago' }).click();
  await expect(page).toHaveURL(new RegExp(`^${mp.url}/checkout/`));
  const preferenceId = new URL(page.url()).searchParams.get('pref_id') ?? '';
  await mp.completeCheckout(preferenceId);
  await expect
    .poll(async () => (await api('GET', `/v1/accounts/${accountId}`)).body.status, { timeout: 60_000 })
    .toBe('paid');

  await page.goto(link);
  await expect(page.locator('main')).toContainText('Pagada');
  await shot(page, 'portal-closed');
  const timeline = (await api('GET', `/v1/accounts/${accountId}`)).body.timeline as { type: string; source?: string }[];
  expect(timeline).toContainEqual(expect.objectContaining({ type: 'promise_accepted', source: 'portal' }));
  expect(timeline.filter((e) => e.type === 'payment')).toHaveLength(2);
});
