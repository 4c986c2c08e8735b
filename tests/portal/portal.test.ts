// The debtor portal on the real servers: the link a captured message carries opens the debtor's page;
// wrong, expired, revoked and unknown links all get one and the same page; every action goes into the
// account workflow (Updates, signals through the outbox) and its timeline and ledger say `source: portal`.
import { and, eq } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import {
  accountLedger,
  agentTasks,
  debtorChannelStatus,
  outboundMessages,
  portalAttachments,
  portalLinks,
} from '../../db/schema';
import { signPortalToken } from '../../lib/portal/links';
import { eventually, httpClient } from '../support/http';
import { TEST_LINK_SIGNING_SECRET } from '../support/links';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { afternoonZone } from '../support/zones';

let app: TestApp;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let system: string;

const PER_LINK = 40;

beforeAll(async () => {
  app = await startTestApp({ PORTAL_RATE_PER_LINK_PER_MINUTE: String(PER_LINK) });
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

interface Opened {
  accountId: string;
  workflowId: string;
  debtorExternalId: string;
  timezone: string;
  invoiceId: string;
}

/** Due in three days: consumer-mx's preventive email goes out (captured: no Resend key) at once. */
async function opened(opts: { locale?: string; amount?: string } = {}): Promise<Opened> {
  const timezone = afternoonZone();
  const debtorExternalId = uniqueId('D');
  const invoiceId = uniqueId('F');
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: invoiceId,
      debtor: {
        externalId: debtorExternalId,
        name: 'Ana Pérez',
        kind: 'person',
        email: 'ana@example.com',
        country: 'US',
        timezone,
        locale: opts.locale ?? 'es-MX',
      },
      amount: opts.amount ?? '300.00',
      currency: 'USD',
      dueDate: DateTime.now().setZone(timezone).plus({ days: 3 }).toISODate(),
      strategyId: 'consumer-mx',
    },
    system,
  );
  expect(res.status).toBe(201);
  return { ...(res.body as { accountId: string; workflowId: string }), debtorExternalId, timezone, invoiceId };
}

async function linkOf(accountId: string): Promise<string> {
  const res = await call('GET', `/v1/accounts/${accountId}/portal-link`, undefined, system);
  expect(res.status).toBe(200);
  return res.body.url as string;
}

async function page(url: string, init: { method?: string; form?: Record<string, string>; lang?: string } = {}) {
  const res = await fetch(url, {
    method: init.method ?? (init.form ? 'POST' : 'GET'),
    redirect: 'manual',
    headers: {
      ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...(init.lang ? { 'accept-language': init.lang } : {}),
    },
    body: init.form ? new URLSearchParams(init.form).toString() : undefined,
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The link id in a portal URL (`…/portal/p1.<linkId>.<expiry>.<signature>`). */
const linkIdOf = (url: string) => url.split('/portal/')[1]?.split('.')[1] ?? '';
const csrfIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const accountUrl = (link: string, accountId: string) => `${link}/a/${accountId}`;

async function timeline(accountId: string) {
  const res = await call('GET', `/v1/accounts/${accountId}`, undefined, system);
  return (res.body.timeline ?? []) as { type: string; source?: string; [k: string]: unknown }[];
}

async function ledgerEntry(accountId: string, type: string) {
  return eventually(
    async () =>
      (
        await db.db
          .select()
          .from(accountLedger)
          .where(and(eq(accountLedger.accountId, accountId), eq(accountLedger.type, type)))
      )[0],
    (row) => row !== undefined,
  );
}

describe('portal links', () => {
  it('every message carries the debtor’s link, which opens their accounts', async () => {
    const a = await opened();
    const message = await eventually(
      async () => (await db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, a.accountId)))[0],
      (m) => m !== undefined,
    );
    const inMessage = /(http:\/\/\S+\/portal\/p1\.[A-Za-z0-9_.-]+)/.exec(message?.bodyText ?? '')?.[1] ?? '';
    expect(message?.bodyText).toContain(`Paga o gestiona tu cuenta aquí: ${inMessage}`);
    expect(message?.bodyHtml).toContain(`<a href="${inMessage}">`);
    // No name, email or id in it: a random link id, an expiry and a signature.
    expect(inMessage).toMatch(/\/portal\/p1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(inMessage).not.toContain(a.accountId);
    expect(inMessage).not.toMatch(/ana|example\.com/i);

    const fromApi = await linkOf(a.accountId);
    expect(linkIdOf(fromApi)).toBe(linkIdOf(inMessage));
    expect(linkIdOf(fromApi)).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const res = await page(inMessage);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.text).toContain('<html lang="es">');
    expect(res.text.match(/<h1>/g)).toHaveLength(1);
    expect(res.text).toContain('Tus cuentas');
    expect(res.text).toContain(a.invoiceId);
    expect(res.text).toContain('300.00');
    expect(res.text).not.toContain('<script');

    // The language switch, remembered.
    const en = await page(`${inMessage}?lang=en`);
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Your accounts');
    expect(en.headers.get('set-cookie')).toMatch(/portal_lang=en; .*HttpOnly/i);
  });

  it('one link per debtor for all accounts, with the configured expiry', async () => {
    const a = await opened();
    const res = await call('GET', `/v1/accounts/${a.accountId}/portal-link`, undefined, system);
    const expiresAt = DateTime.fromISO(res.body.expiresAt as string);
    expect(Math.abs(expiresAt.diffNow('days').days - 30)).toBeLessThan(0.01);
    const again = await linkOf(a.accountId);
    expect(linkIdOf(again)).toBe(linkIdOf(res.body.url as string));
  });

  it('a wrong, tampered, expired, revoked or unknown link gets one and the same page and status', async () => {
    const a = await opened();
    const link = await linkOf(a.accountId);
    const token = link.split('/portal/')[1] ?? '';
    const [, linkId = '', expiry = '', signature = ''] = token.split('.');
    const base = `${app.url}/portal/`;
    const past = signPortalToken(linkId, Date.now() - 1000, TEST_LINK_SIGNING_SECRET);
    const unknown = signPortalToken('A'.repeat(22), Date.now() + 86_400_000, TEST_LINK_SIGNING_SECRET);
    const forged = signPortalToken(linkId, Date.now() + 86_400_000, 'x'.repeat(40));
    const tampered = `p1.${linkId}.${(parseInt(expiry, 36) + 1000).toString(36)}.${signature}`;
    const urls = [
      `${base}nonsense`,
      `${base}${'a'.repeat(600)}`,
      `${base}${past}`,
      `${base}${unknown}`,
      `${base}${forged}`,
      `${base}${tampered}`,
      `${base}${token}/a/${crypto.randomUUID()}`,
      `${base}${unknown}/a/${a.accountId}`,
    ];
    const answers = await Promise.all(urls.map((u) => page(u)));
    for (const ans of answers) {
      expect(ans.status).toBe(404);
      expect(ans.text).toBe(answers[0]?.text);
    }
    expect(answers[0]?.text).toContain('Enlace no válido');

    // Revoked by an agent holding the account: the old link is that same page; a new one works.
    const agent = await app.keyFor('agent', uniqueId('agent'));
    expect((await call('POST', `/v1/accounts/${a.accountId}/portal-link/revocation`, undefined, agent)).status).toBe(
      404,
    );
    const revoked = await call('POST', `/v1/accounts/${a.accountId}/portal-link/revocation`, undefined, system);
    expect(revoked.status).toBe(204);
    const old = await page(link);
    expect(old.status).toBe(404);
    expect(old.text).toBe(answers[0]?.text);
    const fresh = await linkOf(a.accountId);
    expect(linkIdOf(fresh)).not.toBe(linkId);
    expect((await page(fresh)).status).toBe(200);
    const [row] = await db.db
      .select()
      .from(portalLinks)
      .where(eq(portalLinks.linkId, linkIdOf(fresh)));
    expect(row?.revocations).toBe(1);
  });

  it('an agent reads the link only of accounts assigned to them', async () => {
    const a = await opened();
    const agentId = uniqueId('agent');
    const agent = await app.keyFor('agent', agentId);
    expect((await call('GET', `/v1/accounts/${a.accountId}/portal-link`, undefined, agent)).status).toBe(404);
    const supervisor = await app.keyFor('supervisor');
    const assigned = await call('PUT', `/v1/accounts/${a.accountId}/assignment`, { agentId }, supervisor);
    expect([200, 202]).toContain(assigned.status);
    const res = await call('GET', `/v1/accounts/${a.accountId}/portal-link`, undefined, agent);
    expect(res.status).toBe(200);
    expect(res.body.url).toMatch(/\/portal\/p1\./);
  });

  it('limits requests per link (429 page with Retry-After)', async () => {
    const a = await opened();
    const link = await linkOf(a.accountId);
    const statuses: number[] = [];
    for (let i = 0; i < PER_LINK + 2; i++) statuses.push((await page(link)).status);
    expect(statuses.slice(0, PER_LINK).every((s) => s === 200)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const limited = await page(link);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.text).toContain('<html lang=');
  });
});

describe('portal actions', () => {
  it('promise: the page states the limits; the promise goes through the Update and says source portal', async () => {
    const a = await opened();
    const link = await linkOf(a.accountId);
    const view = await page(accountUrl(link, a.accountId));
    expect(view.status).toBe(200);
    expect(view.text).toMatch(/Puedes elegir una fecha hasta el .+ y un importe de al menos/);
    // No provider keys in this app: the page says so and offers the bank-transfer reference.
    expect(view.text).toContain('El pago en línea no está disponible por ahora');
    expect(view.text).toMatch(/data-testid="transfer-reference">\d{10}</);
    const csrf = csrfIn(view.text);
    expect(csrf).not.toBe('');

    const dueDate = DateTime.now().setZone(a.timezone).plus({ days: 5 }).toISODate() ?? '';
    const noToken = await page(`${accountUrl(link, a.accountId)}/promise`, { form: { amount: '300', dueDate } });
    expect(noToken.status).toBe(403);

    const tooFar = DateTime.now().setZone(a.timezone).plus({ days: 400 }).toISODate() ?? '';
    const refused = await page(`${accountUrl(link, a.accountId)}/promise`, {
      form: { csrf, amount: '300.00', dueDate: tooFar },
    });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('la fecha es demasiado lejana');

    const done = await page(`${accountUrl(link, a.accountId)}/promise`, { form: { csrf, amount: '300.00', dueDate } });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Registramos tu promesa de pagar');
    const entries = await timeline(a.accountId);
    expect(entries).toContainEqual(expect.objectContaining({ type: 'promise_accepted', source: 'portal', dueDate }));
    expect(entries).toContainEqual(expect.objectContaining({ type: 'promise_rejected', source: 'portal' }));
    const ledger = await ledgerEntry(a.accountId, 'promise_accepted');
    expect((ledger?.entry as { source?: string }).source).toBe('portal');
    expect(ledger?.amountMinor).toBe(30000);
  });

  it('plan: offers the policy allows, accepted through the Update with source portal', async () => {
    const a = await opened({ amount: '1200.00' });
    const link = await linkOf(a.accountId);
    const view = await page(accountUrl(link, a.accountId));
    const counts = [...view.text.matchAll(/name="count" value="(\d+)"/g)].map((m) => Number(m[1]));
    expect(counts.length).toBeGreaterThan(0);
    const first = /name="first" value="(\d{4}-\d{2}-\d{2})"/.exec(view.text)?.[1] ?? '';
    const count = counts[0] ?? 2;
    const accepted = await page(`${accountUrl(link, a.accountId)}/plan`, {
      form: { csrf: csrfIn(view.text), count: String(count), first },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.text).toContain('Aceptamos tu plan');
    const entries = await timeline(a.accountId);
    const plan = entries.find((e) => e.type === 'plan_accepted');
    expect(plan?.source).toBe('portal');
    expect((plan?.installments as unknown[]).length).toBe(count);
    // The total covers the balance and the interest per the README's formula.
    const total = Number(plan?.total);
    expect(total).toBeCloseTo(1200 + Number(plan?.interest), 2);
    // An offer the policy does not allow (more installments than it allows) is refused before any Update.
    const tooMany = await page(`${accountUrl(link, a.accountId)}/plan`, {
      form: { csrf: csrfIn(view.text), count: '99', first },
    });
    expect(tooMany.status).toBe(422);
  });

  it('dispute: an invoice, a reason and a PNG kept in PostgreSQL; other file types are refused', async () => {
    const a = await opened();
    const link = await linkOf(a.accountId);
    const view = await page(accountUrl(link, a.accountId));
    const csrf = csrfIn(view.text);
    const post = (file: Blob, name: string) => {
      const form = new FormData();
      form.set('csrf', csrf);
      form.set('invoice', a.invoiceId);
      form.set('reason', 'Ya pagué esta factura');
      form.set('file', file, name);
      return fetch(`${accountUrl(link, a.accountId)}/dispute`, { method: 'POST', body: form });
    };
    const text = await post(new Blob(['not an image'], { type: 'image/png' }), 'fake.png');
    expect(text.status).toBe(422);
    expect(await text.text()).toContain('PDF, JPG o PNG');

    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 1)]);
    const ok = await post(new Blob([png], { type: 'image/png' }), 'receipt.png');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Recibimos tu aclaración');
    const [kept] = await db.db.select().from(portalAttachments).where(eq(portalAttachments.accountId, a.accountId));
    expect(kept?.contentType).toBe('image/png');
    expect(kept?.sizeBytes).toBe(png.length);
    expect(kept?.invoiceExternalId).toBe(a.invoiceId);
    expect(Buffer.compare(kept?.content ?? Buffer.alloc(0), png)).toBe(0);
    const entries = await eventually(
      () => timeline(a.accountId),
      (t) => t.some((e) => e.type === 'dispute_opened'),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ type: 'dispute_opened', source: 'portal', invoiceExternalId: a.invoiceId }),
    );

    const big = await post(new Blob([Buffer.alloc(5 * 1024 * 1024 + 10, 0)]), 'big.pdf');
    expect(big.status).toBe(413);
  });

  it('opt-out of a channel and a call from an agent (a high-priority task, once a day)', async () => {
    const a = await opened();
    const link = await linkOf(a.accountId);
    const view = await page(link);
    const csrf = csrfIn(view.text);
    const out = await page(`${link}/opt-out`, { form: { csrf, channel: 'email' } });
    expect(out.status).toBe(200);
    const [status] = await db.db
      .select()
      .from(debtorChannelStatus)
      .innerJoin(portalLinks, eq(portalLinks.debtorId, debtorChannelStatus.debtorId))
      .where(and(eq(portalLinks.linkId, linkIdOf(link)), eq(debtorChannelStatus.channel, 'email')));
    expect(status?.debtor_channel_status.status).toBe('opted_out');

    for (let i = 0; i < 2; i++) {
      const asked = await page(`${link}/agent`, { form: { csrf, accountId: a.accountId } });
      expect(asked.status).toBe(200);
      expect(asked.text).toContain('Un asesor te llamará pronto');
    }
    const tasks = await db.db.select().from(agentTasks).where(eq(agentTasks.accountId, a.accountId));
    const fromPortal = tasks.filter((t) => t.idempotencyKey.startsWith('portal/'));
    expect(fromPortal).toHaveLength(1);
    expect(fromPortal[0]?.priority).toBe('high');
  });

  it('another debtor’s account through one’s own link is the invalid-link page', async () => {
    const mine = await opened();
    const theirs = await opened();
    const link = await linkOf(mine.accountId);
    const res = await page(accountUrl(link, theirs.accountId));
    expect(res.status).toBe(404);
    expect(res.text).toContain('Enlace no válido');
    const view = await page(link);
    const posted = await page(`${link}/agent`, { form: { csrf: csrfIn(view.text), accountId: theirs.accountId } });
    expect(posted.status).toBe(404);
  });
});
