// Transfer references on the real PostgreSQL: one per debtor and currency, the same on every ask (also when
// asked concurrently), found again by the reference (typed with spaces or dashes), never for a typo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { debtors } from '../../db/schema';
import { findTransferReference, transferReferenceFor } from '../../lib/payments/transfer-reference';
import { isTransferReference } from '../../lib/statements/check-digits';
import { uniqueId } from '../support/runtime';

let handle: DbHandle;

beforeAll(() => {
  handle = createDb(inject('databaseUrl'), { max: 4 });
});
afterAll(async () => {
  await handle?.close();
});

async function newDebtor(): Promise<string> {
  const [row] = await handle.db
    .insert(debtors)
    .values({ externalId: uniqueId('debtor'), kind: 'company', name: 'Ferretería López', country: 'MX' })
    .returning({ id: debtors.id });
  return row!.id;
}

describe('transferReferenceFor', () => {
  it('gives a debtor one valid reference per currency, the same on every (concurrent) ask', async () => {
    const debtorId = await newDebtor();
    const first = await Promise.all(Array.from({ length: 6 }, () => transferReferenceFor(handle.db, debtorId, 'MXN')));
    expect(new Set(first.map((r) => r.reference)).size).toBe(1);
    const reference = first[0]!.reference;
    expect(isTransferReference(reference)).toBe(true);
    expect(reference).toMatch(/^\d{10}$/);
    expect((await transferReferenceFor(handle.db, debtorId, 'MXN')).reference).toBe(reference);
    const usd = await transferReferenceFor(handle.db, debtorId, 'USD');
    expect(usd.reference).not.toBe(reference);
    expect(first[0]).toEqual({ reference, clabe: null, bankName: null });
  });

  it('carries the configured bank account', async () => {
    const debtorId = await newDebtor();
    const ref = await transferReferenceFor(handle.db, debtorId, 'MXN', {
      clabe: '002180700000000019',
      bankName: 'Banamex',
    });
    expect(ref.clabe).toBe('002180700000000019');
    expect(ref.bankName).toBe('Banamex');
  });

  it('differs between debtors and is found again by the reference, not by a typo', async () => {
    const a = await newDebtor();
    const b = await newDebtor();
    const ra = (await transferReferenceFor(handle.db, a, 'MXN')).reference;
    const rb = (await transferReferenceFor(handle.db, b, 'MXN')).reference;
    expect(ra).not.toBe(rb);
    expect(await findTransferReference(handle.db, ra)).toEqual({ reference: ra, debtorId: a, currency: 'MXN' });
    const spaced = `${ra.slice(0, 3)} ${ra.slice(3, 6)}-${ra.slice(6)}`;
    expect((await findTransferReference(handle.db, spaced))?.debtorId).toBe(a);
    // One digit changed: the check digit fails, so it is not looked up at all.
    const typo = `${ra.slice(0, 4)}${(Number(ra[4]) + 1) % 10}${ra.slice(5)}`;
    expect(await findTransferReference(handle.db, typo)).toBeNull();
    expect(await findTransferReference(handle.db, 'not a reference')).toBeNull();
  });
});
