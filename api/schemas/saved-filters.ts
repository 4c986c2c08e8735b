import { accountFilterProperties } from './account-list';
import { listOf, problemResponses, text, uuidParam } from './common';

const resource = { type: 'string', enum: ['accounts'] } as const;
const query = {
  type: 'object',
  additionalProperties: false,
  description: 'The filters of GET /v1/accounts (as its query parameters, typed).',
  properties: accountFilterProperties,
} as const;

const savedFilter = {
  type: 'object',
  required: ['id', 'name', 'resource', 'query', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: { type: 'string' },
    resource,
    query: { type: 'object', additionalProperties: true },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

export const listSavedFiltersSchema = {
  tags: ['saved filters'],
  summary: 'The caller’s saved filters (a person’s own, or the API key’s), by name.',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { resource: { ...resource, default: 'accounts' } },
  },
  response: { 200: listOf(savedFilter), ...problemResponses(400, 401, 403) },
} as const;

export const saveFilterSchema = {
  tags: ['saved filters'],
  summary: 'Save a filter under a name (201); the same name again replaces its query (200).',
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'resource', 'query'],
    properties: { name: text(100), resource, query },
  },
  response: { 200: savedFilter, 201: savedFilter, ...problemResponses(400, 401, 403, 422) },
} as const;

export const deleteSavedFilterSchema = {
  tags: ['saved filters'],
  summary: 'Delete one of the caller’s saved filters.',
  params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: uuidParam } },
  querystring: { type: 'object', additionalProperties: false, properties: {} },
  response: { 204: { description: 'Deleted.', type: 'null' }, ...problemResponses(400, 401, 403, 404) },
} as const;
