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
/** At most this many field errors are listed in one answer; `errorCount` says how many there were. */
export const MAX_LISTED_ERRORS = 50;

/** The parts of a 400 for invalid fields: a capped list (a huge bad body must not make a huge answer). */
export function invalidFields(errors: FieldError[]) {
  const total = errors.length;
  const listed = errors.slice(0, MAX_LISTED_ERRORS);
  const detail =
    total > listed.length
      ? `${total.toLocaleString('en-US')} field(s) are invalid; the first ${listed.length} are listed.`
      : `${total} field(s) are invalid.`;
  return { detail, errors: listed, extra: { errorCount: total } };
}

export const badRequest = (errors: FieldError[]) => {
  const { detail, errors: listed, extra } = invalidFields(errors);
  return new ProblemError(400, 'Bad Request', detail, listed, extra);
};
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
    minimum: { type: 'string', description: 'With a refused promise or plan: the smallest acceptable amount.' },
    balance: { type: 'string', description: 'With a refused write-off: the balance it may not exceed.' },
    errorCount: { type: 'integer', description: 'How many fields are invalid; `errors` lists at most 50.' },
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
