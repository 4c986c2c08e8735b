// Turns a strategy template (Liquid: strategists edit it, it cannot run code) into an email's subject, text and HTML.
import { formatMinor, currencyDigits } from '../strategies/core/money';
import type { NormalizedStrategy } from '../strategies/core/types';
import { displayAmount, renderTemplate } from '../strategies/templates';

export interface MessageContent {
  subject: string;
  text: string;
  html: string;
  locale: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function renderEmail(args: {
  strategy: Pick<NormalizedStrategy, 'templates'>;
  template: string;
  locale: string;
  debtorName: string;
  balanceMinor: number;
  currency: string;
}): Promise<MessageContent> {
  const balance = displayAmount(formatMinor(args.balanceMinor, currencyDigits(args.currency)), args.currency, args.locale);
  const rendered = await renderTemplate(args.strategy, args.template, args.locale, { debtor: { name: args.debtorName }, balance });
  const paragraphs = rendered.body.split(/\n{2,}/).map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`);
  return {
    subject: rendered.subject ?? rendered.body.split('\n')[0]?.slice(0, 120) ?? rendered.template,
    text: rendered.body,
    html: `<!doctype html><html lang="${escapeHtml(rendered.locale)}"><body>${paragraphs.join('')}</body></html>`,
    locale: rendered.locale,
  };
}
