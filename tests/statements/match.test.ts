// The matcher: examples for each kind of evidence (transfer reference, invoice numbers as people type them,
// tax id, fuzzy names with accents, promises), and properties of scoring and of the allocation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newTransferReference } from '../../lib/payments/transfer-reference';
import {
  allocate,
  buildIndex,
  candidatesFor,
  decide,
  openAmounts,
  type MatchLine,
  type OpenAccount,
  type OpenInvoice,
  type ReconcileData,
} from '../../lib/reconcile/match';
import {
  invoiceCandidates,
  invoiceKey,
  nameKey,
  nameSimilarity,
  transferReferenceCandidates,
} from '../../lib/reconcile/text';

const ref = newTransferReference();
const data: ReconcileData = {
  debtors: [
    { id: 'd-lopez', name: 'Ferretería López e Hijos, S.A. de C.V.', taxIds: ['FLH980312KU9'] },
    { id: 'd-nunez', name: 'María José Núñez Peña', taxIds: ['NUPM850101AB1'] },
    { id: 'd-rios', name: 'Taller Mecánico Ríos', taxIds: [] },
    { id: 'd-other', name: 'Comercializadora del Bajío', taxIds: [] },
  ],
  accounts: [
    { id: 'a-lopez', debtorId: 'd-lopez', currency: 'MXN', balanceMinor: 1250000 },
    { id: 'a-nunez', debtorId: 'd-nunez', currency: 'MXN', balanceMinor: 874050 + 50000 },
    { id: 'a-rios', debtorId: 'd-rios', currency: 'MXN', balanceMinor: 300000 },
    { id: 'a-other', debtorId: 'd-other', currency: 'MXN', balanceMinor: 99900 },
  ],
  invoices: [
    {
      id: 'i-1',
      number: 'FAC-00123',
      accountId: 'a-nunez',
      debtorId: 'd-nunez',
      currency: 'MXN',
      dueDate: '2026-09-01',
      openMinor: 500000,
    },
    {
      id: 'i-2',
      number: 'FAC-00124',
      accountId: 'a-nunez',
      debtorId: 'd-nunez',
      currency: 'MXN',
      dueDate: '2026-09-15',
      openMinor: 374050,
    },
    {
      id: 'i-3',
      number: 'FAC-00125',
      accountId: 'a-nunez',
      debtorId: 'd-nunez',
      currency: 'MXN',
      dueDate: '2026-10-01',
      openMinor: 50000,
    },
    {
      id: 'i-4',
      number: 'A-771',
      accountId: 'a-lopez',
      debtorId: 'd-lopez',
      currency: 'MXN',
      dueDate: '2026-08-01',
      openMinor: 1250000,
    },
    {
      id: 'i-5',
      number: '5531',
      accountId: 'a-rios',
      debtorId: 'd-rios',
      currency: 'MXN',
      dueDate: '2026-08-01',
      openMinor: 300000,
    },
    {
      id: 'i-6',
      number: '9001',
      accountId: 'a-other',
      debtorId: 'd-other',
      currency: 'MXN',
      dueDate: '2026-08-01',
      openMinor: 99900,
    },
  ],
  promises: [{ accountId: 'a-other', debtorId: 'd-other', currency: 'MXN', amountMinor: 99900, dueDate: '2026-11-01' }],
  references: [{ reference: ref, debtorId: 'd-lopez', currency: 'MXN' }],
};
const index = buildIndex(data);
const line = (over: Partial<MatchLine>): MatchLine => ({
  amountMinor: 1000,
  currency: 'MXN',
  bookingDate: '2026-11-02',
  remittance: null,
  counterpartyName: null,
  counterpartyTaxId: null,
  ...over,
});

describe('reading remittance text', () => {
  it('finds invoice numbers with prefixes, spaces and dashes, and transfer references with separators', () => {
    expect(invoiceCandidates('Pago facturas FAC-00123 y F 00124')).toEqual(expect.arrayContaining(['123', '124']));
    expect(invoiceKey('FAC-00123')).toBe('123');
    expect(invoiceKey('A-2026-0981')).toBe('A20260981');
    expect(invoiceKey('F-2026/771')).toBe('2026771');
    expect(invoiceKey('F-1')).toBeNull();
    expect(invoiceCandidates('FACTURA No. 5531')).toEqual(expect.arrayContaining(['5531']));
    expect(invoiceCandidates('pago de la fáctura Nº 771')).toEqual(expect.arrayContaining(['771']));
    expect(invoiceCandidates('PAGO')).toEqual([]);
    const spaced = `${ref.slice(0, 3)} ${ref.slice(3, 7)}-${ref.slice(7)}`;
    expect(transferReferenceCandidates(`PAGO REF ${spaced}`)).toEqual([ref]);
    expect(transferReferenceCandidates('PAGO REF 1234567890')).toEqual(
      transferReferenceCandidates('PAGO REF 1234567890').filter((r) => r === '1234567890'),
    );
  });

  it('compares names without accents, case, legal forms or word order', () => {
    expect(nameKey('Ferretería López e Hijos, S.A. de C.V.')).toBe(nameKey('FERRETERIA LOPEZ E HIJOS SA DE CV'));
    expect(nameSimilarity(nameKey('MARIA JOSE NUNEZ PENA'), nameKey('Núñez Peña, María José'))).toBe(1);
    expect(nameSimilarity(nameKey('TALLER MECANICO RIOS'), nameKey('Taller Mecánico Ríos'))).toBe(1);
    expect(nameSimilarity(nameKey('TALLER MECANICO RIOZ'), nameKey('Taller Mecánico Ríos'))).toBeGreaterThan(0.9);
  });
});

describe('candidates', () => {
  it('a transfer reference and the balance: one debtor, applied', () => {
    const [best, ...rest] = candidatesFor(line({ amountMinor: 1250000, remittance: `PAGO REF ${ref}` }), index);
    expect(best).toMatchObject({ debtorId: 'd-lopez' });
    expect(best?.reasons).toEqual([`transfer reference ${ref}`, 'amount equals the balance']);
    expect(best?.score).toBeGreaterThanOrEqual(0.97);
    expect(rest).toEqual([]);
    expect(decide(candidatesFor(line({ amountMinor: 1250000, remittance: `PAGO REF ${ref}` }), index), 0.85).kind).toBe(
      'apply',
    );
  });

  it('invoice numbers named in the text, with the exact amount, name the invoices', () => {
    const c = candidatesFor(line({ amountMinor: 874050, remittance: 'Pago facturas FAC-00123 y F 00124' }), index);
    expect(c[0]).toMatchObject({ debtorId: 'd-nunez', invoiceIds: ['i-1', 'i-2'] });
    expect(c[0]?.reasons).toContain('amount equals what the named invoices owe');
    expect(c[0]!.score).toBeGreaterThan(0.95);
  });

  it('a partial payment of a named invoice is a candidate below certainty', () => {
    const c = candidatesFor(line({ amountMinor: 100000, remittance: 'FACTURA No. 5531' }), index);
    expect(c[0]?.debtorId).toBe('d-rios');
    expect(c[0]!.score).toBeGreaterThanOrEqual(0.85);
    expect(c[0]!.score).toBeLessThan(0.95);
  });

  it('tax id alone waits; tax id with the balance is applied', () => {
    const alone = candidatesFor(line({ amountMinor: 1234, counterpartyTaxId: 'flh-980312-ku9' }), index);
    expect(alone).toEqual([expect.objectContaining({ debtorId: 'd-lopez', score: 0.8 })]);
    expect(decide(alone, 0.85).kind).toBe('queue');
    const withAmount = candidatesFor(line({ amountMinor: 1250000, counterpartyTaxId: 'FLH980312KU9' }), index);
    expect(decide(withAmount, 0.85)).toMatchObject({ kind: 'apply', candidate: { debtorId: 'd-lopez' } });
  });

  it('a fuzzy name with the amount of one invoice; a name alone stays in the queue', () => {
    const c = candidatesFor(line({ amountMinor: 300000, counterpartyName: 'TALLER MECANICO RIOS' }), index);
    expect(c[0]).toMatchObject({ debtorId: 'd-rios' });
    expect(c[0]?.reasons).toEqual(['payer name 100% similar', 'amount equals the balance']);
    const nameOnly = candidatesFor(line({ amountMinor: 777, counterpartyName: 'Taller Mecanico Rios' }), index);
    expect(decide(nameOnly, 0.85).kind).toBe('queue');
    expect(candidatesFor(line({ amountMinor: 300000, counterpartyName: 'Juan Pérez' }), index)).toEqual([]);
  });

  it('only an open promise of this amount around this date: a suggestion, not applied', () => {
    const c = candidatesFor(line({ amountMinor: 99900, bookingDate: '2026-11-03' }), index);
    expect(c).toEqual([expect.objectContaining({ debtorId: 'd-other', score: 0.5 })]);
    expect(candidatesFor(line({ amountMinor: 99900, bookingDate: '2026-12-30' }), index)).toEqual([]);
  });

  it('money out has no candidate; nothing known queues with a reason', () => {
    expect(candidatesFor(line({ amountMinor: -1250000, remittance: `REF ${ref}` }), index)).toEqual([]);
    expect(decide([], 0.85)).toEqual({ kind: 'queue', reason: 'no candidate', candidates: [] });
  });

  it('two debtors alike are ambiguous, however high the score', () => {
    const d = decide(
      [
        { debtorId: 'a', score: 0.95, reasons: [], invoiceIds: [] },
        { debtorId: 'b', score: 0.9, reasons: [], invoiceIds: [] },
      ],
      0.85,
    );
    expect(d).toMatchObject({ kind: 'queue', reason: expect.stringContaining('ambiguous') });
  });

  it('property: scores are in [0, 1], best first, and a known reference always finds its debtor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.string({ maxLength: 40 }),
        fc.option(fc.constantFrom('FLH980312KU9', 'x', 'NUPM850101AB1'), { nil: null }),
        fc.option(fc.constantFrom('Maria Nunez', 'Taller Rios', 'Ferreteria Lopez Hijos'), { nil: null }),
        fc.boolean(),
        (amountMinor, noise, tax, name, withRef) => {
          const remittance = withRef ? `${noise} ${ref}` : noise;
          const c = candidatesFor(
            line({ amountMinor, remittance, counterpartyTaxId: tax, counterpartyName: name }),
            index,
          );
          for (const x of c) if (x.score < 0 || x.score > 1) return false;
          for (let i = 1; i < c.length; i++) if (c[i]!.score > c[i - 1]!.score) return false;
          return !withRef || c.some((x) => x.debtorId === 'd-lopez');
        },
      ),
    );
  });
});

describe('allocation', () => {
  const invoices: OpenInvoice[] = data.invoices.filter((i) => i.debtorId === 'd-nunez');
  const accounts: OpenAccount[] = data.accounts.filter((a) => a.debtorId === 'd-nunez');

  it('oldest invoice first, or the named ones first; over-payment is credit', () => {
    expect(allocate(600000, invoices, accounts)).toEqual({
      allocations: [{ accountId: 'a-nunez', amountMinor: 600000, invoiceIds: ['i-1', 'i-2'] }],
      creditMinor: 0,
    });
    expect(allocate(50000, invoices, accounts, ['i-3']).allocations[0]?.invoiceIds).toEqual(['i-3']);
    expect(allocate(1_000_000, invoices, accounts)).toEqual({
      allocations: [{ accountId: 'a-nunez', amountMinor: 924050, invoiceIds: ['i-1', 'i-2', 'i-3'] }],
      creditMinor: 75950,
    });
    expect(allocate(5000, [], [])).toEqual({ allocations: [], creditMinor: 5000 });
  });

  it('open amounts: what an account paid covers its oldest invoices', () => {
    const inv = [
      { id: 'b', amountMinor: 300, dueDate: '2026-02-01' },
      { id: 'a', amountMinor: 500, dueDate: '2026-01-01' },
    ];
    expect(openAmounts(inv, 600).map((i) => [i.id, i.openMinor])).toEqual([
      ['a', 300],
      ['b', 300],
    ]);
    expect(openAmounts(inv, 0).map((i) => i.openMinor)).toEqual([0, 0]);
  });

  it('property: money is conserved, no account takes more than its balance, named invoices come first', () => {
    const arbInvoices = fc.array(
      fc.record({
        account: fc.constantFrom('x', 'y', 'z'),
        openMinor: fc.integer({ min: 1, max: 100_000 }),
        day: fc.integer({ min: 1, max: 28 }),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2_000_000 }),
        arbInvoices,
        fc.array(fc.integer({ min: 0, max: 200_000 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.nat(11), { maxLength: 3 }),
        (amount, raw, balances, namedAt) => {
          const invs: OpenInvoice[] = raw.map((r, i) => ({
            id: `i${i}`,
            number: `N${i}`,
            accountId: r.account,
            debtorId: 'd',
            currency: 'MXN',
            dueDate: `2026-01-${String(r.day).padStart(2, '0')}`,
            openMinor: r.openMinor,
          }));
          const accts = ['x', 'y', 'z'].map((id, i) => ({
            id,
            debtorId: 'd',
            currency: 'MXN',
            balanceMinor: balances[i]!,
          }));
          const named = namedAt.filter((i) => i < invs.length).map((i) => `i${i}`);
          const { allocations, creditMinor } = allocate(amount, invs, accts, named);
          const booked = allocations.reduce((s, a) => s + a.amountMinor, 0);
          if (booked + creditMinor !== amount || creditMinor < 0) return false;
          for (const a of allocations) {
            const acct = accts.find((x) => x.id === a.accountId)!;
            if (a.amountMinor <= 0 || a.amountMinor > acct.balanceMinor) return false;
          }
          // Credit only when every account is full.
          if (
            creditMinor > 0 &&
            accts.some((x) => x.balanceMinor > (allocations.find((a) => a.accountId === x.id)?.amountMinor ?? 0))
          )
            return false;
          return true;
        },
      ),
    );
  });
});
