// Phone numbers as the system keeps them: E.164. WhatsApp, the API and intake all normalise through this.
import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** A valid E.164 number ("+525512345678"), or null. */
export function normaliseE164(phone: string): string | null {
  const parsed = parsePhoneNumberFromString(phone.trim());
  return parsed?.isValid() ? parsed.number : null;
}
