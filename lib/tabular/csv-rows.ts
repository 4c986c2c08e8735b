// Reads CSV exports as ERPs and banks write them: UTF-8 with or without BOM, Windows-1252, or Excel's
// UTF-16 "Unicode text"; separated by ";", ",", tab or "|"; CRLF or LF; quoted fields. The caller says how
// many headers of a line it knows (its column matcher), which is how the delimiter is chosen.

import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';

/** How many of a line's fields the caller recognises as its headers. */
export type KnownHeaders = (fields: readonly string[]) => number;

export interface CsvRow {
  /** The row number a spreadsheet shows for this line (the first row is 1). */
  line: number;
  cells: string[];
}

const CHUNK_BYTES = 64 * 1024;
const SNIFF_LINES = 10;
const DELIMITERS = [';', ',', '\t', '|'] as const;

/** Excel's "Unicode text" is UTF-16LE; anything else that is not valid UTF-8 is a legacy Windows export. */
function detectEncoding(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return isUtf8(bytes) ? 'utf-8' : 'windows-1252';
}

/** Decodes in slices so a large upload is never duplicated as one big string. */
function* decodedChunks(bytes: Buffer, encoding: string): Generator<string> {
  const decoder = new TextDecoder(encoding);
  for (let start = 0; start < bytes.length; start += CHUNK_BYTES) {
    const text = decoder.decode(bytes.subarray(start, start + CHUNK_BYTES), { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Splits one line on a delimiter outside double quotes; enough for sniffing headers. */
function splitLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) {
      fields.push(current);
      current = '';
    } else current += char;
  }
  fields.push(current);
  return fields;
}

/**
 * Picks the delimiter under which some early line reads as the most known headers; amounts such as
 * "1.234,56" make plain character counts unreliable. Falls back to the most consistent count.
 */
export function sniffDelimiter(sample: string, knownHeaders: KnownHeaders): string {
  const lines = sample
    .split(/\r\n|\n|\r/)
    .filter((line) => line.trim() !== '')
    .slice(0, SNIFF_LINES);
  let best: { delimiter: string; known: number; fields: number } = { delimiter: ',', known: 0, fields: 0 };
  for (const delimiter of DELIMITERS) {
    for (const line of lines) {
      const fields = splitLine(line, delimiter);
      const known = knownHeaders(fields);
      const better = known > best.known || (known === best.known && fields.length > best.fields);
      if (better && fields.length > 1) best = { delimiter, known, fields: fields.length };
    }
  }
  return best.delimiter;
}

/**
 * Yields every record with its spreadsheet line number (blank lines count, as a spreadsheet shows
 * them as empty rows; a quoted multi-line cell is one row).
 */
export async function* csvRows(bytes: Buffer, knownHeaders: KnownHeaders): AsyncGenerator<CsvRow> {
  const encoding = detectEncoding(bytes);
  const sample = new TextDecoder(encoding).decode(bytes.subarray(0, CHUNK_BYTES));
  const parser = parse({
    delimiter: sniffDelimiter(sample, knownHeaders),
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
  });
  const source = Readable.from(decodedChunks(bytes, encoding));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  let line = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    line += 1;
    yield { line, cells: record };
  }
}
