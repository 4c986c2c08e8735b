// The debtor's WhatsApp menu: what we offer, how a free-text reply is read (in Spanish or English,
// whatever the debtor's locale), and what we answer once the promise policy has decided. Pure.
import { DateTime } from 'luxon';

export type MenuLocale = 'es' | 'en';
export type Intent = 'pay' | 'promise' | 'dispute' | 'agent' | 'menu' | 'stop';

export interface ParsedReply {
  intent: Intent;
  /** YYYY-MM-DD, in the debtor's calendar (relative dates count from `today`). */
  date?: string;
  /** A dispute's reason in the debtor's words. */
  reason?: string;
}

export type ReplyOutcome =
  | { kind: 'menu' }
  | { kind: 'payment_link'; url: string }
  | { kind: 'promise_accepted'; date: string }
  | { kind: 'promise_rejected'; reason: string; latestDate?: string }
  | { kind: 'promise_needs_date' }
  | { kind: 'dispute_opened' }
  | { kind: 'agent_will_call' }
  | { kind: 'opted_out' };

export function menuLocale(locale: string | null | undefined): MenuLocale {
  return locale?.toLowerCase().startsWith('en') ? 'en' : 'es';
}

/** Today's date in the debtor's time zone, the `today` that parseReply expects. */
export function localToday(now: Date | number, zone: string): string {
  const d = DateTime.fromMillis(typeof now === 'number' ? now : now.getTime(), { zone });
  if (!d.isValid) throw new RangeError(`Unknown time zone ${zone}`);
  return d.toISODate() ?? '';
}

const MENU: Record<MenuLocale, string> = {
  es: [
    'Responde con el número de una opción:',
    '1. Pagar ahora (te enviamos el enlace de pago)',
    '2. Prometer una fecha de pago (por ejemplo: 2 15/12)',
    '3. Presentar un reclamo (por ejemplo: 3 no reconozco la factura)',
    '4. Hablar con un asesor',
    'Escribe BAJA para no recibir más mensajes por WhatsApp.',
  ].join('\n'),
  en: [
    'Reply with the number of an option:',
    '1. Pay now (we send you the payment link)',
    '2. Promise a payment date (for example: 2 15/12, day/month)',
    '3. Dispute the debt (for example: 3 I do not recognise this invoice)',
    '4. Talk to an agent',
    'Send STOP to receive no more WhatsApp messages.',
  ].join('\n'),
};

export function menuText(locale: string): string {
  return MENU[menuLocale(locale)];
}

/** Lower case, no accents, single spaces: "Mañana  PAGO" → "manana pago". */
function normalise(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

const STOP_PHRASES = new Set([
  'stop',
  'baja',
  'alto',
  'parar',
  'detener',
  'cancelar',
  'unsubscribe',
  'stop messages',
  'darme de baja',
  'dar de baja',
  'dame de baja',
  'no mas mensajes',
  'no me escriban',
  'no me escriban mas',
  'no quiero mas mensajes',
  'opt out',
  'optout',
]);
const STOP_FIRST_WORD = /^(stop|baja|unsubscribe)\b/;

const DISPUTE =
  /\b(reclamo|reclamar|reclamacion|disputa|disputar|queja|no reconozco|no debo|ya pague|dispute|complaint|claim|not mine|i don'?t owe|already paid)\b/;
const PROMISE =
  /\b(prometo|promesa|prometer|me comprometo|compromiso|pagare|voy a pagar|puedo pagar|promise|i will pay|i'?ll pay|will pay|can pay)\b/;
const AGENT =
  /\b(agente|asesor|asesora|ejecutivo|humano|persona|hablar|llamar|llamen|llamenme|llamada|agent|human|person|operator|representative|talk|call me|speak)\b/;
const NEGATED = /\b(no puedo|no voy a|no podre|no tengo|can'?t|cannot|won'?t|will not|unable to)\b/;
const PAY = /\b(pagar|pago|pagarlo|link|liga|enlace|pay|payment|paying)\b/;

const CHOICE = /^(?:(?:opcion|option|#)\s*)?([0-9])(?:$|[\s.):-]+(.*)$)/;
const CHOICES: Partial<Record<string, Intent>> = {
  '0': 'menu',
  '1': 'pay',
  '2': 'promise',
  '3': 'dispute',
  '4': 'agent',
};
const LEADING_KEYWORD =
  /^\s*(?:(?:opci[oó]n|option|#)\s*)?(?:[0-9](?:[\s.):-]+|$))?\s*(?:reclamo|reclamar|reclamaci[oó]n|disputa|disputar|queja|dispute|complaint|claim)?\s*[:,.-]?\s*/i;

export function parseReply(text: string, _locale: string, today: string): ParsedReply {
  const t = normalise(text);
  const bare = t.replace(/[.!¡?¿]+$/g, '').trim();
  if (STOP_PHRASES.has(bare) || STOP_FIRST_WORD.test(bare)) return { intent: 'stop' };

  const choice = CHOICE.exec(t);
  const picked = choice ? CHOICES[choice[1] ?? ''] : undefined;
  if (choice && picked) return withDetails(picked, text, choice[2] ?? '', today);
  if (choice) return { intent: 'menu' };

  if (DISPUTE.test(t)) return withDetails('dispute', text, t, today);
  // "No puedo pagar" is neither a payment nor a promise: someone should talk to them.
  if (NEGATED.test(t) && (PROMISE.test(t) || PAY.test(t))) return { intent: 'agent' };
  const date = findDate(t, today);
  if (PROMISE.test(t) || (date && PAY.test(t))) return date ? { intent: 'promise', date } : { intent: 'promise' };
  if (AGENT.test(t)) return { intent: 'agent' };
  if (PAY.test(t)) return { intent: 'pay' };
  // A bare date ("15/12", "el viernes 15") can only be a promise.
  if (date) return { intent: 'promise', date };
  return { intent: 'menu' };
}

function withDetails(intent: Intent, original: string, rest: string, today: string): ParsedReply {
  if (intent === 'promise') {
    const date = findDate(rest, today);
    return date ? { intent, date } : { intent };
  }
  if (intent === 'dispute') {
    const reason = original.replace(LEADING_KEYWORD, '').trim();
    return reason ? { intent, reason } : { intent };
  }
  return { intent };
}

const MONTHS: Record<string, number> = {
  enero: 1,
  febrero: 2,
  marzo: 3,
  abril: 4,
  mayo: 5,
  junio: 6,
  julio: 7,
  agosto: 8,
  septiembre: 9,
  setiembre: 9,
  octubre: 10,
  noviembre: 11,
  diciembre: 12,
  ene: 1,
  feb: 2,
  mar: 3,
  abr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  ago: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dic: 12,
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
  jan: 1,
  aug: 8,
  dec: 12,
};
const MONTH = `(${Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|')})`;

const ISO = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/;
const NUMERIC = /\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?\b/;
const DAY_MONTH = new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?: de| of)? ${MONTH}\\b(?:,? (?:de |del )?(\\d{4}))?`);
const MONTH_DAY = new RegExp(`\\b${MONTH} (\\d{1,2})(?:st|nd|rd|th)?\\b(?:,? (\\d{4}))?`);
const DAY_ONLY = /\b(?:el|dia|on the|on|the) (\d{1,2})(?:st|nd|rd|th)?\b/;

/** The first date in a normalised text, as YYYY-MM-DD; a date without a year is its next occurrence from today. */
export function findDate(t: string, today: string): string | undefined {
  const base = DateTime.fromISO(today, { zone: 'utc' });
  if (!base.isValid) throw new RangeError(`today must be YYYY-MM-DD, got ${today}`);
  if (/\b(pasado manana|day after tomorrow)\b/.test(t)) return iso(base.plus({ days: 2 }));
  if (/\b(manana|tomorrow)\b/.test(t)) return iso(base.plus({ days: 1 }));
  if (/\b(hoy|today)\b/.test(t)) return iso(base);

  let m = ISO.exec(t);
  if (m) return exact(Number(m[1]), Number(m[2]), Number(m[3]));
  m = NUMERIC.exec(t);
  if (m) return dayMonth(base, Number(m[1]), Number(m[2]), m[3]);
  m = DAY_MONTH.exec(t);
  if (m) return dayMonth(base, Number(m[1]), MONTHS[m[2] ?? ''] ?? 0, m[3]);
  m = MONTH_DAY.exec(t);
  if (m) return dayMonth(base, Number(m[2]), MONTHS[m[1] ?? ''] ?? 0, m[3]);
  m = DAY_ONLY.exec(t);
  if (m) {
    const day = Number(m[1]);
    const thisMonth = base.set({ day: 1 });
    for (const month of [thisMonth, thisMonth.plus({ months: 1 }), thisMonth.plus({ months: 2 })]) {
      const d = exact(month.year, month.month, day);
      if (d !== undefined && d >= today) return d;
    }
  }
  return undefined;
}

function dayMonth(base: DateTime, day: number, month: number, year: string | undefined): string | undefined {
  if (year !== undefined) return exact(year.length === 2 ? 2000 + Number(year) : Number(year), month, day);
  const thisYear = exact(base.year, month, day);
  if (thisYear !== undefined && thisYear >= iso(base)) return thisYear;
  return exact(base.year + 1, month, day);
}

function exact(year: number, month: number, day: number): string | undefined {
  const d = DateTime.fromObject({ year, month, day }, { zone: 'utc' });
  return d.isValid ? iso(d) : undefined;
}

function iso(d: DateTime): string {
  return d.toISODate() ?? '';
}

function longDate(date: string, locale: MenuLocale): string {
  const d = DateTime.fromISO(date, { zone: 'utc' }).setLocale(locale === 'es' ? 'es' : 'en');
  return d.isValid ? d.toLocaleString(DateTime.DATE_FULL) : date;
}

const REJECTIONS: Record<MenuLocale, Partial<Record<string, string>>> = {
  es: {
    due_date_in_past: 'La fecha ya pasó. Indícanos una fecha a partir de hoy.',
    due_date_too_far: 'La fecha está demasiado lejos.',
    amount_too_low: 'El monto es menor al mínimo aceptado para una promesa.',
    promise_active: 'Ya tienes una promesa de pago vigente.',
    plan_active: 'Ya tienes un plan de pagos vigente.',
    account_closed: 'Tu cuenta ya está cerrada.',
    invalid_due_date: 'No entendimos la fecha. Escríbela como día/mes, por ejemplo 15/12.',
  },
  en: {
    due_date_in_past: 'That date has passed. Please give us a date from today on.',
    due_date_too_far: 'That date is too far away.',
    amount_too_low: 'The amount is below the minimum we can accept for a promise.',
    promise_active: 'You already have an active promise to pay.',
    plan_active: 'You already have an active payment plan.',
    account_closed: 'Your account is already closed.',
    invalid_due_date: 'We could not read the date. Please write it as day/month, for example 15/12.',
  },
};

export function replyFor(outcome: ReplyOutcome, locale: string): string {
  const l = menuLocale(locale);
  const es = l === 'es';
  switch (outcome.kind) {
    case 'menu':
      return menuText(l);
    case 'payment_link':
      return es ? `Puedes pagar aquí: ${outcome.url}` : `You can pay here: ${outcome.url}`;
    case 'promise_accepted':
      return es
        ? `¡Gracias! Registramos tu promesa de pago para el ${longDate(outcome.date, l)}.`
        : `Thank you! We recorded your promise to pay on ${longDate(outcome.date, l)}.`;
    case 'promise_rejected': {
      const why =
        REJECTIONS[l][outcome.reason] ?? (es ? 'No podemos aceptar esa promesa.' : 'We cannot accept that promise.');
      const latest = outcome.latestDate
        ? es
          ? ` La fecha más lejana posible es el ${longDate(outcome.latestDate, l)}.`
          : ` The latest possible date is ${longDate(outcome.latestDate, l)}.`
        : '';
      return es
        ? `No pudimos registrar tu promesa. ${why}${latest} Responde 4 para hablar con un asesor.`
        : `We could not record your promise. ${why}${latest} Reply 4 to talk to an agent.`;
    }
    case 'promise_needs_date':
      return es
        ? '¿Qué día vas a pagar? Escribe la fecha como día/mes, por ejemplo: 2 15/12.'
        : 'Which day will you pay? Write the date as day/month, for example: 2 15/12.';
    case 'dispute_opened':
      return es
        ? 'Registramos tu reclamo. Suspendemos los avisos de cobro mientras lo revisamos y te responderemos pronto.'
        : 'We have opened your dispute. Collection reminders are paused while we review it; we will get back to you soon.';
    case 'agent_will_call':
      return es ? 'Un asesor te llamará pronto.' : 'An agent will call you soon.';
    case 'opted_out':
      return es
        ? 'Listo: no te enviaremos más mensajes por WhatsApp.'
        : 'Done: we will not send you any more WhatsApp messages.';
  }
}
