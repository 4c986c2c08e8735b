// RFC 9457 problems from the API, kept whole so forms can put `detail` (or a field's message) beside the field.
export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  minimum?: string;
  reason?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** The message for one field: its entry in `errors` (body fields are named as in the request). */
  fieldMessage(field: string): string | undefined {
    const name = field.replace(/^\//, '');
    // Body fields are named as sent; query and path parameters carry their part as a prefix.
    return this.problem.errors?.find((e) => [name, `querystring.${name}`, `params.${name}`].includes(e.field))?.message;
  }
}

/** Unwraps an openapi-fetch answer: the data, or an ApiError carrying the problem. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const problem =
      typeof result.error === 'object' && result.error !== null
        ? (result.error as Problem)
        : { title: result.response.statusText, status: result.response.status };
    throw new ApiError(result.response.status, problem);
  }
  return result.data as T;
}

/** What to show for an error that names no field of the form. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.problem.detail ?? err.problem.title ?? err.message;
  return err instanceof Error ? err.message : String(err);
}
