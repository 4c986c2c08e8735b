// The one-click opt-out every email carries, on the real servers: the real Resend SDK sends to the
// local Resend stand-in, the link in what it recorded is followed against the real API.
import { and, eq, inArray } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { signOptOutToken } from '../../lib/links';
import { createDb, type DbHandle } from '../../db/client';
import { debtorChannelStatus, debtors, outboundMessages, workflowOutbox } from '../../db/schema';
import { eventually, httpClient } from '../support/http';
import { startResendServer, type RecordedRequest, type ResendServer } from '../support/resend-server';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { afternoonZone } from '../support/zones';

let app: TestApp;
let resend: ResendServer;
let db: DbHandle;
let call: ReturnType<typeof httpClient>;
let system: string;

/** Due in three days: consumer-mx's preventive email (`upcoming`, day −3) goes out at once. */
async function invoice(debtorId: string, locale: string, currency = 'USD') {
  const timezone = afternoonZone();
  const res = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: uniqueId('F'),
      debtor: {
        externalId: debtorId,
        name: 'Ana Pérez',
        kind: 'person',
        email: 'ana@example.com',
        country: 'US',
        timezone,
        locale,
      },
      amount: '300.00',
      currency,
      dueDate: DateTime.now().setZone(timezone).plus({ days: 3 }).toISODate(),
      strategyId: 'consumer-mx',
    },
    system,
  );
  expect(res.status).toBe(201);
  return res.body as { accountId: string; workflowId: string };
}

function tag(req: RecordedRequest, name: string): string | undefined {
  return ((req.body as { tags?: { name: string; value: string }[] }).tags ?? []).find((t) => t.name === name)?.value;
}

async function sentTo(accountId: string): Promise<RecordedRequest> {
  const found = await eventually(
    () => Promise.resolve(resend.sent.find((r) => tag(r, 'account_id') === accountId)),
    (r) => r !== undefined,
  );
  if (!found) throw new Error(`no email was sent for account ${accountId}`);
  return found;
}

function linkIn(req: RecordedRequest): string {
  const header = (req.body as { headers?: Record<string, string> }).headers?.['List-Unsubscribe'] ?? '';
  return /^<(.+)>$/.exec(header)?.[1] ?? '';
}

async function raw(
  method: string,
  url: string,
  init: { body?: string; type?: string; accept?: string; lang?: string } = {},
) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(init.type ? { 'content-type': init.type } : {}),
      ...(init.accept ? { accept: init.accept } : {}),
      ...(init.lang ? { 'accept-language': init.lang } : {}),
    },
    body: init.body,
  });
  return {
    status: res.status,
    type: res.headers.get('content-type') ?? '',
    cache: res.headers.get('cache-control'),
    text: await res.text(),
  };
}

async function optOutSignals(workflowIds: string[]) {
  return db.db
    .select()
    .from(workflowOutbox)
    .where(and(inArray(workflowOutbox.workflowId, workflowIds), eq(workflowOutbox.signalName, 'optedOut')));
}

async function debtorRow(externalId: string) {
  const [row] = await db.db.select({ id: debtors.id }).from(debtors).where(eq(debtors.externalId, externalId));
  if (!row) throw new Error('debtor not found');
  return row.id;
}

beforeAll(async () => {
  resend = await startResendServer();
  app = await startTestApp({ RESEND_API_KEY: resend.apiKey, RESEND_BASE_URL: resend.url });
  call = httpClient(app.url);
  system = await app.keyFor('system');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await resend?.close();
  await db?.close();
});

describe('opt-out link in every email', () => {
  it('carries the signed link in the body (text and HTML, in the message language) and the RFC 8058 headers', async () => {
    const english = await invoice(uniqueId('D'), 'en-US');
    const spanish = await invoice(uniqueId('D'), 'es-MX');

    const en = await sentTo(english.accountId);
    const url = linkIn(en);
    expect(url).toMatch(
      new RegExp(`^${app.url}/v1/self-service/opt-out\\?token=o1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`),
    );
    const body = en.body as { text: string; html: string; headers: Record<string, string> };
    expect(body.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(body.text).toContain(`To stop receiving these emails: ${url}`);
    expect(body.html).toContain(`<a href="${url}">`);
    // Nothing personal in the link.
    expect(url).not.toMatch(/ana|P%C3%A9rez|example\.com/i);

    const es = await sentTo(spanish.accountId);
    expect((es.body as { text: string }).text).toContain(`Para dejar de recibir estos correos: ${linkIn(es)}`);
    expect(linkIn(es)).not.toBe(url);

    // What was kept is what was sent.
    const [kept] = await db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, english.accountId));
    expect(kept?.bodyText).toBe(body.text);
  });

  it('shows a confirmation page on GET and opts out only on POST, once, for every open account of the debtor', async () => {
    const debtorId = uniqueId('D');
    const usd = await invoice(debtorId, 'en-US', 'USD');
    const mxn = await invoice(debtorId, 'en-US', 'MXN');
    expect(mxn.accountId).not.toBe(usd.accountId);
    const url = linkIn(await sentTo(usd.accountId));
    const id = await debtorRow(debtorId);
    const status = () => db.db.select().from(debtorChannelStatus).where(eq(debtorChannelStatus.debtorId, id));

    // A link scanner's GET changes nothing.
    const shown = await raw('GET', url, { accept: 'text/html' });
    expect(shown.status).toBe(200);
    expect(shown.type).toContain('text/html');
    expect(shown.cache).toBe('no-store');
    expect(shown.text).toContain('<html lang="en">');
    expect(shown.text).toMatch(/<form method="post" action="\/v1\/self-service\/opt-out\?token=o1\.[^"]+">/);
    expect(await status()).toEqual([]);
    expect(await optOutSignals([usd.workflowId, mxn.workflowId])).toEqual([]);

    // The mail client's one-click POST (RFC 8058).
    const first = await raw('POST', url, {
      type: 'application/x-www-form-urlencoded',
      body: 'List-Unsubscribe=One-Click',
    });
    expect(first.status).toBe(200);
    expect(JSON.parse(first.text)).toEqual({ status: 'opted_out', channel: 'email' });
    expect(await status()).toEqual([expect.objectContaining({ channel: 'email', status: 'opted_out' })]);
    const signals = await eventually(
      () => optOutSignals([usd.workflowId, mxn.workflowId]),
      (rows) => rows.length === 2 && rows.every((r) => r.dispatchedAt !== null),
    );
    expect(signals.map((r) => r.workflowId).sort()).toEqual([usd.workflowId, mxn.workflowId].sort());
    expect(signals.every((r) => r.dispatchedAt !== null)).toBe(true);
    expect(signals.map((r) => r.payload)).toEqual([
      { signalArg: { channel: 'email' } },
      { signalArg: { channel: 'email' } },
    ]);

    // Again (an empty POST, then the page's button from a browser): nothing new.
    const again = await raw('POST', url);
    expect(again.status).toBe(200);
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(200);
    const button = await raw('POST', url, {
      type: 'application/x-www-form-urlencoded',
      body: 'List-Unsubscribe=One-Click',
      accept: 'text/html',
    });
    expect(button.status).toBe(200);
    expect(button.type).toContain('text/html');
    expect(button.text).toContain('We will not send you any more collection emails.');
    expect(await optOutSignals([usd.workflowId, mxn.workflowId])).toHaveLength(2);
    expect(await status()).toHaveLength(1);
  });

  it('answers 400 to a tampered, expired or foreign token, the same whether the account exists or not', async () => {
    const debtorId = uniqueId('D');
    const { accountId } = await invoice(debtorId, 'es-MX');
    const url = new URL(linkIn(await sentTo(accountId)));
    const token = url.searchParams.get('token') ?? '';
    const secret = app.config.linkSigningSecret ?? '';
    const [v, payload = '', sig = ''] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ a: crypto.randomUUID(), c: 'email', e: Math.floor(Date.now() / 1000) + 3600 }),
    ).toString('base64url');
    const cases = {
      tampered: `${v}.${forged}.${sig}`,
      signature: `${v}.${payload}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`,
      expired: signOptOutToken({ accountId, channel: 'email', expiresAt: Date.now() - 1000 }, secret),
      otherSecret: signOptOutToken(
        { accountId, channel: 'email', expiresAt: Date.now() + 3_600_000 },
        `${secret}-other`,
      ),
      noAccount: signOptOutToken(
        { accountId: crypto.randomUUID(), channel: 'email', expiresAt: Date.now() + 3_600_000 },
        secret,
      ),
      junk: 'nonsense',
    };
    const answers = new Set<string>();
    for (const [name, bad] of Object.entries(cases)) {
      const target = `${app.url}/v1/self-service/opt-out?token=${encodeURIComponent(bad)}`;
      const post = await raw('POST', target, {
        type: 'application/x-www-form-urlencoded',
        body: 'List-Unsubscribe=One-Click',
      });
      expect(post.status, name).toBe(400);
      expect(post.type, name).toContain('application/problem+json');
      answers.add(JSON.stringify({ ...JSON.parse(post.text), instance: undefined }));
      const get = await raw('GET', target, { accept: 'text/html', lang: 'es-MX,es;q=0.9' });
      expect(get.status, name).toBe(400);
      expect(get.text, name).toContain('Este enlace no es válido o ya venció.');
    }
    expect(answers.size).toBe(1);
    expect((await raw('GET', `${app.url}/v1/self-service/opt-out`)).status).toBe(400);

    // None of them opted anyone out.
    expect(
      await db.db
        .select()
        .from(debtorChannelStatus)
        .where(eq(debtorChannelStatus.debtorId, await debtorRow(debtorId))),
    ).toEqual([]);
  });
});

describe('opt-out routes in the OpenAPI document', () => {
  it('documents the pages as text/html and the one-click form body', async () => {
    const doc = (await call('GET', '/openapi.json', undefined, null)).body;
    const path = doc.paths['/v1/self-service/opt-out'];
    expect(Object.keys(path.get.responses['200'].content)).toEqual(['text/html']);
    expect(Object.keys(path.post.responses['200'].content).sort()).toEqual(['application/json', 'text/html']);
    expect(Object.keys(path.post.responses['400'].content).sort()).toEqual(['application/problem+json', 'text/html']);
    expect(Object.keys(path.post.requestBody.content)).toContain('application/x-www-form-urlencoded');
    expect(path.post.security).toEqual([]);
  });
});
