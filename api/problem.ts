// RFC 9457 problem details: the one shape every error leaves the API in.

export interface FieldError {
  field: string;
  message: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? title);
    this.name = 'ProblemError';
  }
}

export const notFound = (what: string) => new ProblemError(404, 'Not Found', `${what} does not exist.`);
export const conflict = (detail: string, extra?: Record<string, unknown>) =>
  new ProblemError(409, 'Conflict', detail, undefined, extra);
export const unprocessable = (detail: string, extra?: Record<string, unknown>) =>
  new ProblemError(422, 'Unprocessable Content', detail, undefined, extra);
export const badRequest = (errors: FieldError[]) =>
  new ProblemError(400, 'Bad Request', `${errors.length} field(s) are invalid.`, errors);
export const unavailable = (detail: string) => new ProblemError(503, 'Service Unavailable', detail);

export function problemBody(
  status: number,
  title: string,
  detail?: string,
  errors?: FieldError[],
  extra?: Record<string, unknown>,
) {
  return {
    type: `https://collections.dev/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`,
    title,
    status,
    ...(detail !== undefined ? { detail } : {}),
    ...(errors ? { errors } : {}),
    ...extra,
  };
}

export const problemSchema = {
  $id: 'Problem',
  type: 'object',
  description: 'RFC 9457 problem details.',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    reason: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
} as const;
