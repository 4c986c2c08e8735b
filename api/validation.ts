// Request validation: bodies are checked strictly (unknown fields rejected, no type coercion, every
// error reported); path and query strings are coerced, since they only ever arrive as text.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from './problem';

function makeAjv(coerce: boolean) {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    removeAdditional: false,
    coerceTypes: coerce,
    useDefaults: true,
    strict: false,
  });
  addFormats(ajv);
  return ajv;
}

const strict = makeAjv(false);
const coercing = makeAjv(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? strict : coercing;
  return ajv.compile(schema as object);
};

function pointerToField(pointer: string): string {
  return pointer
    .split('/')
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('')
    .replace(/^\./, '');
}

function join(base: string, child: string): string {
  return base ? `${base}.${child}` : child;
}

/** One entry per offending field, with the field's JSON path (`debtor.email`, `invoices[3].amount`). */
export function fieldErrors(errors: ErrorObject[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let field = pointerToField(e.instancePath);
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      field = join(field, String((e.params as { missingProperty: string }).missingProperty));
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      field = join(field, String((e.params as { additionalProperty: string }).additionalProperty));
      message = 'is not a known field';
    } else if (e.keyword === 'pattern' || e.keyword === 'format') {
      const description = (e.parentSchema as { description?: string } | undefined)?.description;
      if (description) message = `must be ${description}`;
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).join(', ')}`;
    }
    const full = prefix ? (field ? `${prefix}.${field}` : prefix) : field || '(body)';
    // The first complaint about a field is the one it gets ("" is too short and blank: one entry).
    if (!seen.has(full)) {
      seen.add(full);
      out.push({ field: full, message });
    }
  }
  return out;
}

// PostgreSQL refuses U+0000 in text, and a lone UTF-16 surrogate would be stored as U+FFFD: both are
// refused at the door, once for every route, wherever they appear (body, query, path, headers).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain a NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode text (it holds a lone surrogate)';
  return null;
}

/** Field errors for every string (or object key) under `value` that no text column could store. */
export function unstorableText(value: unknown, path: string, out: FieldError[] = [], depth = 0): FieldError[] {
  if (out.length >= 50 || depth > 64) return out;
  if (typeof value === 'string') {
    const message = textProblem(value);
    if (message) out.push({ field: path || '(body)', message });
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorableText(item, `${path}[${i}]`, out, depth + 1));
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const field = path ? `${path}.${key}` : key;
      const message = textProblem(key);
      if (message) out.push({ field, message: `is a field name that ${message}` });
      unstorableText(item, field, out, depth + 1);
    }
  }
  return out;
}
