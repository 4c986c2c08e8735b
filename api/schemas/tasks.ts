import { agentTasks } from '../../db/schema';
import { pageOf, problemResponses, uuidParam } from './common';

const task = {
  type: 'object',
  required: ['id', 'accountId', 'channel', 'priority', 'dueAt', 'status'],
  properties: {
    id: { type: 'string' },
    accountId: { type: 'string' },
    channel: { type: 'string' },
    priority: { type: 'string' },
    dueAt: { type: 'string', format: 'date-time' },
    status: { type: 'string' },
    assignedAgentId: { type: ['string', 'null'] },
    outcome: { type: ['string', 'null'] },
  },
} as const;

export const listTasksSchema = {
  tags: ['agents'],
  summary: 'The prioritised work queue (an agent sees only their own).',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      // What the table can hold, so a filter never names a status no task can have.
      status: { type: 'string', enum: [...agentTasks.status.enumValues], default: 'open' },
      agentId: { type: 'string', minLength: 1, maxLength: 200 },
      limit: { type: 'integer', minimum: 1, maximum: 500 },
      cursor: { type: 'string', maxLength: 500 },
    },
  },
  response: {
    200: pageOf(task),
    ...problemResponses(400, 401, 403),
  },
} as const;

export const completeTaskSchema = {
  tags: ['agents'],
  summary: 'Complete a task with the contact outcome; the account workflow is told.',
  params: { type: 'object', required: ['taskId'], properties: { taskId: uuidParam } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['outcome'],
    properties: {
      outcome: {
        type: 'string',
        enum: [
          'right_party',
          'conversation',
          'promise_to_pay',
          'paid',
          'no_answer',
          'wrong_party',
          'voicemail',
          'refused',
          'not_found',
        ],
      },
      note: { type: 'string', maxLength: 2000 },
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['id', 'status', 'outcome'],
      properties: { id: { type: 'string' }, status: { type: 'string' }, outcome: { type: 'string' } },
    },
    ...problemResponses(400, 401, 403, 404, 409),
  },
} as const;

export const assignTaskSchema = {
  tags: ['agents'],
  summary: 'Assign (or unassign) a task to an agent.',
  params: { type: 'object', required: ['taskId'], properties: { taskId: uuidParam } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['agentId'],
    properties: { agentId: { type: ['string', 'null'], minLength: 1, maxLength: 200 } },
  },
  response: {
    200: {
      type: 'object',
      required: ['id', 'assignedAgentId'],
      properties: { id: { type: 'string' }, assignedAgentId: { type: ['string', 'null'] } },
    },
    ...problemResponses(400, 401, 403, 404),
  },
} as const;
