// The strategy editor's template preview: a draft's message templates rendered with sample data in each language
// (POST /v1/strategies/template-preview), resolved and rendered exactly as a sent message is (strategies/templates.ts).
import { Liquid } from 'liquidjs';
import {
  TEMPLATE_LIBRARY,
  renderTemplate,
  messageTemplateData,
  resolveTemplate,
  validateStrategy,
  type TemplateData,
} from '../../strategies/index';
import type { FastifyInstance } from 'fastify';
import { badRequest, type FieldError } from '../problem';
import { PREVIEW_LOCALES, templatePreviewSchema } from '../schemas/strategy-template-preview';

// Only for reading which variables a template uses (the same options as the renderer's engine).
const analyser = new Liquid({ strictFilters: true, ownPropertyOnly: true });

const SAMPLE = {
  debtorName: 'Ana Pérez',
  balance: '1500.00',
  currency: 'MXN',
  portalUrl: 'https://cobranza.example/portal/muestra',
  optOutUrl: 'https://cobranza.example/v1/self-service/opt-out?token=muestra',
  creditorName: 'Cobranza Ejemplo',
  invoiceNumber: 'FAC-0001',
  dueDate: '2026-01-15',
  /** The message's day: the sample invoice is 17 days past due. */
  today: '2026-02-01',
};

/** The variables (`debtor.name`, `dueDate`) a template reads that `data` does not carry. */
function unsetVariables(sources: (string | undefined)[], data: Record<string, unknown>): string[] {
  const unset = new Set<string>();
  for (const source of sources) {
    if (source === undefined) continue;
    for (const path of analyser.globalFullVariablesSync(source)) {
      let at: unknown = data;
      for (const key of path.split('.')) {
        at = at && typeof at === 'object' && Object.hasOwn(at, key) ? (at as Record<string, unknown>)[key] : undefined;
      }
      if (at === undefined) unset.add(path);
    }
  }
  return [...unset].sort();
}

interface Body {
  definition: Record<string, unknown>;
  templates?: string[];
  locales: string[];
  sample?: {
    debtorName?: string;
    balance?: string;
    currency?: string;
    creditorName?: string;
    invoiceNumber?: string;
    dueDate?: string;
    today?: string;
  };
}

export function strategyTemplatePreviewRoutes(app: FastifyInstance) {
  app.post<{ Body: Body }>(
    '/v1/strategies/template-preview',
    { schema: templatePreviewSchema, config: { roles: ['strategist'] } },
    async (req) => {
      const checked = validateStrategy(req.body.definition, { pathPrefix: ['definition'] });
      if (!checked.ok) throw badRequest(checked.errors.map((e) => ({ field: e.path, message: e.message })));
      const strategy = checked.strategy;
      const used = strategy.stages.flatMap((s) => s.steps.flatMap((step) => (step.template ? [step.template] : [])));
      const names = req.body.templates ?? [...new Set(used)];
      const unknown: FieldError[] = names.flatMap((name, i) =>
        name in strategy.templates || name in TEMPLATE_LIBRARY
          ? []
          : [{ field: `templates[${i}]`, message: `unknown template "${name}"` }],
      );
      if (unknown.length > 0) throw badRequest(unknown);
      const sample = { ...SAMPLE, ...req.body.sample };
      const locales = req.body.locales.length > 0 ? req.body.locales : [...PREVIEW_LOCALES];
      const templates = await Promise.all(
        names.map(async (name) => ({
          name,
          source: name in strategy.templates ? ('strategy' as const) : ('library' as const),
          renders: await Promise.all(
            locales.map(async (locale) => {
              // What a sent message carries (activities/message-content.ts), formatted in this locale.
              const data: TemplateData = messageTemplateData({
                ...sample,
                locale,
                oldestOpen: { externalId: sample.invoiceNumber, dueDate: sample.dueDate },
              });
              const resolved = resolveTemplate(strategy, name, locale);
              try {
                const out = await renderTemplate(strategy, name, locale, data);
                return {
                  locale,
                  resolvedLocale: out.locale,
                  subject: out.subject,
                  body: out.body,
                  unset: unsetVariables([resolved?.content.subject, resolved?.content.body], data),
                };
              } catch (err) {
                const field =
                  resolved && name in strategy.templates
                    ? `definition.templates.${name}.${resolved.locale}`
                    : `templates[${names.indexOf(name)}]`;
                throw badRequest([{ field, message: (err as Error).message }]);
              }
            }),
          ),
        })),
      );
      return { sample, templates };
    },
  );
}
