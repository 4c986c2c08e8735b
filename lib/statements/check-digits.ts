// Check digits of the numbers a bank transfer carries: our transfer references (Luhn) and Mexican CLABEs.
// Pure: the statement matcher reads references out of remittance text with them.

/** The Luhn digit that makes `digits + check` valid (mod 10, doubling every second digit from the right). */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Our transfer references: 10 digits, the first not 0, the last the Luhn check digit of the other nine. */
export const TRANSFER_REFERENCE_LENGTH = 10;

export function isTransferReference(value: string): boolean {
  if (!/^[1-9]\d{9}$/.test(value)) return false;
  return luhnCheckDigit(value.slice(0, -1)) === value.charCodeAt(value.length - 1) - 48;
}

/** A CLABE: 18 digits whose last is the control digit of the first 17 (weights 3, 7, 1). */
export function isClabe(value: string): boolean {
  if (!/^\d{18}$/.test(value)) return false;
  const weights = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ((value.charCodeAt(i) - 48) * weights[i % 3]!) % 10;
  return (10 - (sum % 10)) % 10 === value.charCodeAt(17) - 48;
}
