import { isoDate, isoDateTime, problemResponses, uuidParam, versionNumber } from './common';
import { kpiGroup } from './kpis';

/** Without a sample, a backtest replays at most this many accounts (each is a run of the decision core). */
export const MAX_BACKTEST_ACCOUNTS = 20_000;

const strategyId = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$',
  description: 'a strategy id: letters, digits, "-" or "_"',
} as const;
const counts = (description: string) =>
  ({ type: 'object', additionalProperties: { type: 'integer' }, description }) as const;
const days = (description: string) => ({ type: ['number', 'null'], description }) as const;

const { key: _key, ...kpiFields } = kpiGroup.properties;
const kpiFigures = {
  type: 'object',
  required: kpiGroup.required.filter((field) => field !== 'key'),
  properties: kpiFields,
} as const;

const figures = {
  type: 'object',
  required: ['kpis', 'contacts', 'deferred', 'skipped', 'handoffs', 'timing'],
  properties: {
    kpis: {
      type: 'array',
      items: kpiFigures,
      description: 'The KPI function (GET /v1/kpis, the portfolio simulation) over the period, one per currency.',
    },
    contacts: {
      type: 'object',
      required: ['attempts', 'byChannel', 'accounts'],
      properties: {
        attempts: { type: 'integer', description: 'messages sent + tasks created in the period' },
        byChannel: counts('{channel: messages + tasks}'),
        accounts: { type: 'integer', description: 'accounts with at least one contact in the period' },
      },
    },
    deferred: counts('{reason: count of `deferred` entries} (the rule that held the contact back)'),
    skipped: counts('{reason: count of `skipped` entries}'),
    handoffs: {
      type: 'object',
      required: ['accounts', 'byStatus'],
      properties: {
        accounts: { type: 'integer', description: 'accounts handed off (a terminal stage) in the period' },
        byStatus: counts('{status: count} of `closed` entries other than paid and written_off'),
      },
    },
    timing: {
      type: 'object',
      required: ['medianDayOfFirstContact', 'medianDayOfHandoff'],
      properties: {
        medianDayOfFirstContact: days(
          'median over contacted accounts of the day (days past due) of their first contact in the period',
        ),
        medianDayOfHandoff: days('median over handed-off accounts of the day (days past due) of the hand-off'),
      },
    },
  },
} as const;

const result = {
  type: ['object', 'null'],
  description: 'Once completed: what the ledger recorded (`actual`) beside the version under test (`simulated`).',
  required: ['accounts', 'notReplayed', 'accountsWithOtherContacts', 'replayedUntil', 'actual', 'simulated'],
  properties: {
    accounts: { type: 'integer', description: 'accounts replayed' },
    notReplayed: { type: 'integer', description: 'accounts with activity but no invoice to open with' },
    accountsWithOtherContacts: {
      type: 'integer',
      description: 'accounts whose contacts in the period (instant, kind, channel) differ between the two sides',
    },
    replayedUntil: {
      ...isoDateTime,
      description: 'where the simulated clock stopped: the end of `to`, or when the job started if that is earlier',
    },
    actual: figures,
    simulated: figures,
  },
} as const;

const job = {
  type: 'object',
  required: ['jobId', 'status', 'strategy', 'from', 'to', 'progress', 'createdAt'],
  properties: {
    jobId: uuidParam,
    status: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
    strategy: {
      type: 'object',
      required: ['id', 'version'],
      properties: { id: { type: 'string' }, version: { type: 'integer' } },
      description: 'the version under test',
    },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    sample: { type: ['integer', 'null'] },
    collectedUnder: { type: ['string', 'null'] },
    progress: {
      type: 'object',
      required: ['accountsDone', 'accountsTotal'],
      properties: {
        accountsDone: { type: 'integer' },
        accountsTotal: { type: ['integer', 'null'], description: 'null until the accounts are chosen' },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: ['string', 'null'], format: 'date-time' },
    finishedAt: { type: ['string', 'null'], format: 'date-time' },
    result,
    error: {
      type: ['object', 'null'],
      properties: { message: { type: 'string' } },
      description: 'why a failed job stopped',
    },
  },
} as const;

export const startBacktestSchema = {
  tags: ['strategies'],
  summary: 'Replay what really happened to the accounts of a period through this strategy version.',
  description:
    'Takes the accounts with ledger activity in [from, to] (the debtors’ local dates), or a deterministic `sample` of them (by a hash of the account id), and replays each one’s recorded external events — invoices, payments, promise and plan requests, disputes and resolutions, pauses, opt-outs, write-offs, recalls, contact outcomes and replies — through this version with the production decision core on a simulated clock, from the account’s opening to the end of `to` (or now). What the strategy caused (messages, tasks, deferrals, stage entries, promise answers and judgements, hand-offs) is decided anew by this version. Answers 202 with a job; GET /v1/backtests/{jobId} shows its progress and, when done, the KPIs and contact figures of both sides.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'version'],
    properties: { id: strategyId, version: versionNumber },
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: { ...isoDate, description: 'first local date counted (YYYY-MM-DD)' },
      to: { ...isoDate, description: 'last local date counted (YYYY-MM-DD), at most 2 years after from' },
      sample: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_BACKTEST_ACCOUNTS,
        description: `replay at most this many accounts, the same ones each time; needed above ${MAX_BACKTEST_ACCOUNTS} accounts`,
      },
      collectedUnder: {
        ...strategyId,
        description: 'only accounts whose ledger entries in the period were written under this strategy id',
      },
    },
  },
  response: { 202: job, ...problemResponses(400, 401, 403, 404) },
} as const;

export const getBacktestSchema = {
  tags: ['strategies'],
  summary: 'A backtest’s progress and, once completed, its figures: actual beside simulated.',
  params: {
    type: 'object',
    additionalProperties: false,
    required: ['jobId'],
    properties: { jobId: uuidParam },
  },
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: { 200: job, ...problemResponses(400, 401, 403, 404) },
} as const;
