// What the audit log keeps of a request body: its shape and every value, except personal data and free text
// (names, emails, phones, tax ids, addresses, texts, reasons, notes) and passwords, each replaced by its length.

/** A field whose name ends in one of these holds personal data or free text: `name`, `debtorName`, `emails`, … */
const PERSONAL_FIELD = /(name|email|phone|taxid|address|text|reason|note|comment|message|password)s?$/i;

/** A redacted string: how long it was, nothing of what it said. */
export interface Redacted {
  length: number;
}

function redactAll(value: unknown): unknown {
  if (typeof value === 'string') return { length: value.length } satisfies Redacted;
  if (Array.isArray(value)) return value.map(redactAll);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactAll(v)]));
  return value;
}

/** A copy of `value` with every string under a personal field (however deep) replaced by its length. */
export function redactPersonal(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactPersonal);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, PERSONAL_FIELD.test(k) ? redactAll(v) : redactPersonal(v)]),
    );
  return value;
}

/** Bodies larger than this (as JSON, once redacted) are kept as a summary: an audit row is not a data store. */
export const MAX_AUDIT_BODY_BYTES = 16 * 1024;

/** The body as the audit log keeps it: redacted, or a summary of its size when it is too large. */
export function auditBody(body: unknown): unknown {
  if (body === undefined) return null;
  const redacted = redactPersonal(body);
  const bytes = Buffer.byteLength(JSON.stringify(redacted) ?? '');
  if (bytes <= MAX_AUDIT_BODY_BYTES) return redacted;
  return {
    truncated: true,
    bytes,
    ...(Array.isArray(body) ? { items: body.length } : {}),
    ...(body !== null && typeof body === 'object' && !Array.isArray(body) ? { fields: Object.keys(body) } : {}),
  };
}
