import { AGENT_FORMULAS } from '../../lib/kpis/agents';
import { currencyCode, isoDate, moneyString, problemResponses } from './common';

const int = (description: string) => ({ type: 'integer', description }) as const;

export const teamSchema = {
  tags: ['agents'],
  summary: 'The team: each agent’s queue size, tasks done today, promises obtained and amount collected in the period.',
  description: `Agents: console users with the agent role, and any agent id with open tasks or figures in the period. doneToday and the period's figures are the agent productivity KPIs (GET /v1/kpis/agents): tasksDone: ${AGENT_FORMULAS.tasksDone} promisesObtained: ${AGENT_FORMULAS.promisesObtained} collected: ${AGENT_FORMULAS.collected} The period defaults to the month so far; "today" is the date in \`timezone\`.`,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      from: { ...isoDate, description: 'first local date of the period (default: the first of this month)' },
      to: { ...isoDate, description: 'last local date of the period (default: today)' },
      timezone: {
        type: 'string',
        minLength: 1,
        maxLength: 64,
        default: 'America/Mexico_City',
        description: 'the IANA zone whose date is "today"',
      },
      withinDays: {
        type: 'integer',
        minimum: 0,
        maximum: 365,
        default: 7,
        description: 'a payment counts for an agent when it came at most this many days after their contact',
      },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['today', 'from', 'to', 'agents'],
      properties: {
        today: { type: 'string', format: 'date' },
        from: { type: 'string', format: 'date' },
        to: { type: 'string', format: 'date' },
        agents: {
          type: 'array',
          items: {
            type: 'object',
            required: ['agentId', 'user', 'queueSize', 'overdue', 'doneToday', 'promisesObtained', 'collected'],
            properties: {
              agentId: { type: 'string' },
              user: {
                type: ['object', 'null'],
                required: ['id', 'name'],
                properties: { id: { type: 'string' }, name: { type: 'string' } },
              },
              queueSize: int('open tasks assigned to the agent, on open accounts'),
              overdue: int('of those, tasks due by now'),
              doneToday: int(`tasks done today: ${AGENT_FORMULAS.tasksDone}`),
              promisesObtained: int(AGENT_FORMULAS.promisesObtained),
              collected: {
                type: 'array',
                description: AGENT_FORMULAS.collected,
                items: {
                  type: 'object',
                  required: ['currency', 'amount', 'payments'],
                  properties: { currency: currencyCode, amount: moneyString, payments: { type: 'integer' } },
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
