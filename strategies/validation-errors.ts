// Turns zod issues into "path: message" errors with paths like `stages[1].steps[0].day`.
import type { z } from 'zod';

export interface FieldError {
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

export function issuesToErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldError[] {
  const errors: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        errors.push({ path: formatPath([...prefix, ...issue.path, key]), message: 'unknown field' });
    } else {
      errors.push({ path: formatPath([...prefix, ...issue.path]), message: issue.message });
    }
  }
  return errors;
}
