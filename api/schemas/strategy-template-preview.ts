import { currencyCode, moneyString, problemResponses } from './common';

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

/** The most template names one preview renders. */
export const MAX_PREVIEW_TEMPLATES = 50;
/** The default languages: the console's two. */
export const PREVIEW_LOCALES = ['es-MX', 'en-US'] as const;

const rendered = {
  type: 'object',
  required: ['locale', 'resolvedLocale', 'subject', 'body', 'unset'],
  properties: {
    locale: { type: 'string', description: 'the locale asked for' },
    resolvedLocale: {
      type: 'string',
      description: 'the variant used: the locale, its language, es, en, else the first (as a message is sent)',
    },
    subject: { type: ['string', 'null'] },
    body: { type: 'string' },
    unset: {
      type: 'array',
      items: { type: 'string' },
      description:
        'variables the template reads that a sent message does not carry (they render empty), e.g. `dueDate`',
    },
  },
} as const;

export const templatePreviewSchema = {
  tags: ['strategies'],
  summary: 'Render a (draft) strategy’s message templates with sample data, in each language asked for.',
  description:
    'Templates resolve as when a message is sent: the definition’s own `templates`, else the built-in library, with the locale fallback (locale → language → es → en). The sample carries what a sent message carries: `debtor.name`, `balance` (formatted in each locale), `portalUrl` (also `paymentLink`), `optOutUrl`, `creditor.name` (CREDITOR_NAME), and the oldest open invoice’s `invoice.externalId`, `dueDate` (in each locale) and `daysPastDue`. An invalid definition answers 400 with each error at `definition.<path>`.',
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['definition'],
    properties: {
      definition: {
        type: 'object',
        additionalProperties: true,
        description: 'A (draft) strategy definition (CONTRACT §3), checked by the strategy validator.',
      },
      templates: {
        type: 'array',
        maxItems: MAX_PREVIEW_TEMPLATES,
        items: { type: 'string', minLength: 1, maxLength: 100 },
        description: 'template names; default: every template a step uses, in the order of the stages',
      },
      locales: {
        type: 'array',
        minItems: 1,
        maxItems: 4,
        uniqueItems: true,
        items: { type: 'string', pattern: '^[a-z]{2}(-[A-Z]{2})?$' },
        default: [...PREVIEW_LOCALES],
      },
      sample: {
        type: 'object',
        additionalProperties: false,
        properties: {
          debtorName: { type: 'string', minLength: 1, maxLength: 200 },
          balance: moneyString,
          currency: currencyCode,
          creditorName: { type: 'string', minLength: 1, maxLength: 100 },
          invoiceNumber: { type: 'string', minLength: 1, maxLength: 100 },
          dueDate: { type: 'string', format: 'date', description: 'The oldest open invoice’s due date.' },
          today: { type: 'string', format: 'date', description: 'The message’s day: `daysPastDue` counts to it.' },
        },
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['sample', 'templates'],
      properties: {
        sample: {
          type: 'object',
          required: [
            'debtorName',
            'balance',
            'currency',
            'portalUrl',
            'optOutUrl',
            'creditorName',
            'invoiceNumber',
            'dueDate',
            'today',
          ],
          properties: {
            debtorName: { type: 'string' },
            balance: { type: 'string' },
            currency: { type: 'string' },
            portalUrl: { type: 'string' },
            optOutUrl: { type: 'string' },
            creditorName: { type: 'string' },
            invoiceNumber: { type: 'string' },
            dueDate: { type: 'string' },
            today: { type: 'string' },
          },
        },
        templates: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'source', 'renders'],
            properties: {
              name: { type: 'string' },
              source: { type: 'string', enum: ['strategy', 'library'] },
              renders: { type: 'array', items: rendered },
            },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;
