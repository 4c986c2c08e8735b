import { accepted, params } from './account-actions';
import { currencyCode, moneyString, problemResponses, text } from './common';

export const writeOffSchema = {
  tags: ['collection control'],
  summary: 'Write off part or all of the balance.',
  description:
    'The amount is taken off the balance oldest invoice first (timeline `written_off` with the reason); when ' +
    'nothing is left the account closes `written_off`. Works on handed-off accounts too.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['amount', 'reason'],
    properties: { amount: moneyString, currency: currencyCode, reason: text(500) },
  },
  response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409, 422) },
} as const;

export const recallSchema = {
  tags: ['collection control'],
  summary: 'Take a handed-off account back to its pre-legal stage.',
  description:
    'The account re-enters the last stage before its terminal one (timeline `stage_entered`, reason `recall`), ' +
    "played from that stage's start and held there for its `minDays` (30 days when it sets none) before a " +
    'scheduled hand-off. 409 unless the account is handed off.',
  params,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: { note: { type: 'string', maxLength: 500 } },
  },
  response: { ...accepted, ...problemResponses(400, 401, 403, 404, 409) },
} as const;
