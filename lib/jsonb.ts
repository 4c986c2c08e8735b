// PostgreSQL's jsonb takes no U+0000 (and text columns take no NUL byte): what a job keeps from a file
// (its headers in an error, a refused line as it was read) shows each NUL as ␀ (U+2400) instead of failing the
// write — which left the job `running` for ever.
export const NUL_SHOWN_AS = '\u2400';

export function jsonbSafe<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', NUL_SHOWN_AS) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => jsonbSafe(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [jsonbSafe(k), jsonbSafe(v as unknown)])) as T;
  return value;
}
