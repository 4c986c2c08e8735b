// Signed links a debtor can follow without an account or a key: today the one-click opt-out that
// every email carries (US Reg F; RFC 8058 List-Unsubscribe). The token names an account id, a channel
// and an expiry — nothing personal — and is authenticated with HMAC-SHA256 under LINK_SIGNING_SECRET.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const OPT_OUT_TTL_DAYS = 60;
export const OPT_OUT_PATH = '/v1/self-service/opt-out';

/** What the API needs to sign and check links, and where they point. */
export interface LinkSettings {
  secret: string;
  /** PUBLIC_BASE_URL, or the API's own address. */
  publicBaseUrl: string;
  /** How long a portal link works (PORTAL_LINK_TTL_DAYS, default 30). */
  portalTtlDays?: number;
}

export interface OptOutClaims {
  accountId: string;
  channel: string;
  /** Milliseconds since the epoch; kept to whole seconds in the token. */
  expiresAt: number;
}

export type OptOutVerification =
  { ok: true; claims: OptOutClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

// Domain separation: a signature made for another kind of link never verifies as an opt-out.
const PURPOSE = 'opt-out.v1';
const VERSION = 'o1';
const SIGNATURE_BYTES = 32;

function sign(payload: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${PURPOSE}.${payload}`).digest();
}

export function signOptOutToken(claims: OptOutClaims, secret: string): string {
  const body = { a: claims.accountId, c: claims.channel, e: Math.floor(claims.expiresAt / 1000) };
  const payload = Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
  return `${VERSION}.${payload}.${sign(payload, secret).toString('base64url')}`;
}

export function verifyOptOutToken(token: string, secret: string, now: number = Date.now()): OptOutVerification {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || token.length > 512) return { ok: false, reason: 'malformed' };
  const [, payload = '', signature = ''] = parts;
  if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature))
    return { ok: false, reason: 'malformed' };
  const given = Buffer.from(signature, 'base64url');
  const expected = sign(payload, secret);
  // timingSafeEqual needs equal lengths; the length of a valid signature is public anyway.
  if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' };
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { a, c, e } = (body ?? {}) as { a?: unknown; c?: unknown; e?: unknown };
  if (typeof a !== 'string' || typeof c !== 'string' || typeof e !== 'number' || !Number.isInteger(e))
    return { ok: false, reason: 'malformed' };
  const expiresAt = e * 1000;
  if (now >= expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { accountId: a, channel: c, expiresAt } };
}

/** The link an email carries; its expiry is fixed by the caller so a retried send renders the same bytes. */
export function optOutUrl(settings: LinkSettings, accountId: string, channel: string, issuedAt: Date): string {
  const expiresAt = issuedAt.getTime() + OPT_OUT_TTL_DAYS * 86_400_000;
  const token = signOptOutToken({ accountId, channel, expiresAt }, settings.secret);
  return `${settings.publicBaseUrl.replace(/\/+$/, '')}${OPT_OUT_PATH}?token=${token}`;
}
