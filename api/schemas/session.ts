import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../lib/users/config';
import { problemResponses } from './common';

export const emailField = {
  type: 'string',
  format: 'email',
  minLength: 3,
  maxLength: 254,
  description: 'an email address (compared without regard to case)',
} as const;
/** A password being set: long enough to resist guessing; any characters. */
export const newPasswordField = {
  type: 'string',
  minLength: MIN_PASSWORD_LENGTH,
  maxLength: MAX_PASSWORD_LENGTH,
  pattern: '^[^\\u0000]*$',
  description: `at least ${MIN_PASSWORD_LENGTH} characters`,
} as const;
/** A password being checked: whatever was typed (a wrong one is a 401, not a 400). */
const givenPassword = { type: 'string', minLength: 1, maxLength: MAX_PASSWORD_LENGTH } as const;
export const localeField = { type: 'string', enum: ['es', 'en'] } as const;

export const sessionUser = {
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'agentId', 'locale'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    email: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string', enum: ['admin', 'supervisor', 'strategist', 'agent'] },
    agentId: { type: ['string', 'null'] },
    locale: localeField,
  },
} as const;

const sessionAnswer = {
  type: 'object',
  required: ['user', 'csrfToken'],
  properties: {
    user: sessionUser,
    csrfToken: { type: 'string', description: 'Send it as `x-csrf-token` on every write made with the cookie.' },
  },
} as const;

const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const loginSchema = {
  tags: ['session'],
  summary: 'Sign in to the console: sets the httpOnly `co_session` cookie and answers the user and its CSRF token.',
  description:
    'A wrong email and a wrong password get the same 401. Failed logins are throttled per email and per address (429 with Retry-After).',
  security: [],
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: { email: { type: 'string', minLength: 1, maxLength: 254 }, password: givenPassword },
  },
  response: {
    200: sessionAnswer,
    ...problemResponses(400, 401, 429),
  },
} as const;

const sessionSecurity = [{ session: [] }];

export const currentSessionSchema = {
  tags: ['session'],
  summary: 'The signed-in user and the session’s CSRF token (401 when the session has ended).',
  security: sessionSecurity,
  querystring: noQuery,
  response: { 200: sessionAnswer, ...problemResponses(401, 403) },
} as const;

export const updateSessionSchema = {
  tags: ['session'],
  summary: 'Remember the signed-in user’s language.',
  security: sessionSecurity,
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['locale'],
    properties: { locale: localeField },
  },
  response: { 200: sessionAnswer, ...problemResponses(400, 401, 403) },
} as const;

export const logoutSchema = {
  tags: ['session'],
  summary: 'Sign out: the session ends and its cookie is cleared.',
  security: sessionSecurity,
  querystring: noQuery,
  response: { 204: { description: 'Signed out.', type: 'null' }, ...problemResponses(400, 401, 403) },
} as const;

export const changePasswordSchema = {
  tags: ['session'],
  summary: 'Change the signed-in user’s password; every other session of the user ends.',
  description: 'A wrong `currentPassword` is a 400 naming it, and counts as a failed login for the throttle.',
  security: sessionSecurity,
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['currentPassword', 'newPassword'],
    properties: { currentPassword: givenPassword, newPassword: newPasswordField },
  },
  response: { 204: { description: 'Changed.', type: 'null' }, ...problemResponses(400, 401, 403, 429) },
} as const;
