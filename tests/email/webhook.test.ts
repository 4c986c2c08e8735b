// Webhook verification against payloads signed the way Resend (Svix) signs them.
import { Webhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { verifyResendWebhook, WebhookVerificationError, type WebhookRejection } from '../../lib/email/resend-webhook';
import { createWebhookSecret, emailEvent, signWebhook } from '../support/resend-server';

const NOW = new Date('2026-03-12T10:00:00.000Z');
const SECRET = createWebhookSecret();
const TAGS = { account: 'acct-1', step: 'overdue-15' };

function rejection(fn: () => unknown): WebhookRejection | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(WebhookVerificationError);
    return (err as WebhookVerificationError).reason;
  }
  return undefined;
}

describe('verifyResendWebhook', () => {
  it.each(['email.sent', 'email.delivered', 'email.delivery_delayed', 'email.complained', 'email.opened'] as const)(
    'accepts a signed %s with the email id and our tags',
    (type) => {
      const signed = signWebhook(emailEvent(type, { emailId: 'em_1', tags: TAGS, at: NOW }), SECRET, { at: NOW });
      const event = verifyResendWebhook(signed.body, signed.headers, SECRET, NOW);
      expect(event).toMatchObject({ type, emailId: 'em_1', tags: TAGS, deliveryId: signed.headers['svix-id'] });
    },
  );

  it('returns the bounce details', () => {
    const signed = signWebhook(emailEvent('email.bounced', { emailId: 'em_2', tags: TAGS, at: NOW }), SECRET, {
      at: NOW,
    });
    const event = verifyResendWebhook(Buffer.from(signed.body), signed.headers, SECRET, NOW);
    expect(event).toMatchObject({
      type: 'email.bounced',
      emailId: 'em_2',
      bounce: { type: 'Permanent', subType: 'General' },
    });
  });

  it('accepts Fetch Headers and any header case', () => {
    const signed = signWebhook(emailEvent('email.delivered', { emailId: 'em_3', at: NOW }), SECRET, { at: NOW });
    const upper = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyResendWebhook(signed.body, new Headers(signed.headers), SECRET, NOW)).toMatchObject({
      emailId: 'em_3',
      tags: {},
    });
    expect(verifyResendWebhook(signed.body, upper, SECRET, NOW)).toMatchObject({ emailId: 'em_3' });
  });

  it('accepts a delivery signed with either secret during a rotation', () => {
    const signed = signWebhook(emailEvent('email.opened', { emailId: 'em_4', at: NOW }), SECRET, { at: NOW });
    const other = signWebhook(emailEvent('email.opened', { emailId: 'em_4', at: NOW }), createWebhookSecret(), {
      at: NOW,
      id: signed.headers['svix-id'],
    });
    const headers = {
      ...signed.headers,
      'svix-signature': `${other.headers['svix-signature']} ${signed.headers['svix-signature']}`,
    };
    expect(verifyResendWebhook(signed.body, headers, SECRET, NOW)).toMatchObject({ emailId: 'em_4' });
  });

  it('agrees with svix about what Resend signs', () => {
    const signed = signWebhook(emailEvent('email.delivered', { emailId: 'em_5' }), SECRET);
    expect(new Webhook(SECRET).verify(signed.body, signed.headers)).toMatchObject({ data: { email_id: 'em_5' } });
  });

  it('rejects a tampered body', () => {
    const signed = signWebhook(emailEvent('email.delivered', { emailId: 'em_6', at: NOW }), SECRET, { at: NOW });
    const tampered = signed.body.replace('em_6', 'em_7');
    expect(rejection(() => verifyResendWebhook(tampered, signed.headers, SECRET, NOW))).toBe('bad_signature');
  });

  it('rejects a wrong secret', () => {
    const signed = signWebhook(emailEvent('email.delivered', { emailId: 'em_8', at: NOW }), SECRET, { at: NOW });
    expect(rejection(() => verifyResendWebhook(signed.body, signed.headers, createWebhookSecret(), NOW))).toBe(
      'bad_signature',
    );
  });

  it('rejects timestamps more than 5 minutes away and accepts those within', () => {
    const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);
    const verifyAt = (minutes: number) => {
      const signed = signWebhook(emailEvent('email.delivered', { emailId: 'em_9' }), SECRET, { at: at(minutes) });
      return rejection(() => verifyResendWebhook(signed.body, signed.headers, SECRET, NOW));
    };
    expect(verifyAt(-6)).toBe('stale_timestamp');
    expect(verifyAt(6)).toBe('stale_timestamp');
    expect(verifyAt(-4)).toBeUndefined();
    expect(verifyAt(4)).toBeUndefined();
  });

  it('rejects missing or malformed headers', () => {
    const signed = signWebhook(emailEvent('email.delivered', { emailId: 'em_10', at: NOW }), SECRET, { at: NOW });
    const { 'svix-signature': _omitted, ...unsigned } = signed.headers;
    expect(rejection(() => verifyResendWebhook(signed.body, unsigned, SECRET, NOW))).toBe('missing_headers');
    const badTime = { ...signed.headers, 'svix-timestamp': '2026-03-12' };
    expect(rejection(() => verifyResendWebhook(signed.body, badTime, SECRET, NOW))).toBe('bad_timestamp');
  });

  it('acknowledges authentic events that are not about outbound email', () => {
    const contact = {
      type: 'contact.created',
      created_at: NOW.toISOString(),
      data: {
        id: 'ct_1',
        created_at: NOW.toISOString(),
        updated_at: NOW.toISOString(),
        email: 'ana@example.com',
        unsubscribed: false,
      },
    };
    const signed = signWebhook(contact, SECRET, { at: NOW });
    expect(verifyResendWebhook(signed.body, signed.headers, SECRET, NOW)).toEqual({
      type: 'other',
      eventType: 'contact.created',
      deliveryId: signed.headers['svix-id'],
    });
  });
});
