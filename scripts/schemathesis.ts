// `npm run test:schemathesis`: fuzzes the API from its own OpenAPI document with schemathesis (`--checks all`)
// under the admin, system and agent keys, on real servers started for the run. Exits non-zero when any run
// finds a server error (5xx) or a status the document does not list; other findings are printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey, hashKey } from '../api/auth';
import { apiKeys, type Role } from '../db/schema';
import { startBenchEnv } from './bench/servers';
import { installWheel } from './temporal-binaries';

const projectRoot = path.resolve(import.meta.dirname, '..');
const SCHEMATHESIS = { pkg: 'schemathesis', version: '4.32.5', bin: 'st' };
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '8';
const ROLES: Role[] = ['admin', 'system', 'agent'];
/** The checks this run must pass; the others are reported. */
const BLOCKING = ['not_a_server_error', 'status_code_conformance'];

const log = (line: string) => console.log(`[schemathesis] ${line}`);
const st = installWheel(SCHEMATHESIS, log, path.join(projectRoot, '.cache', 'schemathesis-venv'));
// The fuzzer sends thousands of requests a minute from one key: the per-key limit would only answer 429.
process.env.RATE_LIMIT_PER_MINUTE ??= '1000000';
const env = await startBenchEnv({ app: 'inprocess', logLevel: 'error', nodeArgs: [], log });
const reports = mkdtempSync(path.join(tmpdir(), 'schemathesis-'));
const summary: Record<string, Record<string, number>> = {};
let blocking = 0;
try {
  for (const role of ROLES) {
    const key = generateKey();
    await env.db.db
      .insert(apiKeys)
      .values({
        name: `schemathesis ${role}`,
        role,
        agentId: role === 'agent' ? 'schemathesis-agent' : null,
        keyHash: hashKey(key),
      });
    const junit = path.join(reports, `${role}.xml`);
    const started = Date.now();
    const run = spawnSync(
      st,
      [
        'run',
        `${env.apiUrl}/openapi.json`,
        '--checks',
        'all',
        '--max-examples',
        MAX_EXAMPLES,
        '--workers',
        '2',
        '--phases',
        'examples,coverage,fuzzing',
        '--request-timeout',
        '10',
        '--no-color',
        '--report',
        'junit',
        '--report-junit-path',
        junit,
        '-H',
        `Authorization: Bearer ${key}`,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const counts: Record<string, number> = {};
    const xml = (() => {
      try {
        return readFileSync(junit, 'utf8');
      } catch {
        return '';
      }
    })();
    for (const m of xml.matchAll(/<failure[^>]*message="([^"]*)"/g)) {
      const text = m[1] ?? '';
      const check = /Server error/i.test(text)
        ? 'not_a_server_error'
        : /Undocumented HTTP status/i.test(text)
          ? 'status_code_conformance'
          : 'other';
      counts[check] = (counts[check] ?? 0) + 1;
    }
    const tail = run.stdout.split('\n').slice(-25).join('\n');
    console.log(tail);
    summary[role] = { ...counts, seconds: Math.round((Date.now() - started) / 1000) };
    blocking += BLOCKING.reduce((n, c) => n + (counts[c] ?? 0), 0);
    if (!xml) {
      console.error(run.stderr);
      blocking += 1;
    }
  }
} finally {
  rmSync(reports, { recursive: true, force: true });
  await env.stop();
}
console.log(JSON.stringify({ schemathesis: summary, blocking }));
process.exit(blocking > 0 ? 1 : 0);
