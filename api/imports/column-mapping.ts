// The caller's own column mapping ({"debtor.externalId": "Cliente ID"}), checked once before any line is read:
// a target that is no field, or a header the file does not have, is one clear error naming it.

import type { FieldError } from './invoice-input.js';
import type { ExplicitMapping } from './portfolio-columns.js';
import { COLUMN_KEYS, headerIndex, isColumnKey } from './portfolio-columns.js';
import { PortfolioFileError } from './portfolio-file-error.js';

const MAX_HEADER_LENGTH = 300;

export function checkMapping(raw: unknown, prefix = 'mapping'): ExplicitMapping {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new PortfolioFileError('invalid column mapping', [
      { field: prefix, message: 'must be an object from field to header, e.g. {"debtor.externalId": "Cliente ID"}' },
    ]);
  }
  const errors: FieldError[] = [];
  const mapping: ExplicitMapping = {};
  for (const [target, header] of Object.entries(raw)) {
    if (!isColumnKey(target)) {
      errors.push({
        field: `${prefix}.${target}`,
        message: `is not a field a column can feed; the fields are ${COLUMN_KEYS.join(', ')}`,
      });
    } else if (typeof header !== 'string' || header.trim() === '' || header.length > MAX_HEADER_LENGTH) {
      errors.push({ field: `${prefix}.${target}`, message: 'must be the header text of one of the file’s columns' });
    } else mapping[target] = header;
  }
  if (errors.length > 0) throw new PortfolioFileError('invalid column mapping', errors);
  return mapping;
}

/** The mapped headers that the file's header row does not have. */
export function unknownMappedHeaders(mapping: ExplicitMapping, headers: readonly string[], prefix = 'mapping') {
  const errors: FieldError[] = [];
  for (const [target, header] of Object.entries(mapping)) {
    if (headerIndex(headers, header) === undefined)
      errors.push({
        field: `${prefix}.${target}`,
        message: `names the header "${header}", which the file does not have; its headers are ${quoteList(headers)}`,
      });
  }
  return errors;
}

export function quoteList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
