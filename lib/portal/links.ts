// The debtor's portal link: one per debtor, covering all their accounts, signed and expiring. The token
// is `p1.<linkId>.<expiry>.<signature>`: linkId is random (drawn when the debtor's first link is made and
// redrawn when an agent revokes it), the expiry is seconds since the epoch in base 36, and the signature is
// HMAC-SHA256 under LINK_SIGNING_SECRET. Nothing in it is personal or derived from an id.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { portalLinks } from '../../db/schema';
import type { LinkSettings } from '../links';

export const PORTAL_PATH = '/portal';
export const DEFAULT_PORTAL_TTL_DAYS = 30;

// Domain separation: a signature made for another kind of link never verifies as a portal link.
const PURPOSE = 'portal.v1';
const VERSION = 'p1';
const LINK_ID = /^[A-Za-z0-9_-]{22}$/;
const EXPIRY = /^[0-9a-z]{1,10}$/;
const SIGNATURE = /^[A-Za-z0-9_-]{43}$/;

function sign(linkId: string, expiry: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${PURPOSE}.${linkId}.${expiry}`).digest();
}

function newLinkId(): string {
  return randomBytes(16).toString('base64url');
}

export function signPortalToken(linkId: string, expiresAt: number, secret: string): string {
  const expiry = Math.floor(expiresAt / 1000).toString(36);
  return `${VERSION}.${linkId}.${expiry}.${sign(linkId, expiry, secret).toString('base64url')}`;
}

/** The token's link id and expiry when its signature holds and it has not expired; null otherwise. */
export function verifyPortalToken(
  token: string,
  secret: string,
  now: number = Date.now(),
): { linkId: string; expiresAt: number } | null {
  if (token.length > 200) return null;
  const [version, linkId = '', expiry = '', signature = '', ...rest] = token.split('.');
  if (version !== VERSION || rest.length > 0 || !LINK_ID.test(linkId) || !EXPIRY.test(expiry)) return null;
  if (!SIGNATURE.test(signature)) return null;
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== 32 || !timingSafeEqual(given, sign(linkId, expiry, secret))) return null;
  const expiresAt = parseInt(expiry, 36) * 1000;
  if (!Number.isSafeInteger(expiresAt) || now >= expiresAt) return null;
  return { linkId, expiresAt };
}

/** The debtor's current link id, drawn on first use (concurrent first uses agree on one). */
export async function portalLinkIdFor(db: DbOrTx, debtorId: string): Promise<string> {
  const [existing] = await db
    .select({ linkId: portalLinks.linkId })
    .from(portalLinks)
    .where(eq(portalLinks.debtorId, debtorId));
  if (existing) return existing.linkId;
  await db.insert(portalLinks).values({ debtorId, linkId: newLinkId() }).onConflictDoNothing();
  const [row] = await db
    .select({ linkId: portalLinks.linkId })
    .from(portalLinks)
    .where(eq(portalLinks.debtorId, debtorId));
  if (!row) throw new Error('portal link row was not written');
  return row.linkId;
}

export function portalTtlDays(settings: LinkSettings): number {
  return settings.portalTtlDays ?? DEFAULT_PORTAL_TTL_DAYS;
}

/** The link and its expiry; the expiry counts from `issuedAt` so a retried message renders the same bytes. */
export function portalUrl(settings: LinkSettings, linkId: string, issuedAt: Date): { url: string; expiresAt: Date } {
  // Whole seconds: the token keeps seconds, and the answer's expiresAt says exactly when it stops working.
  const expiresAt = new Date(Math.floor((issuedAt.getTime() + portalTtlDays(settings) * 86_400_000) / 1000) * 1000);
  const token = signPortalToken(linkId, expiresAt.getTime(), settings.secret);
  return { url: `${settings.publicBaseUrl.replace(/\/+$/, '')}${PORTAL_PATH}/${token}`, expiresAt };
}

/** The debtor's personal link, made on first use. */
export async function portalUrlForDebtor(
  db: DbOrTx,
  settings: LinkSettings,
  debtorId: string,
  issuedAt: Date,
): Promise<{ url: string; expiresAt: Date }> {
  return portalUrl(settings, await portalLinkIdFor(db, debtorId), issuedAt);
}

/** The debtor a token opens, or null for a malformed, forged, expired or revoked token alike. */
export async function resolvePortalToken(
  db: DbOrTx,
  secret: string,
  token: string,
  now: number = Date.now(),
): Promise<{ debtorId: string; linkId: string; expiresAt: number } | null> {
  const verified = verifyPortalToken(token, secret, now);
  if (!verified) return null;
  const [row] = await db
    .select({ debtorId: portalLinks.debtorId })
    .from(portalLinks)
    .where(eq(portalLinks.linkId, verified.linkId));
  return row ? { debtorId: row.debtorId, ...verified } : null;
}

/** Every link given so far stops working; the debtor's next message carries a new one. */
export async function revokePortalLink(db: DbOrTx, debtorId: string): Promise<void> {
  await db
    .insert(portalLinks)
    .values({ debtorId, linkId: newLinkId(), revocations: 1, revokedAt: new Date() })
    .onConflictDoUpdate({
      target: portalLinks.debtorId,
      set: {
        linkId: newLinkId(),
        revocations: sql`${portalLinks.revocations} + 1`,
        revokedAt: sql`now()`,
      },
    });
}
