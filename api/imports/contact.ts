// Debtor contact points are only worth importing when a channel can use them as they are.

import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

export type ContactResult = { ok: true; value: string } | { ok: false; message: string };

// Mexico dropped the "1" after +52 for mobiles in 2019, but WhatsApp exports still carry it.
function withoutMexicanMobilePrefix(text: string): string {
  const digits = text.replace(/[^\d+]/g, '');
  return /^\+?521\d{10}$/.test(digits) ? `+52${digits.slice(-10)}` : text;
}

/** E.164 from a local or international number; the full metadata rejects numbers that only look right. */
export function parsePhone(text: string, country: string | undefined): ContactResult {
  const trimmed = text.trim();
  const phone = parsePhoneNumberFromString(withoutMexicanMobilePrefix(trimmed), country as CountryCode | undefined);
  if (!phone?.isValid()) {
    const where = country ? ` for ${country}` : ' (no country to read a local number)';
    return { ok: false, message: `"${trimmed}" is not a valid phone number${where}` };
  }
  return { ok: true, value: phone.number };
}

// Deliberately basic: the mail provider is the real judge; this only catches typos and
// cells holding two addresses or a name.
const EMAIL = /^[^\s@,;<>()]+@[^\s@,;<>()]+\.[a-z]{2,}$/i;

export function parseEmail(text: string): ContactResult {
  const trimmed = text.trim().replace(/^mailto:/i, '');
  if (!EMAIL.test(trimmed)) return { ok: false, message: `"${trimmed}" is not a valid email address` };
  return { ok: true, value: trimmed };
}
