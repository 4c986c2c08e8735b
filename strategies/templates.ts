// Message templates: Liquid (no JS execution), resolved from the strategy or the built-in library,
// rendered with a locale fallback (es-MX → es → en → first available).
import { Liquid } from 'liquidjs';
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
