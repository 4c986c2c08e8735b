import { pageOf, problemResponses, uuidParam } from './common';

const nullableString = { type: ['string', 'null'] } as const;

const decision = {
  type: 'object',
  required: [
    'seq',
    'at',
    'type',
    'stage',
    'step',
    'channel',
    'strategy',
    'rule',
    'until',
    'packVersion',
    'rulesChecked',
  ],
  properties: {
    seq: { type: 'integer', description: "The entry's position in the account's timeline (and ledger)." },
    at: { type: 'string', description: "When it was decided, ISO 8601 with the debtor's offset." },
    type: { type: 'string', enum: ['message', 'task', 'deferred', 'skipped'] },
    stage: { type: 'string' },
    step: { ...nullableString, description: 'The step key `stage/stepIndex/visit` (stepIndex counts from 0).' },
    channel: nullableString,
    template: { type: 'string' },
    priority: { type: 'string' },
    strategy: {
      type: ['object', 'null'],
      properties: { id: { type: 'string' }, version: { type: ['integer', 'null'] }, arm: nullableString },
    },
    rule: { ...nullableString, description: 'Why it was deferred or skipped (null for what was sent).' },
    until: { ...nullableString, description: 'Deferred: the next allowed instant it was deferred to.' },
    packVersion: { ...nullableString, description: 'The jurisdiction pack (`id@version`) it was decided under.' },
    rulesChecked: {
      type: 'array',
      items: { type: 'string' },
      description:
        "The compliance rules a contact on this channel is checked against, in the words deferrals use (from the account's current pack and strategy).",
    },
  },
} as const;

const planned = {
  type: 'object',
  required: ['type', 'channel', 'at', 'reason'],
  properties: {
    type: {
      type: 'string',
      description:
        '`message`, `task`, `stage_entered`, `promise_deadline`, `plan_deadline`, `escalation`, `paused`, `disputed` or `handoff`.',
    },
    channel: nullableString,
    at: { ...nullableString, description: 'Expected instant; null when it depends on something still to happen.' },
    reason: { type: 'string' },
  },
} as const;

export const explainSchema = {
  tags: ['accounts'],
  summary: 'Why each contact happened and what happens next.',
  description:
    'Every message or task sent, deferred or skipped (from the ledger, with the strategy version, stage, step, rule ' +
    'and jurisdiction pack version from the contact ledger), and the next planned actions computed by the decision ' +
    "core from the account workflow's state. When the workflow cannot be asked, `next` is empty and the answer " +
    'carries `x-served-from: ledger`. Agents reach only their own accounts.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['accountId'],
    properties: { accountId: uuidParam },
  },
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: {
    200: {
      type: 'object',
      required: ['accountId', 'decisions', 'next'],
      properties: {
        accountId: { type: 'string' },
        decisions: { type: 'array', items: decision },
        next: { type: 'array', items: planned },
      },
    },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;

export const debtorTimelineSchema = {
  tags: ['accounts'],
  summary: "A debtor's timeline across all their accounts, oldest first, by cursor pages.",
  description: 'From the ledger: every timeline entry of every account of the debtor, each with its `accountId`.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['externalId'],
    properties: {
      externalId: { type: 'string', minLength: 1, maxLength: 200, description: 'the debtor id in your system' },
    },
  },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
      cursor: { type: 'string', maxLength: 400, description: 'The `nextCursor` of the previous page.' },
    },
  },
  response: {
    200: pageOf({
      type: 'object',
      required: ['accountId', 'seq', 'at', 'day', 'stage', 'type'],
      additionalProperties: true,
      properties: {
        accountId: { type: 'string' },
        seq: { type: 'integer' },
        at: { type: 'string' },
        day: { type: 'integer' },
        stage: { type: 'string' },
        type: { type: 'string' },
      },
    }),
    ...problemResponses(400, 401, 403, 404),
  },
} as const;
