import { MAX_ASSIGNMENT_ACCOUNTS } from '../../lib/assignment/select';
import { accountFilterProperties } from './account-list';
import { problemResponses, uuidParam } from './common';

const agentId = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\s\\u0000]+$' } as const;
const agentList = { type: 'array', minItems: 1, maxItems: 200, uniqueItems: true, items: agentId } as const;

export const assignmentsSchema = {
  tags: ['agents'],
  summary: 'Assign or rebalance accounts across agents by a rule; answers what moved (or would, with dryRun).',
  description:
    `Select open accounts by \`accountIds\` or by \`filter\` (the filters of GET /v1/accounts; at most ${MAX_ASSIGNMENT_ACCOUNTS.toLocaleString('en-US')} accounts). ` +
    'round_robin: even shares among `agents` (⌊n/k⌋ or ⌈n/k⌉ each); capacity: each agent holds at most `capacity[agent]` open accounts in all; ' +
    'segment: each `segments` value’s accounts shared evenly among its agents, the segment read by `segmentBy`. ' +
    'Accounts that already fit stay where they are, so the same request again moves nothing. An account’s open tasks move with it.',
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['rule'],
    properties: {
      rule: { type: 'string', enum: ['round_robin', 'capacity', 'segment'] },
      accountIds: {
        type: 'array',
        minItems: 1,
        maxItems: MAX_ASSIGNMENT_ACCOUNTS,
        uniqueItems: true,
        items: uuidParam,
      },
      filter: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...accountFilterProperties,
          unassigned: { type: 'boolean', description: 'only accounts no agent holds' },
        },
      },
      agents: { ...agentList, description: 'round_robin and capacity: the agents to share among, in order' },
      capacity: {
        type: 'object',
        description: 'capacity: each agent’s most open accounts',
        maxProperties: 200,
        additionalProperties: { type: 'integer', minimum: 0, maximum: 1_000_000 },
      },
      segmentBy: {
        type: 'string',
        enum: ['strategy', 'arm', 'country', 'debtorKind', 'attribute'],
        default: 'attribute',
        description: 'segment: what an account’s segment is (attribute: the debtor attribute `attribute`)',
      },
      attribute: { type: 'string', minLength: 1, maxLength: 100, default: 'segment' },
      segments: {
        type: 'object',
        description: 'segment: segment value → its agents',
        minProperties: 1,
        maxProperties: 200,
        additionalProperties: agentList,
      },
      dryRun: { type: 'boolean', default: false, description: 'answer what would move, move nothing' },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['rule', 'dryRun', 'selected', 'moved', 'unchanged', 'moves', 'notAssigned', 'agents'],
      properties: {
        rule: { type: 'string' },
        dryRun: { type: 'boolean' },
        selected: { type: 'integer' },
        moved: { type: 'integer' },
        unchanged: { type: 'integer' },
        moves: {
          type: 'array',
          items: {
            type: 'object',
            required: ['accountId', 'from', 'to'],
            properties: { accountId: { type: 'string' }, from: { type: ['string', 'null'] }, to: { type: 'string' } },
          },
        },
        notAssigned: {
          type: 'array',
          items: {
            type: 'object',
            required: ['accountId', 'reason'],
            properties: { accountId: { type: 'string' }, reason: { type: 'string', enum: ['capacity', 'no_segment'] } },
          },
        },
        agents: {
          type: 'array',
          description: 'each agent the rule names: the selected accounts they hold after it',
          items: {
            type: 'object',
            required: ['agentId', 'accounts'],
            properties: { agentId: { type: 'string' }, accounts: { type: 'integer' } },
          },
        },
      },
    },
    ...problemResponses(400, 401, 403, 422),
  },
} as const;
