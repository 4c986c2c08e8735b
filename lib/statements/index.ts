// One entry for every statement format: the bytes decide (XML root, MT940 tags), else a bank CSV.
import { parseCamt } from './camt';
import { parseStatementCsv } from './csv';
import { looksLikeMt940, parseMt940 } from './mt940';
import {
  StatementFileError,
  statementLineKey,
  type ParsedLine,
  type StatementDefaults,
  type StatementFormat,
} from './types';

export * from './types';
export { statementColumnsHelp, STATEMENT_COLUMNS } from './csv';

export function detectStatementFormat(bytes: Buffer): 'xml' | 'mt940' | 'csv' {
  const head = bytes
    .subarray(0, 4096)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (head.startsWith('<')) return 'xml';
  if (looksLikeMt940(head) || /^\{1:/.test(head)) return 'mt940';
  return 'csv';
}

export interface ParsedStatement {
  format: StatementFormat;
  lines: ParsedLine[];
}

export async function parseStatement(bytes: Buffer, defaults: StatementDefaults = {}): Promise<ParsedStatement> {
  if (bytes.length === 0) throw new StatementFileError('the file is empty');
  const kind = detectStatementFormat(bytes);
  if (kind === 'xml') return parseCamt(bytes.toString('utf8'), defaults);
  if (kind === 'mt940') return parseMt940(bytes.toString('latin1'), defaults);
  return parseStatementCsv(bytes, defaults);
}

/** Each good line with its key; the n-th identical movement without a bank reference gets n. */
export function keyLines(lines: readonly ParsedLine[]): { key: string; line: ParsedLine & { ok: true } }[] {
  const seen = new Map<string, number>();
  const out: { key: string; line: ParsedLine & { ok: true } }[] = [];
  for (const line of lines) {
    if (!line.ok) continue;
    const base = statementLineKey(line.value, 0);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    out.push({ key: n === 1 ? base : statementLineKey(line.value, n), line });
  }
  return out;
}
