// Pagination cursors: a base64url JSON tuple the API gave out. Whatever comes back is checked part by part
// before it reaches a query, so a hand-made cursor is a 400 naming `cursor`, never a database error.
import { badRequest } from './problem';

type Part = 'int' | 'timestamp' | 'pgTimestamp' | 'uuid';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// An instant as JSON (toISOString) or as PostgreSQL prints timestamptz (`2026-03-05 10:00:00.123456+00`).
const ISO_INSTANT = /^(19|2[01])\d{2}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const PG_INSTANT = /^(19|2[01])\d{2}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/;

const valid: Record<Part, (v: unknown) => boolean> = {
  int: (v) => Number.isSafeInteger(v) && Math.abs(v as number) <= 2_147_483_647,
  timestamp: (v) => typeof v === 'string' && ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
  pgTimestamp: (v) =>
    typeof v === 'string' &&
    PG_INSTANT.test(v) &&
    !Number.isNaN(Date.parse(v.replace(' ', 'T').replace(/([+-]\d{2})$/, '$1:00'))),
  uuid: (v) => typeof v === 'string' && UUID.test(v),
};

export function encodeCursor(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The tuple inside `cursor`, each part of the given kind; anything else is a 400 on `field`. */
export function decodeCursor(cursor: string, parts: readonly Part[], field = 'querystring.cursor'): unknown[] {
  let value: unknown;
  try {
    value = /^[A-Za-z0-9_-]{1,400}$/.test(cursor)
      ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
      : null;
  } catch {
    value = null;
  }
  if (Array.isArray(value) && value.length === parts.length && parts.every((p, i) => valid[p](value[i]))) return value;
  throw badRequest([{ field, message: 'is not a cursor this API gave out' }]);
}
