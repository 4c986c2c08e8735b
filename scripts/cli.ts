#!/usr/bin/env -S npx tsx
// `collections`: a small client for operators. Imports portfolio files through the API, validates and
// publishes strategies, and runs scenarios through the decision core locally.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { validateStrategy } from '../strategies/index';
import { parseScenario, simulate } from '../strategies/simulate';

const USAGE = `usage:
  collections import FILE [--country MX] [--currency MXN] [--kind person|company] [--map FIELD=HEADER]…
  collections statement FILE [--bank NAME] [--account NUMBER] [--currency MXN] [--map FIELD=HEADER]…
  collections strategy validate FILE
  collections strategy publish FILE
  collections simulate FILE

FILE is JSON or YAML (strategies, scenarios) or CSV/XLSX (imports).
import and strategy publish talk to the API at COLLECTIONS_API_URL (default http://127.0.0.1:3000)
with the key in COLLECTIONS_API_KEY. import exits 0 when every line was imported, 2 when some lines
were refused (they are listed), 1 when the import failed as a whole. --map names the file's column for a
field its header does not match, e.g. --map 'debtor.externalId=Cliente ID' (repeatable).
statement uploads a bank statement (camt.053/054 XML, MT940, bank CSV) to reconcile; it exits 0 when every
line was read, 2 when some were not (they are listed), 1 when the statement failed as a whole.`;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

class CliError extends Error {}

interface FieldError {
  field: string;
  message: string;
}
interface Problem {
  title?: string;
  detail?: string;
  errors?: FieldError[];
}
interface ImportJob {
  jobId: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  totalLines: number | null;
  processedLines: number;
  succeededLines: number;
  failedLines: number;
  summary?: string;
  stages?: Record<string, number> | null;
  error: { message: string; errors?: FieldError[] } | null;
}
interface ErrorPage {
  items: { line: number; errors: FieldError[] }[];
  nextCursor: string | null;
}

function readDocument(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CliError(`${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
}

function api() {
  const base = (process.env.COLLECTIONS_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const key = process.env.COLLECTIONS_API_KEY;
  if (!key)
    throw new CliError(
      'set COLLECTIONS_API_KEY to an API key (system role for import, strategist for strategy publish)',
    );
  return async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
    } catch (error) {
      throw new CliError(`cannot reach the API at ${base}: ${(error as Error).message}`);
    }
    const text = await res.text();
    const json: unknown = text ? JSON.parse(text) : {};
    if (!res.ok) {
      const problem = json as Problem;
      const details = (problem.errors ?? []).map((e) => `  ${e.field}: ${e.message}`);
      throw new CliError(
        [
          `${method} ${path}: ${res.status} ${problem.title ?? ''}${problem.detail ? ` — ${problem.detail}` : ''}`,
          ...details,
        ].join('\n'),
      );
    }
    return json as T;
  };
}

function progressBar(done: number, total: number | null): string {
  if (!total) return `${done} lines`;
  const share = Math.min(1, done / total);
  const width = 30;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(share * 100)}% ${done}/${total} lines`;
}

/** Data lines in a CSV, for the progress bar (the header counts as one); unknown for XLSX. */
function estimateLines(bytes: Buffer, isXlsx: boolean): number | null {
  if (isXlsx) return null;
  let lines = 0;
  for (const byte of bytes) if (byte === 0x0a) lines += 1;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) lines += 1;
  return Math.max(0, lines - 1);
}

/** `--map 'debtor.externalId=Cliente ID'` pairs as the API's `mapping` object (the header may hold "="). */
function columnMapping(pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const field = pair.slice(0, at).trim();
    const header = pair.slice(at + 1).trim();
    if (at < 0 || !field || !header)
      throw new CliError(`--map ${pair}: expected FIELD=HEADER, e.g. 'debtor.externalId=Cliente ID'`);
    mapping[field] = header;
  }
  return mapping;
}

async function importFile(
  file: string,
  options: { country?: string; currency?: string; kind?: string; map: readonly string[] },
): Promise<number> {
  const mapping = columnMapping(options.map);
  const request = api();
  const bytes = readFileSync(file);
  const isXlsx =
    extname(file).toLowerCase() === '.xlsx' || bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  const query = new URLSearchParams({ filename: basename(file) });
  for (const name of ['country', 'currency', 'kind'] as const) {
    const value = options[name];
    if (value) query.set(name, value);
  }
  if (mapping) query.set('mapping', JSON.stringify(mapping));
  const created = await request<{ jobId: string }>(
    'POST',
    `/v1/imports?${query.toString()}`,
    bytes,
    isXlsx ? XLSX_TYPE : 'text/csv',
  );
  const { jobId } = created;
  process.stderr.write(`import job ${jobId}\n`);
  const estimate = estimateLines(bytes, isXlsx);
  const tty = process.stderr.isTTY;
  let lastShown = -1;
  let job: ImportJob;
  for (;;) {
    job = await request<ImportJob>('GET', `/v1/imports/${jobId}`);
    const finished = job.status === 'completed' || job.status === 'failed';
    const total = job.totalLines ?? estimate;
    if (tty) process.stderr.write(`\r${progressBar(job.processedLines, total)}   `);
    else if (job.processedLines !== lastShown) process.stderr.write(`${progressBar(job.processedLines, total)}\n`);
    lastShown = job.processedLines;
    if (finished) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (tty) process.stderr.write('\n');
  if (job.status === 'failed') {
    process.stderr.write(`import failed: ${job.error?.message ?? 'unknown reason'}\n`);
    for (const e of job.error?.errors ?? []) process.stderr.write(`  ${e.field}: ${e.message}\n`);
    return 1;
  }
  process.stdout.write(`${job.summary ?? `${job.succeededLines} lines imported, ${job.failedLines} refused`}\n`);
  const stages = Object.entries(job.stages ?? {});
  if (stages.length > 0)
    process.stdout.write(
      `accounts entering each stage now: ${stages.map(([stage, n]) => `${stage} ${n}`).join(', ')}\n`,
    );
  let cursor: string | null = null;
  do {
    const page: ErrorPage = await request<ErrorPage>(
      'GET',
      `/v1/imports/${jobId}/errors?limit=1000${cursor ? `&cursor=${cursor}` : ''}`,
    );
    for (const item of page.items) {
      for (const e of item.errors) process.stdout.write(`line ${item.line}: ${e.field}: ${e.message}\n`);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return job.failedLines > 0 ? 2 : 0;
}

interface StatementJob {
  status: string;
  format: string | null;
  totalLines: number | null;
  processedLines: number;
  newLines: number;
  repeatedLines: number;
  failedLines: number;
  appliedLines: number;
  queuedLines: number;
  errors: { line: number; errors: FieldError[] }[];
  error: { message: string; errors?: FieldError[] } | null;
}

async function statementFile(
  file: string,
  options: { bank?: string; account?: string; currency?: string; map: readonly string[] },
): Promise<number> {
  const mapping = columnMapping(options.map);
  const request = api();
  const bytes = readFileSync(file);
  const query = new URLSearchParams({ filename: basename(file) });
  for (const name of ['bank', 'account', 'currency'] as const) {
    const value = options[name];
    if (value) query.set(name, value);
  }
  if (mapping) query.set('mapping', JSON.stringify(mapping));
  const { jobId } = await request<{ jobId: string }>(
    'POST',
    `/v1/statements?${query.toString()}`,
    bytes,
    'application/octet-stream',
  );
  process.stderr.write(`statement job ${jobId}\n`);
  let job: StatementJob;
  for (;;) {
    job = await request<StatementJob>('GET', `/v1/statements/${jobId}`);
    if (job.totalLines !== null) process.stderr.write(`${progressBar(job.processedLines, job.totalLines)}\n`);
    if (job.status === 'completed' || job.status === 'failed') break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (job.status === 'failed') {
    process.stderr.write(`statement failed: ${job.error?.message ?? 'unknown reason'}\n`);
    for (const e of job.error?.errors ?? []) process.stderr.write(`  ${e.field}: ${e.message}\n`);
    return 1;
  }
  process.stdout.write(
    `${job.format ?? 'statement'}: ${job.newLines} new lines (${job.appliedLines} applied, ${job.queuedLines} queued), ` +
      `${job.repeatedLines} already known, ${job.failedLines} unreadable\n`,
  );
  for (const item of job.errors)
    for (const e of item.errors) process.stdout.write(`line ${item.line}: ${e.field}: ${e.message}\n`);
  return job.failedLines > 0 ? 2 : 0;
}

function validateFile(file: string): number {
  const result = validateStrategy(readDocument(file));
  if (result.ok) {
    process.stdout.write(`${file}: valid strategy "${result.strategy.id}"\n`);
    return 0;
  }
  for (const e of result.errors) process.stderr.write(`${e.path || '(root)'}: ${e.message}\n`);
  return 1;
}

async function publishFile(file: string): Promise<number> {
  const definition = readDocument(file);
  const local = validateStrategy(definition);
  if (!local.ok) {
    for (const e of local.errors) process.stderr.write(`${e.path || '(root)'}: ${e.message}\n`);
    return 1;
  }
  const request = api();
  const id = encodeURIComponent(local.strategy.id);
  await request<unknown>('PUT', `/v1/strategies/${id}/draft`, definition);
  const published = await request<{ id: string; version: number }>('POST', `/v1/strategies/${id}/publish`, {});
  process.stdout.write(`${JSON.stringify(published)}\n`);
  return 0;
}

function simulateFile(file: string): number {
  const parsed = parseScenario(readDocument(file));
  if (!parsed.ok) {
    for (const e of parsed.errors) process.stderr.write(`${e.path || '(root)'}: ${e.message}\n`);
    return 1;
  }
  process.stdout.write(`${JSON.stringify(simulate(parsed.scenario), null, 2)}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      country: { type: 'string' },
      currency: { type: 'string' },
      kind: { type: 'string' },
      bank: { type: 'string' },
      account: { type: 'string' },
      map: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals.filter((p) => p !== '--');
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 1;
  }
  const needFile = (file: string | undefined): string => {
    if (!file) throw new CliError(USAGE);
    return file;
  };
  switch (command) {
    case 'import':
      return importFile(needFile(rest[0]), {
        country: values.country,
        currency: values.currency,
        kind: values.kind,
        map: values.map ?? [],
      });
    case 'statement':
      return statementFile(needFile(rest[0]), {
        bank: values.bank,
        account: values.account,
        currency: values.currency,
        map: values.map ?? [],
      });
    case 'simulate':
      return simulateFile(needFile(rest[0]));
    case 'strategy':
      if (rest[0] === 'validate') return validateFile(needFile(rest[1]));
      if (rest[0] === 'publish') return publishFile(needFile(rest[1]));
      throw new CliError(USAGE);
    default:
      throw new CliError(`unknown command "${command}"\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof CliError || error instanceof TypeError ? error.message : String((error as Error).stack ?? error)}\n`,
    );
    process.exitCode = 1;
  },
);
