// One write from a form: the API's problem kept whole, so each field shows its own message (or `detail`).
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, errorText, unwrap } from '../../api/problem';

export interface ActionState {
  busy: boolean;
  error: unknown;
  done: boolean;
  run: (call: () => Promise<{ data?: unknown; error?: unknown; response: Response }>) => Promise<boolean>;
  /** The message for `field`: its own entry, else (for `primary`) the problem's detail, e.g. a policy's minimum. */
  fieldError: (field: string, primary?: boolean) => string | undefined;
  /** Whether the error names none of the form's fields (then it is shown at the form's end). */
  generalError: (fields: string[]) => string | undefined;
}

export function useAction(invalidate: unknown[][] = []): ActionState {
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  return {
    busy,
    error,
    done,
    async run(call) {
      setBusy(true);
      setError(null);
      setDone(false);
      try {
        unwrap(await call());
        setDone(true);
        for (const key of invalidate) void queryClient.invalidateQueries({ queryKey: key });
        return true;
      } catch (err) {
        setError(err);
        return false;
      } finally {
        setBusy(false);
      }
    },
    fieldError(field, primary = false) {
      if (!error) return undefined;
      if (error instanceof ApiError) {
        const own = error.fieldMessage(field);
        if (own) return own;
        if (primary && !error.problem.errors?.length) return errorText(error);
        return undefined;
      }
      return primary ? errorText(error) : undefined;
    },
    generalError(fields) {
      if (!error) return undefined;
      if (error instanceof ApiError && error.problem.errors?.some((e) => fields.includes(e.field))) return undefined;
      if (error instanceof ApiError && !error.problem.errors?.length) return undefined;
      return errorText(error);
    },
  };
}
