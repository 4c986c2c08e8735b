// Renders a message for one account from a template (Liquid: strategists can edit it, it cannot run code).
import { Liquid } from 'liquidjs';

export interface MessageContent {
  subject: string;
  text: string;
  html: string;
}

export interface TemplateSource {
  subject: string;
  body: string;
}

const engine = new Liquid({ strictFilters: true, ownPropertyOnly: true });

const fallbackTemplates: Record<string, Record<string, TemplateSource>> = {
  reminder: {
    es: { subject: 'Recordatorio de pago', body: 'Hola {{ debtor.name }}, tu saldo pendiente es {{ balance }}.' },
    en: { subject: 'Payment reminder', body: 'Hi {{ debtor.name }}, your outstanding balance is {{ balance }}.' },
  },
};

export function formatMoney(amountMinor: number, currency: string, locale: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const negative = amountMinor < 0;
  const raw = String(Math.abs(amountMinor)).padStart(digits + 1, '0');
  const decimal = digits === 0 ? raw : `${raw.slice(0, -digits)}.${raw.slice(-digits)}`;
  // Intl formats decimal strings exactly (no conversion to a binary float).
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency });
  return fmt.format(`${negative ? '-' : ''}${decimal}` as unknown as number);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function renderMessage(args: {
  template: string;
  locale: string;
  source?: Record<string, TemplateSource>;
  data: Record<string, unknown>;
}): Promise<MessageContent> {
  const byLocale = args.source ?? fallbackTemplates[args.template];
  if (!byLocale) throw new Error(`Unknown template ${args.template}`);
  const lang = args.locale.slice(0, 2).toLowerCase();
  const tpl = byLocale[lang] ?? byLocale.es ?? byLocale.en ?? Object.values(byLocale)[0];
  if (!tpl) throw new Error(`Template ${args.template} has no text`);
  const subject: string = await engine.parseAndRender(tpl.subject, args.data);
  const text: string = await engine.parseAndRender(tpl.body, args.data);
  const html = `<!doctype html><html lang="${escapeHtml(lang)}"><body>${text
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('')}</body></html>`;
  return { subject, text, html };
}
