// Server-rendered pages of the debtor portal: plain HTML forms, a few hundred bytes of inline CSS, no
// script. Every page has lang, one <h1>, labelled inputs and works on a narrow phone screen first.
import { DateTime } from 'luxon';
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import { displayAmount } from '../../strategies/templates';
import { fill, LANGS, TEXTS, type Lang, type TextKey } from './i18n';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Text of the dictionary, filled and escaped. */
export function t(lang: Lang, key: TextKey, values?: Record<string, string | number>): string {
  return escapeHtml(fill(TEXTS[lang][key], values));
}

const LOCALES: Record<Lang, string> = { es: 'es-MX', en: 'en-US' };

export function money(lang: Lang, minor: number, currency: string): string {
  return displayAmount(formatMinor(minor, currencyDigits(currency)), currency, LOCALES[lang]);
}

/** A plain decimal for an input's value ("1500.00"). */
export function decimal(minor: number, currency: string): string {
  return formatMinor(minor, currencyDigits(currency));
}

export function date(lang: Lang, iso: string): string {
  const d = DateTime.fromISO(iso, { zone: 'UTC' });
  return d.isValid ? d.setLocale(LOCALES[lang]).toLocaleString(DateTime.DATE_MED) : iso;
}

const CSS =
  ':root{color-scheme:light dark;--a:#0b5cad}body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:40rem;padding:0 1rem 2rem}' +
  'header{display:flex;justify-content:space-between;align-items:center;gap:1rem;border-bottom:1px solid #8884;padding:.5rem 0}' +
  'section{border:1px solid #8886;border-radius:.5rem;padding:.75rem 1rem;margin:1rem 0}h1{font-size:1.5rem}h2{font-size:1.2rem;margin:.2rem 0}' +
  'table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:.3rem .2rem;border-bottom:1px solid #8883}td.n,th.n{text-align:right}' +
  'label{display:block;margin:.6rem 0 .2rem;font-weight:600}input,select,textarea{font:inherit;width:100%;box-sizing:border-box;padding:.5rem}' +
  'button,.btn{font:inherit;display:inline-block;margin-top:.75rem;padding:.6rem 1.1rem;border:0;border-radius:.4rem;background:var(--a);color:#fff;text-decoration:none}' +
  '.ok{border-color:#2a7;background:#2a71}.bad{border-color:#c33;background:#c331}.big{font-size:1.6rem;font-weight:700}small,.muted{color:#555}' +
  'a{color:var(--a)}@media (prefers-color-scheme:dark){:root{--a:#6af}small,.muted{color:#bbb}button,.btn{color:#000}}';

export interface LayoutOptions {
  /** The portal link's token, for the language switch; absent on the invalid-link page. */
  token?: string;
  /** The current path below the token ('' for the overview), so switching language stays on the page. */
  here?: string;
}

export function layout(lang: Lang, title: string, body: string, opts: LayoutOptions = {}): string {
  const switcher = opts.token
    ? `<nav aria-label="${t(lang, 'language')}">` +
      LANGS.map((l) =>
        l === lang
          ? `<strong lang="${l}">${l.toUpperCase()}</strong>`
          : `<a lang="${l}" hreflang="${l}" href="/portal/${escapeHtml(opts.token ?? '')}${escapeHtml(opts.here ?? '')}?lang=${l}">${l.toUpperCase()}</a>`,
      ).join(' | ') +
      '</nav>'
    : '';
  return (
    `<!doctype html><html lang="${lang}"><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex,nofollow">' +
    `<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · ${t(lang, 'siteName')}</title><style>${CSS}</style></head>` +
    `<body><header><span>${t(lang, 'siteName')}</span>${switcher}</header><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`
  );
}

export function notice(kind: 'ok' | 'bad', html: string): string {
  return `<section class="${kind}" role="${kind === 'bad' ? 'alert' : 'status'}"><p>${html}</p></section>`;
}

export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

export function invoiceTable(
  lang: Lang,
  currency: string,
  rows: { externalId: string; dueDate: string; amountMinor: number; openMinor?: number }[],
): string {
  if (rows.length === 0) return '';
  const open = rows.some((r) => r.openMinor !== undefined);
  return (
    `<table><caption class="muted">${t(lang, 'invoices')}</caption><thead><tr><th scope="col">${t(lang, 'invoice')}</th>` +
    `<th scope="col">${t(lang, 'dueDate')}</th><th scope="col" class="n">${t(lang, open ? 'open' : 'amount')}</th></tr></thead><tbody>` +
    rows
      .map(
        (r) =>
          `<tr><td>${escapeHtml(r.externalId)}</td><td>${escapeHtml(date(lang, r.dueDate))}</td>` +
          `<td class="n">${escapeHtml(money(lang, r.openMinor ?? r.amountMinor, currency))}</td></tr>`,
      )
      .join('') +
    '</tbody></table>'
  );
}
