// What the audit log keeps of a body: everything but personal data and free text, which become their length.
import { describe, expect, it } from 'vitest';
import { auditBody, MAX_AUDIT_BODY_BYTES, redactPersonal } from '../../lib/audit/redact';

describe('redactPersonal', () => {
  it('replaces names, emails, phones, tax ids, texts and reasons by their length, however deep', () => {
    const body = {
      externalId: 'INV-1',
      amount: '1500.00',
      debtor: { externalId: 'D-1', name: 'Ana Pérez', email: 'ana@example.com', phone: '+525512345678', taxId: 'X1' },
      reason: 'acuerdo verbal',
      lines: [{ text: 'hola', amount: '1.00' }],
      contactEmails: ['a@b.mx', 'c@d.mx'],
    };
    expect(redactPersonal(body)).toEqual({
      externalId: 'INV-1',
      amount: '1500.00',
      debtor: {
        externalId: 'D-1',
        name: { length: 9 },
        email: { length: 15 },
        phone: { length: 13 },
        taxId: { length: 2 },
      },
      reason: { length: 14 },
      lines: [{ text: { length: 4 }, amount: '1.00' }],
      contactEmails: [{ length: 6 }, { length: 6 }],
    });
  });

  it('leaves numbers, booleans and nulls as they are, and the input untouched', () => {
    const body = { note: null, amount: 3, dryRun: true, name: 'x' };
    expect(redactPersonal(body)).toEqual({ note: null, amount: 3, dryRun: true, name: { length: 1 } });
    expect(body.name).toBe('x');
  });
});

describe('auditBody', () => {
  it('keeps a large body as its size, never its content', () => {
    const invoices = Array.from({ length: 2000 }, (_, i) => ({ externalId: `INV-${i}`, amount: '10.00' }));
    const kept = auditBody({ invoices }) as Record<string, unknown>;
    expect(kept.truncated).toBe(true);
    expect(kept.bytes).toBeGreaterThan(MAX_AUDIT_BODY_BYTES);
    expect(kept.fields).toEqual(['invoices']);
    expect(JSON.stringify(kept)).not.toContain('INV-');
  });

  it('an absent body is null', () => {
    expect(auditBody(undefined)).toBeNull();
  });
});
