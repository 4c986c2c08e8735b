// What the portal needs of the payment providers (lib/payments, the payments helper's adapter): which
// providers serve an account, and a hosted checkout for an amount. The amount booked is always the one the
// provider confirms in its webhook, never what the browser sent.
import { createHash } from 'node:crypto';
import type { PaymentProviders } from '../payments';

/** The payments adapter (lib/payments/index.ts), as far as the portal uses it. */
export type PortalPayments = Pick<PaymentProviders, 'forAccount' | 'createCheckout'>;

/**
 * One checkout per account, provider, amount and balance: a double click or a reload of the form reuses
 * the provider's session (its idempotency key), while a later payment after the balance moved gets a new one.
 */
export function checkoutIdempotencyKey(
  accountId: string,
  provider: string,
  amountMinor: number,
  balanceMinor: number,
): string {
  const digest = createHash('sha256')
    .update(`${accountId}/${provider}/${amountMinor}/${balanceMinor}`)
    .digest('base64url')
    .slice(0, 32);
  return `portal-${digest}`;
}
