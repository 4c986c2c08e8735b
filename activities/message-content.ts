// Turns a strategy template (Liquid: strategists edit it, it cannot run code) into an email's subject, text and HTML.
import { formatMinor, currencyDigits } from '../strategies/core/money';
import type { NormalizedStrategy } from '../strategies/core/types';
import { messageTemplateData, renderTemplate } from '../strategies/templates';

export interface MessageContent {
  subject: string;
  text: string;
  html: string;
  locale: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The line that carries the debtor's portal link when the template does not place it. */
export function portalLine(locale: string): string {
  return /^es(?:[-_]|$)/i.test(locale) ? 'Paga o gestiona tu cuenta aquí:' : 'Pay or manage your account here:';
}

/** The footer that carries the opt-out link: Spanish for Spanish locales, English otherwise. */
export function optOutLine(locale: string): string {
  return /^es(?:[-_]|$)/i.test(locale) ? 'Para dejar de recibir estos correos:' : 'To stop receiving these emails:';
}

export async function renderEmail(args: {
  strategy: Pick<NormalizedStrategy, 'templates'>;
  template: string;
  locale: string;
  debtorName: string;
  balanceMinor: number;
  currency: string;
  /**
   * The signed opt-out link (emails). Templates may place it as `{{ optOutUrl }}`; when the rendered
   * body does not contain it, a footer line in the message's language carries it.
   */
  optOutUrl?: string;
  /**
   * The debtor's personal portal link. Templates may place it as `{{ portalUrl }}` (or `{{ paymentLink }}`);
   * when the rendered body does not contain it, a line in the message's language carries it (before the
   * opt-out footer).
   */
  portalUrl?: string;
  creditorName?: string;
  oldestOpen?: { externalId: string; dueDate: string } | null;
  /** The message's day in the debtor's zone (ISO date). */
  today?: string;
}): Promise<MessageContent> {
  const data = messageTemplateData({
    ...args,
    balance: formatMinor(args.balanceMinor, currencyDigits(args.currency)),
  });
  const rendered = await renderTemplate(args.strategy, args.template, args.locale, data);
  const paragraphs = rendered.body.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  let text = rendered.body;
  if (args.portalUrl && !rendered.body.includes(args.portalUrl)) {
    const line = portalLine(rendered.locale);
    text = `${text}\n\n${line} ${args.portalUrl}`;
    const url = escapeHtml(args.portalUrl);
    paragraphs.push(`<p>${escapeHtml(line)} <a href="${url}">${url}</a></p>`);
  }
  if (args.optOutUrl && !rendered.body.includes(args.optOutUrl)) {
    const line = optOutLine(rendered.locale);
    text = `${text}\n\n${line} ${args.optOutUrl}`;
    const url = escapeHtml(args.optOutUrl);
    paragraphs.push(`<p style="font-size:small;color:#666">${escapeHtml(line)} <a href="${url}">${url}</a></p>`);
  }
  return {
    subject: rendered.subject ?? rendered.body.split('\n')[0]?.slice(0, 120) ?? rendered.template,
    text,
    html: `<!doctype html><html lang="${escapeHtml(rendered.locale)}"><body>${paragraphs.join('')}</body></html>`,
    locale: rendered.locale,
  };
}
