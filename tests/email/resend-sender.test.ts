// The real Resend SDK through createResendSender against the local Resend stand-in: what goes on
// the wire, that a retried send delivers once, and which failures a retry can fix.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EmailSendError, toApplicationFailure } from '../../activities/email/errors';
import type { EmailMessage } from '../../activities/email/render';
import { DEFAULT_USER_AGENT, createResendSender } from '../../activities/email/resend-sender';
import { startResendServer, type ResendServer } from '../support/resend-server';

const FROM = 'Cobranzas <cobranzas@example.com>';
let server: ResendServer;
let keySeq = 0;

beforeAll(async () => {
  server = await startResendServer();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function message(overrides: Partial<EmailMessage> = {}): EmailMessage {
  keySeq += 1;
  return {
    to: 'ana@example.com',
    subject: 'Tu pago está vencido',
    html: '<p>Hola Ana, tu saldo es $1,500.00.</p>',
    text: 'Hola Ana, tu saldo es $1,500.00.',
    idempotencyKey: `acct-1:step-3:attempt-${keySeq}:${Date.now()}`,
    tags: { account: 'acct-1', step: 'overdue-15' },
    ...overrides,
  };
}

function sender() {
  return createResendSender({ apiKey: server.apiKey, baseUrl: server.url, from: FROM });
}

async function sendError(promise: Promise<unknown>): Promise<EmailSendError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(EmailSendError);
  return err as EmailSendError;
}

describe('createResendSender', () => {
  it('sends a body the OpenAPI description accepts, with the right headers', async () => {
    const msg = message({ headers: { 'X-Entity-Ref-ID': 'acct-1' }, replyTo: 'pagos@example.com' });
    const { providerMessageId } = await sender().send(msg);

    const req = server.sent.at(-1);
    expect(req?.emailIds).toEqual([providerMessageId]);
    expect(req?.status).toBe(200); // the stand-in answers 422 to anything the schema rejects
    expect(req?.headers.authorization).toBe(`Bearer ${server.apiKey}`);
    expect(req?.headers['idempotency-key']).toBe(msg.idempotencyKey);
    expect(req?.headers['user-agent']).toBe(DEFAULT_USER_AGENT);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.body).toEqual({
      from: FROM,
      to: 'ana@example.com',
      subject: msg.subject,
      html: msg.html,
      text: msg.text,
      reply_to: 'pagos@example.com',
      headers: { 'X-Entity-Ref-ID': 'acct-1' },
      tags: [
        { name: 'account', value: 'acct-1' },
        { name: 'step', value: 'overdue-15' },
      ],
    });
  });

  it('takes the base URL from its options, not from RESEND_BASE_URL', async () => {
    vi.stubEnv('RESEND_BASE_URL', 'http://127.0.0.1:9');
    const before = server.sent.length;
    await sender().send(message());
    expect(server.sent.length).toBe(before + 1);
  });

  it('delivers once when the same idempotency key is sent twice', async () => {
    const msg = message();
    const first = await sender().send(msg);
    const before = server.emails.size;
    const second = await sender().send(msg);

    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(server.emails.size).toBe(before);
    expect(server.received.filter((r) => r.idempotencyKey === msg.idempotencyKey).map((r) => r.replayed)).toEqual([
      false,
      true,
    ]);
  });

  it('delivers once when the answer was lost after Resend accepted the email', async () => {
    const msg = message();
    server.dropNext(1, 'after-accept');
    const lost = await sendError(sender().send(msg));
    expect(lost.retryable).toBe(true);

    const { providerMessageId } = await sender().send(msg);
    const created = server.sent.filter((r) => r.idempotencyKey === msg.idempotencyKey);
    expect(created).toHaveLength(1);
    expect(created[0]?.emailIds).toEqual([providerMessageId]);
  });

  it('refuses the same key with a different body, without retrying', async () => {
    const msg = message();
    await sender().send(msg);
    const err = await sendError(sender().send({ ...msg, subject: 'Otro asunto' }));
    expect(err).toMatchObject({ code: 'invalid_idempotent_request', status: 409, retryable: false });
  });

  it('classifies 429 as retryable and carries Retry-After', async () => {
    server.failNext(1, 429);
    const err = await sendError(sender().send(message()));
    expect(err).toMatchObject({ code: 'rate_limit_exceeded', status: 429, retryable: true, retryAfterMs: 1000 });
    const failure = toApplicationFailure(err);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(1000);
  });

  it("classifies 500, and gateway errors without Resend's error body, as retryable", async () => {
    server.failNext(1, 500);
    expect(await sendError(sender().send(message()))).toMatchObject({
      code: 'internal_server_error',
      status: 500,
      retryable: true,
    });
    server.failNext(1, 502, '<html>Bad Gateway</html>');
    expect(await sendError(sender().send(message()))).toMatchObject({
      code: 'application_error',
      status: 502,
      retryable: true,
    });
    // JSON in another shape: the SDK passes it through and the status is lost.
    server.failNext(1, 503, { error: 'upstream unavailable' });
    expect(await sendError(sender().send(message()))).toMatchObject({
      code: 'unrecognized_error',
      status: null,
      retryable: true,
    });
  });

  it('succeeds on the retry after a transient failure', async () => {
    const msg = message();
    server.failNext(1, 500);
    await expect(sender().send(msg)).rejects.toBeInstanceOf(EmailSendError);
    await expect(sender().send(msg)).resolves.toHaveProperty('providerMessageId');
  });

  it('classifies 422 (invalid recipient) as non-retryable', async () => {
    server.failNext(1, 422);
    const err = await sendError(sender().send(message({ to: 'not-an-address' })));
    expect(err).toMatchObject({ code: 'validation_error', status: 422, retryable: false });
    expect(toApplicationFailure(err).nonRetryable).toBe(true);
    expect(toApplicationFailure(err).type).toBe('EmailSendError:validation_error');
  });

  it('classifies a wrong API key as non-retryable', async () => {
    const bad = createResendSender({ apiKey: 're_wrong', baseUrl: server.url, from: FROM });
    expect(await sendError(bad.send(message()))).toMatchObject({
      code: 'invalid_api_key',
      status: 403,
      retryable: false,
    });
  });

  it('classifies a monthly quota as non-retryable although it is a 429', async () => {
    server.failNext(1, 429, {
      statusCode: 429,
      name: 'monthly_quota_exceeded',
      message: 'You have reached your monthly email sending quota.',
    });
    expect(await sendError(sender().send(message()))).toMatchObject({ status: 429, retryable: false });
  });

  it('classifies a refused connection as retryable', async () => {
    const gone = await startResendServer();
    await gone.close();
    const s = createResendSender({ apiKey: gone.apiKey, baseUrl: gone.url, from: FROM });
    expect(await sendError(s.send(message()))).toMatchObject({
      code: 'application_error',
      status: null,
      retryable: true,
    });
  });

  it('gives up on an unanswered request after timeoutMs, as retryable', async () => {
    server.dropNext(1, 'stall');
    const impatient = createResendSender({ apiKey: server.apiKey, baseUrl: server.url, from: FROM, timeoutMs: 100 });
    expect(await sendError(impatient.send(message()))).toMatchObject({ status: null, retryable: true });
  });

  it('rejects tags Resend would refuse before calling it', async () => {
    const before = server.received.length;
    const err = await sendError(sender().send(message({ tags: { account: 'acct:1' } })));
    expect(err).toMatchObject({ code: 'invalid_tag', retryable: false });
    expect(server.received.length).toBe(before);
  });

  it('needs an API key instead of falling back to RESEND_API_KEY', () => {
    vi.stubEnv('RESEND_API_KEY', 're_from_env');
    expect(() => createResendSender({ apiKey: '', from: FROM })).toThrow(/apiKey/);
  });
});
