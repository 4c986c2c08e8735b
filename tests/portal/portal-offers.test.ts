// Pure parts of the portal: its link tokens (signed, expiring, nothing personal) and the plan offers it
// computes from the strategy's policy, each of which the core's own checkPlan accepts.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOffers, type LiveAccount } from '../../lib/portal/account';
import { signPortalToken, verifyPortalToken } from '../../lib/portal/links';
import { checkPlan, planInterest } from '../../strategies/core/agreements';
import { addDays } from '../../strategies/core/calendar';
import { initialState } from '../../strategies/core/state';
import type { EngineContext } from '../../strategies/core/types';

const secret = 's'.repeat(40);
const linkId = 'AbCdEfGhIjKlMnOpQrStUv';

describe('portal tokens', () => {
  it('verify with the secret until they expire, and never after a change', () => {
    const now = Date.UTC(2026, 0, 1);
    const token = signPortalToken(linkId, now + 86_400_000, secret);
    expect(token).toMatch(/^p1\.[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyPortalToken(token, secret, now)).toEqual({ linkId, expiresAt: now + 86_400_000 });
    expect(verifyPortalToken(token, secret, now + 86_400_000)).toBeNull();
    expect(verifyPortalToken(token, 't'.repeat(40), now)).toBeNull();
    for (let i = 0; i < token.length; i++) {
      const c = token[i] === 'A' ? 'B' : 'A';
      expect(verifyPortalToken(token.slice(0, i) + c + token.slice(i + 1), secret, now)).toBeNull();
    }
    expect(verifyPortalToken(`${token}.x`, secret, now)).toBeNull();
    expect(verifyPortalToken('', secret, now)).toBeNull();
  });
});

function live(balanceMinor: number, plan: { maxInstallments: number; down: number; bp: number }): LiveAccount {
  const today = '2026-03-10';
  const ctx = {
    zone: 'America/Mexico_City',
    strategy: {
      promise: { maxDaysAhead: 30, minPercent: 20, graceDays: 2 },
      plan: {
        maxInstallments: plan.maxInstallments,
        minDownPaymentPercent: plan.down,
        monthlyInterestBasisPoints: plan.bp,
        graceDays: 3,
      },
    },
  } as unknown as EngineContext;
  const state = initialState({
    accountId: 'a',
    currency: 'MXN',
    channels: { email: true, whatsapp: false },
    openedAt: Date.UTC(2026, 2, 1),
  });
  state.invoices.push({ externalId: 'F-1', amountMinor: balanceMinor, openMinor: balanceMinor, dueDate: '2026-02-01' });
  return {
    ctx,
    state,
    balanceMinor,
    today,
    promise: { maxDate: addDays(today, 30), minPercent: 20, minimumMinor: 0 },
    plan: {
      maxInstallments: plan.maxInstallments,
      minDownPaymentPercent: plan.down,
      monthlyInterestPercent: plan.bp / 100,
    },
  };
}

describe('plan offers', () => {
  it('are plans the policy accepts: down payment, installments, dates, and the README’s interest', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 50_000_000 }),
        fc.integer({ min: 2, max: 24 }),
        fc.integer({ min: 0, max: 90 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 30 }),
        (balance, maxInstallments, down, bp, firstIn) => {
          const account = live(balance, { maxInstallments, down, bp });
          const first = addDays(account.today, firstIn);
          const now = Date.parse(`${account.today}T18:00:00Z`);
          const offers = planOffers(account, first);
          expect(offers.length).toBeGreaterThan(0);
          for (const offer of offers) {
            expect(offer.installments).toHaveLength(offer.count);
            expect(offer.installments[0]?.dueDate).toBe(first);
            expect(offer.interestMinor).toBe(planInterest(account.ctx, balance, offer.installments));
            expect(offer.installments.reduce((s, i) => s + i.amountMinor, 0)).toBe(balance + offer.interestMinor);
            expect(checkPlan(account.ctx, account.state, offer, now)).toEqual({ ok: true });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
