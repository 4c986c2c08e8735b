import { AGENT_FORMULAS } from '../../lib/kpis/agents';
import { AGING_BUCKETS, BALANCE_METHOD, STANDING_DIMENSIONS, STANDING_METHOD } from '../../lib/kpis/aging';
import { CHANNEL_FORMULAS } from '../../lib/kpis/rates';
import { KPI_FORMULAS } from '../../strategies/kpis';
import { currencyCode, isoDate, moneyString, problemResponses } from './common';

export const AGING_GROUP_BY = Object.keys(STANDING_DIMENSIONS) as (keyof typeof STANDING_DIMENSIONS)[];

const ratio = (description: string) => ({ type: ['number', 'null'], minimum: 0, maximum: 1, description }) as const;
const int = (description: string) => ({ type: 'integer', minimum: 0, description }) as const;
const money = (description: string) => ({ ...moneyString, description }) as const;
const interval = (description: string) =>
  ({
    type: ['object', 'null'],
    required: ['low', 'high'],
    properties: { low: { type: 'number' }, high: { type: 'number' } },
    description,
  }) as const;

const strategyParam = {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$',
  description: 'only accounts of this strategy (a strategy id)',
} as const;
const currencyParam = { ...currencyCode, description: 'only this currency (figures never mix currencies)' } as const;
const period = {
  from: { ...isoDate, description: 'first local date counted (YYYY-MM-DD)' },
  to: { ...isoDate, description: 'last local date counted (YYYY-MM-DD), at most 2 years after from' },
} as const;
const roles = 'Supervisors and strategists.';

export const agingSchema = {
  tags: ['kpis'],
  summary: 'Aging: open and handed-off accounts by days past due on a date, by balance and count, per currency.',
  description: `${roles} Buckets ${AGING_BUCKETS.join(', ')} (current: not yet due, day ≤ 0). ${STANDING_METHOD} ${BALANCE_METHOD} Accounts closed on the date (paid, written off) are not counted; handed-off ones are.`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      asOf: { ...isoDate, description: 'the date (YYYY-MM-DD); without it, each debtor’s local today' },
      groupBy: {
        type: 'string',
        maxLength: 200,
        description: `comma-separated, any of: ${AGING_GROUP_BY.join(', ')} (as of the account's last entry by the date)`,
      },
      strategy: strategyParam,
      currency: currencyParam,
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['asOf', 'groupBy', 'groups'],
      properties: {
        asOf: { type: ['string', 'null'], format: 'date', description: 'the date asked, null for each debtor’s today' },
        groupBy: { type: 'array', items: { type: 'string' } },
        groups: {
          type: 'array',
          items: {
            type: 'object',
            required: ['key', 'currency', 'accounts', 'balance', 'buckets'],
            properties: {
              key: { type: 'object', additionalProperties: true, description: 'one field per groupBy dimension' },
              currency: { ...currencyCode, description: KPI_FORMULAS.currency },
              accounts: int('open and handed-off accounts on the date.'),
              balance: money('Σ their balance on the date.'),
              buckets: {
                type: 'array',
                description: `always the ${AGING_BUCKETS.length} buckets, in order`,
                items: {
                  type: 'object',
                  required: ['bucket', 'accounts', 'balance', 'accountShare', 'balanceShare'],
                  properties: {
                    bucket: { type: 'string', enum: [...AGING_BUCKETS] },
                    accounts: int('accounts whose days past due on the date fall in the bucket.'),
                    balance: money('Σ their balance on the date.'),
                    accountShare: ratio('bucket accounts ÷ accounts (null without accounts).'),
                    balanceShare: ratio('bucket balance ÷ balance (null when the balance is 0).'),
                  },
                },
              },
            },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const rollRatesSchema = {
  tags: ['kpis'],
  summary: 'Roll and cure rates: where the accounts open on `from` stand on `to`, per aging bucket and currency.',
  description: `${roles} ${STANDING_METHOD} Per bucket k on \`from\`: rollRate = accounts in a worse bucket on \`to\` ÷ accounts in k on \`from\`; nextBucketRate = accounts in bucket k+1 on \`to\` ÷ accounts in k (DOMAIN's roll rate); cureRate = accounts in a better bucket or paid on \`to\` ÷ accounts in k. Overall cureRate = accounts delinquent (1+ days past due) on \`from\` that are current or paid on \`to\` ÷ accounts delinquent on \`from\`. Written-off accounts are neither rolled nor cured (they appear in \`to\`). A \`to\` after today ages the accounts by the calendar alone, as if nothing else happened.`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      from: { ...isoDate, description: 'the earlier date (YYYY-MM-DD)' },
      to: { ...isoDate, description: 'the later date (YYYY-MM-DD), at most 2 years after from' },
      strategy: strategyParam,
      currency: currencyParam,
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'groups'],
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        groups: {
          type: 'array',
          items: {
            type: 'object',
            required: ['currency', 'accounts', 'delinquent', 'curedToCurrent', 'cureRate', 'buckets'],
            properties: {
              currency: { ...currencyCode, description: KPI_FORMULAS.currency },
              accounts: int('accounts open on `from`.'),
              delinquent: int('of them, accounts 1 or more days past due on `from`.'),
              curedToCurrent: int('of the delinquent, accounts current or paid on `to`.'),
              cureRate: ratio('curedToCurrent ÷ delinquent (null without delinquent accounts).'),
              buckets: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['bucket', 'accounts', 'to', 'rolled', 'cured', 'rollRate', 'cureRate'],
                  properties: {
                    bucket: { type: 'string', enum: [...AGING_BUCKETS], description: 'the bucket on `from`' },
                    accounts: int('accounts in the bucket on `from`.'),
                    to: {
                      type: 'object',
                      additionalProperties: { type: 'integer' },
                      description: '{bucket on `to`, or closing status (paid, written_off): accounts}',
                    },
                    rolled: int('accounts in a worse bucket on `to`.'),
                    rolledToNext: int('accounts in the next bucket (k+1) on `to`.'),
                    cured: int('accounts in a better bucket or paid on `to`.'),
                    rollRate: ratio('rolled ÷ accounts (null without accounts).'),
                    nextBucketRate: ratio('rolledToNext ÷ accounts (null without accounts).'),
                    cureRate: ratio('cured ÷ accounts (null without accounts).'),
                  },
                },
              },
            },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const channelRatesSchema = {
  tags: ['kpis'],
  summary: 'Delivery and read rates per channel for messages sent in a period.',
  description: `${roles} One row per outbound message with the provider's latest receipt; the period is the debtor's local date of the message. sent: ${CHANNEL_FORMULAS.sent} delivered: ${CHANNEL_FORMULAS.delivered} read: ${CHANNEL_FORMULAS.read} failed: ${CHANNEL_FORMULAS.failed}`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: { ...period, strategy: strategyParam },
  },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'channels'],
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        channels: {
          type: 'array',
          items: {
            type: 'object',
            required: ['channel', 'sent', 'delivered', 'read', 'failed', 'deliveryRate', 'readRate', 'failureRate'],
            properties: {
              channel: { type: 'string' },
              sent: int(CHANNEL_FORMULAS.sent),
              delivered: int(CHANNEL_FORMULAS.delivered),
              read: int(CHANNEL_FORMULAS.read),
              failed: int(CHANNEL_FORMULAS.failed),
              deliveryRate: ratio(CHANNEL_FORMULAS.deliveryRate),
              readRate: ratio(CHANNEL_FORMULAS.readRate),
              failureRate: ratio(CHANNEL_FORMULAS.failureRate),
            },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

export const agentProductivitySchema = {
  tags: ['kpis'],
  summary: 'Agent productivity: tasks done, promises obtained and amount collected after their contacts.',
  description: `${roles} Agents with any task done, promise or collected payment in the period (debtors' local dates). tasksDone: ${AGENT_FORMULAS.tasksDone} promisesObtained: ${AGENT_FORMULAS.promisesObtained} collected: ${AGENT_FORMULAS.collected}`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['from', 'to'],
    properties: {
      ...period,
      withinDays: {
        type: 'integer',
        minimum: 0,
        maximum: 365,
        default: 7,
        description: 'a payment counts for an agent when it came at most this many days (× 24 h) after their contact',
      },
      strategy: strategyParam,
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['from', 'to', 'withinDays', 'agents'],
      properties: {
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        withinDays: { type: 'integer' },
        agents: {
          type: 'array',
          items: {
            type: 'object',
            required: ['agentId', 'tasksDone', 'promisesObtained', 'collected'],
            properties: {
              agentId: { type: 'string', description: AGENT_FORMULAS.agentId },
              tasksDone: int(AGENT_FORMULAS.tasksDone),
              promisesObtained: int(AGENT_FORMULAS.promisesObtained),
              collected: {
                type: 'array',
                description: AGENT_FORMULAS.collected,
                items: {
                  type: 'object',
                  required: ['currency', 'amount', 'payments'],
                  properties: {
                    currency: currencyCode,
                    amount: moneyString,
                    payments: { type: 'integer', minimum: 0 },
                  },
                },
              },
            },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;

const significance = (rateName: string) =>
  ({
    type: ['object', 'null'],
    required: ['z', 'pValue', 'significant'],
    properties: {
      z: {
        type: ['number', 'null'],
        description: 'the statistic (null when infinite: arms without spread that differ)',
      },
      pValue: { type: 'number', minimum: 0, maximum: 1, description: 'two-sided p-value' },
      significant: { type: 'boolean', description: 'pValue < 0.05' },
    },
    description: rateName,
  }) as const;

export const championChallengerSchema = {
  tags: ['kpis'],
  summary: 'Champion against challenger: each arm’s rates with 95 % intervals, and whether the arms differ.',
  description: `${roles} For each champion/challenger split of any published segmentation version that names the strategy (as champion or challenger), the ledger's entries of the period of accounts of the champion strategy in the champion arm and of the challenger strategy in the challenger arm, through the KPI function's definitions: recoveryRate: ${KPI_FORMULAS.recoveryRate} keptRate: ${KPI_FORMULAS.keptRate} rpcRate: ${KPI_FORMULAS.rpcRate} Intervals and tests: keptRate and rpcRate are proportions of counts, with a Wilson score interval and a pooled two-proportion z-test (rpcRate's successes capped at attempts, as the rate is); recoveryRate is a ratio of money (Σ recovered ÷ Σ placed over accounts opened in the period), so its interval is the ratio estimator's delta-method normal interval R ± 1.96·√(Σ(yᵢ − R·xᵢ)² ÷ ((n − 1)·n·x̄²)) over the accounts (the unit randomised), and its test z = (R₁ − R₂) ÷ √(Var₁ + Var₂). Significant means p < 0.05 (two-sided); no correction for looking at three rates. A strategy no split names is a 400.`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    required: ['strategy', 'from', 'to'],
    properties: {
      strategy: { ...strategyParam, description: 'a strategy id (champion or challenger of a split)' },
      ...period,
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['strategy', 'from', 'to', 'splits'],
      properties: {
        strategy: { type: 'string' },
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        splits: {
          type: 'array',
          items: {
            type: 'object',
            required: ['champion', 'challenger', 'rules', 'currencies'],
            properties: {
              champion: { type: 'string', description: 'the champion strategy id' },
              challenger: { type: 'string', description: 'the challenger strategy id' },
              rules: {
                type: 'array',
                description: 'the segmentation rules ("default" for the default) with this split, and their versions',
                items: {
                  type: 'object',
                  properties: { rule: { type: 'string' }, versions: { type: 'array', items: { type: 'integer' } } },
                },
              },
              currencies: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['currency', 'arms', 'difference'],
                  properties: {
                    currency: currencyCode,
                    arms: {
                      type: 'array',
                      items: {
                        type: 'object',
                        properties: {
                          arm: { type: 'string', enum: ['champion', 'challenger'] },
                          strategy: { type: 'string' },
                          accounts: int(KPI_FORMULAS.accounts),
                          opened: int(KPI_FORMULAS.opened),
                          placed: money(KPI_FORMULAS.placed),
                          recovered: money(KPI_FORMULAS.recovered),
                          recoveryRate: ratio(KPI_FORMULAS.recoveryRate),
                          recoveryRateInterval: interval(
                            '95 % delta-method interval of recoveryRate (null under 2 accounts opened).',
                          ),
                          promisesKept: int(KPI_FORMULAS.promisesKept),
                          promisesBroken: int(KPI_FORMULAS.promisesBroken),
                          keptRate: ratio(KPI_FORMULAS.keptRate),
                          keptRateInterval: interval('95 % Wilson interval of kept ÷ (kept + broken).'),
                          attempts: int(KPI_FORMULAS.attempts),
                          rightPartyContacts: int(KPI_FORMULAS.rightPartyContacts),
                          rpcRate: ratio(KPI_FORMULAS.rpcRate),
                          rpcRateInterval: interval(
                            '95 % Wilson interval of min(rightPartyContacts, attempts) ÷ attempts.',
                          ),
                        },
                      },
                    },
                    difference: {
                      type: 'object',
                      properties: {
                        recoveryRate: significance('champion against challenger: z-test of the two ratio estimates'),
                        keptRate: significance('two-proportion z-test (null when an arm had no promise come due)'),
                        rpcRate: significance('two-proportion z-test (null when an arm made no attempt)'),
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403),
  },
} as const;
