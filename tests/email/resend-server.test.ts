// The Resend stand-in itself: it must refuse what Resend's description refuses, or the sender
// tests would pass against requests the real API rejects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailEvent, startResendServer, validateWebhookEvent, type ResendServer } from '../support/resend-server';

let server: ResendServer;
let clock = Date.parse('2026-03-12T10:00:00Z');

beforeAll(async () => {
  server = await startResendServer({ now: () => clock });
});
afterAll(async () => {
  await server.close();
});

const valid = { from: 'Cobranzas <cobranzas@example.com>', to: ['ana@example.com'], subject: 'Hola', text: 'Hola' };

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('Resend stand-in', () => {
  it('answers 422 missing_required_field without from', async () => {
    const { from: _from, ...noFrom } = valid;
    expect(await post('/emails', noFrom)).toMatchObject({
      status: 422,
      body: { name: 'missing_required_field', statusCode: 422 },
    });
  });

  it('answers 422 to fields the description does not name and to malformed tags', async () => {
    expect((await post('/emails', { ...valid, replyTo: 'x@example.com' })).status).toBe(422);
    expect((await post('/emails', { ...valid, tags: [{ name: 'account', value: 'a:1' }] })).status).toBe(422);
    expect((await post('/emails', { ...valid, to: [] })).status).toBe(422);
  });

  it('checks the API key', async () => {
    const res = await fetch(`${server.url}/emails`, { method: 'POST', body: JSON.stringify(valid) });
    expect(res.status).toBe(401);
    expect((await post('/emails', valid, { authorization: 'Bearer re_other' })).status).toBe(403);
  });

  it('answers 400 to an idempotency key longer than 256 characters', async () => {
    expect(await post('/emails', valid, { 'idempotency-key': 'k'.repeat(257) })).toMatchObject({
      status: 400,
      body: { name: 'invalid_idempotency_key' },
    });
  });

  it('sends batches and replays them by idempotency key', async () => {
    const batch = [valid, { ...valid, to: 'luis@example.com' }];
    const first = await post('/emails/batch', batch, { 'idempotency-key': 'batch-1' });
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(await post('/emails/batch', batch, { 'idempotency-key': 'batch-1' })).toEqual(first);
    expect((await post('/emails/batch', [valid], { 'idempotency-key': 'batch-1' })).status).toBe(409);
    expect((await post('/emails/batch', new Array(101).fill(valid))).status).toBe(422);
  });

  it('forgets idempotency keys after 24 hours', async () => {
    const first = await post('/emails', valid, { 'idempotency-key': 'expiring' });
    clock += 24 * 60 * 60 * 1000 + 1;
    const later = await post('/emails', valid, { 'idempotency-key': 'expiring' });
    expect(later.body.id).not.toBe(first.body.id);
  });

  it('returns a sent email by id', async () => {
    const { body } = await post('/emails', valid);
    const res = await fetch(`${server.url}/emails/${String(body.id)}`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    expect(await res.json()).toMatchObject({ object: 'email', id: body.id, to: ['ana@example.com'], subject: 'Hola' });
  });

  it('builds webhook payloads the description accepts, and refuses invalid ones', () => {
    expect(() => validateWebhookEvent(emailEvent('email.suppressed', { emailId: 'em_1' }))).not.toThrow();
    expect(() =>
      validateWebhookEvent({ type: 'email.bounced', data: { email_id: 'em_1' } } as { type: string }),
    ).toThrow(/Invalid/);
    expect(() => validateWebhookEvent({ type: 'email.teleported' })).toThrow(/no webhook event/);
  });
});
