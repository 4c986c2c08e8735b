// WhatsApp addresses people by jid (`<digits>@s.whatsapp.net`); the rest of the system knows E.164.
import { normaliseE164 } from '../../lib/phone';

const USER_SERVER = 's.whatsapp.net';

/** The jid WhatsApp would use for a phone number; WhatsApp's own lookup (onWhatsApp) has the last word. */
export function e164ToJid(phone: string): string | null {
  const e164 = normaliseE164(phone);
  return e164 === null ? null : `${e164.slice(1)}@${USER_SERVER}`;
}

/**
 * The E.164 number of a personal jid (device suffix ignored), or null for groups, broadcasts,
 * newsletters and LIDs. Mexican mobiles keep the pre-2019 "1" after the country code on WhatsApp
 * (521…), which is no longer valid E.164.
 */
export function jidToE164(jid: string): string | null {
  const at = jid.indexOf('@');
  if (at < 0 || jid.slice(at + 1) !== USER_SERVER) return null;
  const user = jid.slice(0, at).split(':')[0] ?? '';
  if (!/^\d{6,15}$/.test(user)) return null;
  const direct = normaliseE164(`+${user}`);
  if (direct !== null) return direct;
  if (user.startsWith('521') && user.length === 13) return normaliseE164(`+52${user.slice(3)}`);
  return null;
}
