import { KPI_FORMULAS } from '../../strategies/kpis';
import { currencyCode, isoDate, moneyString, problemResponses } from './common';

export const KPI_GROUP_BY = ['strategy', 'version', 'arm', 'stage', 'channel', 'agent', 'country', 'day'] as const;

const count = (field: keyof typeof KPI_FORMULAS) => ({ type: 'integer', description: KPI_FORMULAS[field] }) as const;
const money = (field: keyof typeof KPI_FORMULAS) => ({ ...moneyString, description: KPI_FORMULAS[field] }) as const;
const ratio = (field: keyof typeof KPI_FORMULAS) =>
  ({ type: ['number', 'null'], minimum: 0, maximum: 1, description: KPI_FORMULAS[field] }) as const;
const counts = (field: keyof typeof KPI_FORMULAS) =>
  ({ type: 'object', additionalProperties: { type: 'integer' }, description: KPI_FORMULAS[field] }) as const;

export const kpiGroup = {
  type: 'object',
  required: ['key', 'currency', 'accounts', 'placed', 'collected', 'recoveryRate', 'promises', 'keptRate'],
  properties: {
    key: {
      type: 'object',
      additionalProperties: true,
      description:
        'The group: one field per groupBy dimension, as the ledger entry recorded it (null when the entry has none, e.g. the channel of a payment).',
    },
    currency: { ...currencyCode, description: KPI_FORMULAS.currency },
    accounts: count('accounts'),
    opened: count('opened'),
    placed: money('placed'),
    collected: money('collected'),
    recovered: money('recovered'),
    recoveryRate: ratio('recoveryRate'),
    promises: count('promises'),
    promisesKept: count('promisesKept'),
    promisesBroken: count('promisesBroken'),
    keptRate: ratio('keptRate'),
    attempts: count('attempts'),
    messages: counts('messages'),
    tasks: counts('tasks'),
    rightPartyContacts: count('rightPartyContacts'),
    rpcRate: ratio('rpcRate'),
    deferred: counts('deferred'),
    skipped: counts('skipped'),
    closed: counts('closed'),
  },
} as const;

export const kpisSchema = {
  tags: ['kpis'],
  summary: 'KPIs from the live ledger for a period of the debtors’ local dates, grouped as asked.',
  description:
    'Counts what happened in [from, to] (local dates of each debtor, both included) from the account ledger, one group per currency and groupBy key. A group is the set of ledger entries sharing its key; its figures are the KPI function (the one the portfolio simulation uses) over those entries. A period without activity answers no groups, or zeros and nulls for the `currency` asked without groupBy.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: { ...isoDate, description: 'first local date counted (YYYY-MM-DD)' },
      to: { ...isoDate, description: 'last local date counted (YYYY-MM-DD), at most 2 years after from' },
      groupBy: {
        type: 'string',
        maxLength: 200,
        description: `comma-separated, any of: ${KPI_GROUP_BY.join(', ')}`,
      },
      currency: { ...currencyCode, description: 'only this currency (figures never mix currencies)' },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'groups'],
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        groupBy: { type: 'array', items: { type: 'string' } },
        groups: { type: 'array', items: kpiGroup },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;
