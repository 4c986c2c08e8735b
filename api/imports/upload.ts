// The two ways a portfolio file arrives: as the raw body (`Content-Type: text/csv` or the XLSX type), or as
// `multipart/form-data` from a browser form or `curl -F`, one file part plus optional text fields that
// stand for the query parameters. Either way the handler gets the bytes and one set of options.
import type { FastifyRequest } from 'fastify';
import { badRequest, ProblemError, type FieldError } from '../problem';
import { MULTIPART_TYPE, UPLOAD_FIELDS, UPLOAD_TYPES, type UploadOptions } from '../schemas/imports';

/** A form carries one file; its text fields are short (a mapping of a few dozen headers at most). */
export const MULTIPART_LIMITS = { files: 1, fields: 10, parts: 12, fieldSize: 64 * 1024, fieldNameSize: 100 };

export interface Upload<O extends Record<string, string | undefined> = UploadOptions> {
  bytes: Buffer;
  /** The file's own type: the raw body's Content-Type, or the file part's. */
  contentType?: string;
  /** The form's fields over the query string's (a form has no query string of its own to speak of). */
  options: O;
  /** Where each option came from, for error paths (`querystring.mapping` or `mapping`). */
  fieldPath(name: keyof O & string): string;
}

/** What the form may carry besides its file (the portfolio import's options by default; statements have theirs). */
export interface UploadSpec {
  fields: readonly string[];
  types: readonly string[];
  what: string;
}

const PORTFOLIO: UploadSpec = { fields: UPLOAD_FIELDS, types: UPLOAD_TYPES, what: 'the portfolio file' };

async function fromMultipart<O extends Record<string, string | undefined>>(
  req: FastifyRequest,
  query: O,
  spec: UploadSpec,
): Promise<Upload<O>> {
  let file: { bytes: Buffer; filename?: string; mimetype?: string } | undefined;
  const fields: Record<string, string> = {};
  const errors: FieldError[] = [];
  try {
    await readParts();
  } catch (err) {
    // A file over the size limit stays 413; too many fields or parts is a form we do not read (400).
    if (err instanceof ProblemError || (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw err;
    // A part without headers, a broken boundary…: the form, not the server, is at fault.
    throw badRequest([
      { field: '(body)', message: `is not a readable multipart/form-data body (${(err as Error).message})` },
    ]);
  }
  async function readParts(): Promise<void> {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (file) errors.push({ field: part.fieldname, message: 'only one file can be imported at a time' });
        else file = { bytes, filename: part.filename || undefined, mimetype: part.mimetype || undefined };
      } else if (spec.fields.includes(part.fieldname) && typeof part.value === 'string') {
        fields[part.fieldname] = part.value;
      } else {
        errors.push({
          field: part.fieldname || '(part)',
          message: `is not a known field; send ${spec.fields.join(', ')} and one file`,
        });
      }
    }
  }
  if (!file) errors.push({ field: 'file', message: `is required: ${spec.what} as a file part` });
  if (errors.length > 0 || !file) throw badRequest(errors);
  const options = { ...query, ...fields } as O & { filename?: string };
  if (options.filename === undefined && file.filename && spec.fields.includes('filename'))
    options.filename = file.filename;
  const mimetype = file.mimetype && file.mimetype !== 'application/octet-stream' ? file.mimetype : undefined;
  return {
    bytes: file.bytes,
    ...(mimetype ? { contentType: mimetype } : {}),
    options,
    fieldPath: (name) => (name in fields ? name : `querystring.${name}`),
  };
}

export async function readUpload<O extends Record<string, string | undefined> = UploadOptions>(
  req: FastifyRequest,
  query: O,
  spec: UploadSpec = PORTFOLIO,
): Promise<Upload<O>> {
  if (req.isMultipart()) return fromMultipart(req, query, spec);
  const bytes = req.body;
  if (!Buffer.isBuffer(bytes)) {
    throw new ProblemError(
      415,
      'Unsupported Media Type',
      `Send the file as the raw body with Content-Type ${spec.types.join(' or ')}, or as ${MULTIPART_TYPE}.`,
    );
  }
  const contentType = req.headers['content-type'];
  return {
    bytes,
    ...(contentType ? { contentType } : {}),
    options: query,
    fieldPath: (name) => `querystring.${name}`,
  };
}
