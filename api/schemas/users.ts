import { listOf, problemResponses, text, uuidParam } from './common';
import { emailField, localeField, newPasswordField } from './session';

const userRole = { type: 'string', enum: ['admin', 'supervisor', 'strategist', 'agent'] } as const;
const agentIdField = {
  type: 'string',
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\s\\u0000]+$',
  description: 'The agent id tasks and assignments use; required for (and only for) the agent role.',
} as const;

export const userSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'agentId', 'locale', 'disabled', 'createdAt', 'passwordChangedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: userRole,
    agentId: { type: ['string', 'null'] },
    locale: localeField,
    disabled: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    passwordChangedAt: { type: 'string', format: 'date-time' },
  },
} as const;

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const listUsersSchema = {
  tags: ['access'],
  summary: 'Every console user (never a password hash), by email.',
  querystring: noQuery,
  response: { 200: listOf(userSchema), ...problemResponses(400, 401, 403) },
} as const;

export const createUserSchema = {
  tags: ['access'],
  summary: 'Create a console user. An agent user is the agent its `agentId` names.',
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'name', 'role', 'password'],
    properties: {
      email: emailField,
      name: text(200),
      role: userRole,
      agentId: agentIdField,
      password: newPasswordField,
      locale: localeField,
    },
  },
  response: { 201: userSchema, ...problemResponses(400, 401, 403, 409) },
} as const;

export const updateUserSchema = {
  tags: ['access'],
  summary: 'Change a user: name, role, agent id, disabled (ends their sessions), password (ends their sessions).',
  params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuidParam } },
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      name: text(200),
      role: userRole,
      agentId: { anyOf: [agentIdField, { type: 'null' }] },
      disabled: { type: 'boolean' },
      password: newPasswordField,
      locale: localeField,
    },
  },
  response: { 200: userSchema, ...problemResponses(400, 401, 403, 404, 409) },
} as const;
