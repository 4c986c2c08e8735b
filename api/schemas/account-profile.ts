import { moneyString, currencyCode, problemResponses, uuidParam } from './common';

const nullableString = { type: ['string', 'null'] } as const;

export const accountProfileSchema = {
  tags: ['accounts'],
  summary: "The account's debtor contacts, invoices and sent messages (the console's account page).",
  description:
    "The debtor's name and contacts (for click-to-call and WhatsApp links), the account's invoices and the newest " +
    '100 messages sent to the debtor on this account with their delivery status. Agents reach only their own accounts.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['accountId'],
    properties: { accountId: uuidParam },
  },
  response: {
    200: {
      type: 'object',
      required: ['accountId', 'debtor', 'invoices', 'messages'],
      properties: {
        accountId: { type: 'string' },
        debtor: {
          type: 'object',
          required: ['externalId', 'name', 'kind', 'country', 'email', 'phone', 'timezone', 'locale'],
          properties: {
            externalId: { type: 'string' },
            name: { type: 'string' },
            kind: { type: 'string' },
            country: { type: 'string' },
            email: nullableString,
            phone: nullableString,
            timezone: nullableString,
            locale: nullableString,
          },
        },
        invoices: {
          type: 'array',
          items: {
            type: 'object',
            required: ['externalId', 'amount', 'currency', 'dueDate', 'issuedAt'],
            properties: {
              externalId: { type: 'string' },
              amount: moneyString,
              currency: currencyCode,
              dueDate: { type: 'string' },
              issuedAt: nullableString,
            },
          },
        },
        messages: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'channel', 'template', 'status', 'deliveryStatus', 'createdAt', 'sentAt'],
            properties: {
              id: { type: 'string' },
              channel: { type: 'string' },
              template: { type: 'string' },
              status: { type: 'string', description: 'pending, sent, captured (kept, no provider) or failed.' },
              deliveryStatus: { ...nullableString, description: "The provider's latest delivery event." },
              deliveryUpdatedAt: nullableString,
              subject: nullableString,
              bodyText: nullableString,
              createdAt: { type: 'string', format: 'date-time' },
              sentAt: { type: ['string', 'null'], format: 'date-time' },
            },
          },
        },
      },
    },
    ...problemResponses(404),
  },
} as const;
