// Message templates: Liquid (no JS execution), resolved from the strategy or the built-in library,
// rendered with a locale fallback (es-MX → es → en → first available).
import { Liquid } from 'liquidjs';
import { DateTime } from 'luxon';
import { TEMPLATE_LIBRARY } from './builtin/template-library';
import type { NormalizedStrategy, TemplateContent } from './core/types';

// strictFilters rejects unknown filters at parse time; ownPropertyOnly stops prototype walking.
const engine = new Liquid({ strictFilters: true, ownPropertyOnly: true, cache: 500 });

/** Returns the syntax error message of a template string, or null when it parses. */
export function templateSyntaxError(source: string): string | null {
  try {
    engine.parse(source);
    return null;
  } catch (error) {
    return error instanceof Error ? (error.message.split('\n')[0] ?? 'invalid template') : 'invalid template';
  }
}

export function templateExists(strategy: Pick<NormalizedStrategy, 'templates'>, name: string): boolean {
  return name in strategy.templates || name in TEMPLATE_LIBRARY;
}

export function resolveTemplate(
  strategy: Pick<NormalizedStrategy, 'templates'>,
  name: string,
  locale: string,
): { locale: string; content: TemplateContent } | null {
  const variants = strategy.templates[name] ?? TEMPLATE_LIBRARY[name];
  if (!variants) return null;
  const language = locale.split(/[-_]/)[0] ?? locale;
  for (const candidate of [locale, language, 'es', 'en']) {
    const content = variants[candidate];
    if (content) return { locale: candidate, content };
  }
  const first = Object.entries(variants)[0];
  return first ? { locale: first[0], content: first[1] } : null;
}

export interface TemplateData {
  debtor: { name: string; [key: string]: unknown };
  balance: string;
  [key: string]: unknown;
}

export interface RenderedMessage {
  template: string;
  locale: string;
  subject: string | null;
  body: string;
}

export async function renderTemplate(
  strategy: Pick<NormalizedStrategy, 'templates'>,
  name: string,
  locale: string,
  data: TemplateData,
): Promise<RenderedMessage> {
  const resolved = resolveTemplate(strategy, name, locale);
  if (!resolved) throw new Error(`unknown template "${name}"`);
  const subject =
    resolved.content.subject === undefined ? null : await engine.parseAndRender(resolved.content.subject, data);
  const body = await engine.parseAndRender(resolved.content.body, data);
  return { template: name, locale: resolved.locale, subject, body };
}

/** "1500.00" + MXN → "$1,500.00" in the debtor's locale; Intl formats the decimal string exactly. */
export function displayAmount(decimal: string, currency: string, locale: string): string {
  const digits = decimal.split('.')[1]?.length ?? 0;
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(decimal as `${number}`);
}

/** What a message is about, as the sender knows it when it renders the template. */
export interface MessageFacts {
  debtorName: string;
  /** The account's balance, decimal ("1500.00"). */
  balance: string;
  currency: string;
  locale: string;
  /** The debtor's portal: where they pay, promise or dispute (`portalUrl`, and `paymentLink` for the library). */
  portalUrl?: string;
  optOutUrl?: string;
  /** CREDITOR_NAME: who collects (`creditor.name`). */
  creditorName?: string;
  /** The oldest invoice with money still open (`invoice.externalId`, `dueDate`, `daysPastDue`). */
  oldestOpen?: { externalId: string; dueDate: string } | null;
  /** The message's day in the debtor's zone (ISO date): `daysPastDue` counts to it. */
  today?: string;
}

/**
 * The variables every message template may use — the built-in library's and the strategists' own — filled the
 * same way for a sent message (activities/message-content.ts) and the editor's preview. A fact the sender does
 * not have leaves its variable unset (the preview lists those).
 */
export function messageTemplateData(f: MessageFacts): TemplateData {
  const data: TemplateData = {
    debtor: { name: f.debtorName },
    balance: displayAmount(f.balance, f.currency, f.locale),
  };
  if (f.portalUrl) Object.assign(data, { portalUrl: f.portalUrl, paymentLink: f.portalUrl });
  if (f.optOutUrl) data.optOutUrl = f.optOutUrl;
  if (f.creditorName) data.creditor = { name: f.creditorName };
  if (f.oldestOpen) {
    const due = DateTime.fromISO(f.oldestOpen.dueDate, { zone: 'UTC' });
    data.invoice = { externalId: f.oldestOpen.externalId };
    data.dueDate = due.setLocale(f.locale).toLocaleString(DateTime.DATE_FULL);
    if (f.today)
      data.daysPastDue = Math.max(0, Math.round(DateTime.fromISO(f.today, { zone: 'UTC' }).diff(due, 'days').days));
  }
  return data;
}
