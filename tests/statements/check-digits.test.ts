// Check digits: every single-digit typo of a transfer reference is caught; CLABE control digits as banks compute them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { newTransferReference } from '../../lib/payments/transfer-reference';
import { isClabe, isTransferReference, luhnCheckDigit } from '../../lib/statements/check-digits';

describe('check digits', () => {
  it('Luhn: the textbook example and generated references', () => {
    expect(luhnCheckDigit('7992739871')).toBe(3);
    for (let i = 0; i < 200; i++) {
      const ref = newTransferReference();
      expect(ref).toMatch(/^[1-9]\d{9}$/);
      expect(isTransferReference(ref)).toBe(true);
    }
  });

  it('property: any one digit changed makes a reference invalid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }), (pos, delta) => {
        const ref = newTransferReference();
        const digit = (Number(ref[pos]) + delta) % 10;
        const typo = `${ref.slice(0, pos)}${digit}${ref.slice(pos + 1)}`;
        return !isTransferReference(typo);
      }),
    );
  });

  it('CLABE control digit', () => {
    expect(isClabe('002180700000000019')).toBe(false);
    expect(isClabe('032180000118359719')).toBe(true);
    expect(isClabe('032180000118359718')).toBe(false);
    expect(isClabe('12345')).toBe(false);
  });
});
