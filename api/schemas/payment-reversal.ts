import { moneyString, problemResponses, text, uuidParam } from './common';

export const paymentReversalSchema = {
  tags: ['payments'],
  summary: 'Reverse a booked payment, all or part (a refund, a chargeback, a bounced transfer).',
  description:
    'The amount (default: all that is left of the payment) goes back on the balance, oldest-paid last ' +
    '(timeline `payment_reversed` {reference, amount}); a paid account is collected again. Booked once per ' +
    '`reversalId` (default `api:<reference>`): a repeat answers 202 with `duplicate: true`. 404 when the account ' +
    'has no payment with this reference, 409 when it is already reversed in full, 422 above what is left.',
  params: {
    type: 'object',
    required: ['accountId', 'reference'],
    properties: { accountId: uuidParam, reference: text(200) },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { amount: moneyString, reversalId: text(200), reason: text(500) },
  },
  response: {
    202: {
      description: 'Accepted for the account workflow (delivered through the outbox, in order).',
      type: 'object',
      required: ['accountId', 'accepted', 'reference', 'reversalId', 'amount', 'currency', 'duplicate'],
      properties: {
        accountId: { type: 'string' },
        accepted: { type: 'string' },
        reference: { type: 'string' },
        reversalId: { type: 'string' },
        amount: { type: 'string' },
        currency: { type: 'string' },
        duplicate: { type: 'boolean' },
      },
    },
    ...problemResponses(400, 401, 403, 404, 409, 422),
  },
} as const;
