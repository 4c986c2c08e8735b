// The signed opt-out token: round trip, tampering, expiry, another secret, and no personal data inside.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../../activities/message-content';
import { loadConfig } from '../../workers/config';
import { resolveLinkSigningSecret } from '../../workers/link-secret';
import { optOutUrl, signOptOutToken, verifyOptOutToken } from '../../lib/links';

const secret = 'unit-test-link-secret-0123456789abcdef';
const accountId = '6f1c2a4e-8b7d-4c3e-9a10-2b3c4d5e6f70';
const now = Date.parse('2026-03-01T12:00:00Z');
const expiresAt = now + 60 * 86_400_000;

describe('opt-out token', () => {
  it('verifies what it signed, to whole seconds', () => {
    const token = signOptOutToken({ accountId, channel: 'email', expiresAt: expiresAt + 999 }, secret);
    expect(token).toMatch(/^o1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyOptOutToken(token, secret, now)).toEqual({
      ok: true,
      claims: { accountId, channel: 'email', expiresAt },
    });
    // Deterministic: a retried send renders the same link.
    expect(signOptOutToken({ accountId, channel: 'email', expiresAt }, secret)).toBe(token);
  });

  it('refuses a token after its expiry', () => {
    const token = signOptOutToken({ accountId, channel: 'email', expiresAt }, secret);
    expect(verifyOptOutToken(token, secret, expiresAt - 1000).ok).toBe(true);
    expect(verifyOptOutToken(token, secret, expiresAt)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses tampered payloads and signatures, other secrets and junk', () => {
    const token = signOptOutToken({ accountId, channel: 'email', expiresAt }, secret);
    const [v, payload = '', sig = ''] = token.split('.');
    const otherPayload = Buffer.from(
      JSON.stringify({ a: accountId, c: 'email', e: Math.floor(expiresAt / 1000) + 86_400 }),
    ).toString('base64url');
    expect(verifyOptOutToken(`${v}.${otherPayload}.${sig}`, secret, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expect(verifyOptOutToken(`${v}.${payload}.${flipped}`, secret, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyOptOutToken(`${v}.${payload}.${sig.slice(0, 20)}`, secret, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyOptOutToken(token, `${secret}x`, now)).toEqual({ ok: false, reason: 'bad_signature' });
    for (const junk of [
      '',
      'o1',
      'o1..',
      `o2.${payload}.${sig}`,
      `${token}.x`,
      `o1.${payload}.${sig}=`,
      'x'.repeat(600),
    ]) {
      expect(verifyOptOutToken(junk, secret, now).ok, junk).toBe(false);
    }
    // A well-signed payload of the wrong shape is still refused.
    const odd = Buffer.from(JSON.stringify({ a: 1 })).toString('base64url');
    const oddSig = createHmac('sha256', secret).update(`opt-out.v1.${odd}`).digest('base64url');
    expect(verifyOptOutToken(`o1.${odd}.${oddSig}`, secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('carries only the account id, the channel and the expiry', () => {
    const token = signOptOutToken({ accountId, channel: 'email', expiresAt }, secret);
    const body = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(Object.keys(body).sort()).toEqual(['a', 'c', 'e']);
  });

  it('builds the link on the public base URL, 60 days after the message was issued', () => {
    const url = new URL(
      optOutUrl({ secret, publicBaseUrl: 'https://cobranza.example.com/' }, accountId, 'email', new Date(now)),
    );
    expect(`${url.origin}${url.pathname}`).toBe('https://cobranza.example.com/v1/self-service/opt-out');
    const verified = verifyOptOutToken(url.searchParams.get('token') ?? '', secret, now);
    expect(verified).toEqual({ ok: true, claims: { accountId, channel: 'email', expiresAt } });
  });
});

describe('the opt-out in a rendered email', () => {
  const url = 'https://cobranza.example.com/v1/self-service/opt-out?token=o1.abc.def';
  const strategy = (body: string) => ({
    templates: { t: { es: { subject: 'Aviso', body }, en: { subject: 'Notice', body } } },
  });
  const render = (body: string, locale: string) =>
    renderEmail({
      strategy: strategy(body),
      template: 't',
      locale,
      debtorName: 'Ana',
      balanceMinor: 150000,
      currency: 'MXN',
      optOutUrl: url,
    });

  it('adds a footer line in the message language, in the text and the HTML', async () => {
    const es = await render('Hola {{ debtor.name }}', 'es-MX');
    expect(es.text).toBe(`Hola Ana\n\nPara dejar de recibir estos correos: ${url}`);
    expect(es.html).toContain(`Para dejar de recibir estos correos: <a href="${url}">${url}</a>`);
    const en = await render('Hi {{ debtor.name }}', 'en-US');
    expect(en.text).toBe(`Hi Ana\n\nTo stop receiving these emails: ${url}`);
    expect(en.html).toContain(`To stop receiving these emails: <a href="${url}">`);
  });

  it('lets the template place the link itself, and then adds no footer', async () => {
    const placed = await render('Hola {{ debtor.name }}\n\nBaja: {{ optOutUrl }}', 'es');
    expect(placed.text).toBe(`Hola Ana\n\nBaja: ${url}`);
    expect(placed.text.split(url)).toHaveLength(2);
    expect(placed.html.split(url)).toHaveLength(2);
    expect(placed.html).not.toContain('Para dejar de recibir');
  });

  it('adds nothing without a link (WhatsApp text)', async () => {
    const plain = await renderEmail({
      strategy: strategy('Hola'),
      template: 't',
      locale: 'es',
      debtorName: 'Ana',
      balanceMinor: 1,
      currency: 'MXN',
    });
    expect(plain.text).toBe('Hola');
  });
});

describe('LINK_SIGNING_SECRET', () => {
  it('is at least 32 characters, and required in production when emails are sent', () => {
    expect(() => loadConfig({ LINK_SIGNING_SECRET: 'short' })).toThrow(
      /LINK_SIGNING_SECRET: must be at least 32 characters/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', RESEND_API_KEY: 're_x' })).toThrow(
      /LINK_SIGNING_SECRET: is required in production when RESEND_API_KEY is set/,
    );
    expect(
      loadConfig({ NODE_ENV: 'production', RESEND_API_KEY: 're_x', LINK_SIGNING_SECRET: secret }).linkSigningSecret,
    ).toBe(secret);
  });

  it('is generated once in development and kept in DATA_DIR', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'link-secret-'));
    try {
      const config = loadConfig({ DATA_DIR: dir });
      const first = resolveLinkSigningSecret(config, () => undefined);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(resolveLinkSigningSecret(config, () => undefined)).toBe(first);
      const file = path.join(dir, 'link-signing-secret');
      expect(readFileSync(file, 'utf8').trim()).toBe(first);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(
        resolveLinkSigningSecret(loadConfig({ DATA_DIR: dir, LINK_SIGNING_SECRET: secret }), () => undefined),
      ).toBe(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
