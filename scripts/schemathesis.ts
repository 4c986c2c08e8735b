// `npm run test:schemathesis`: fuzzes the API from its own OpenAPI document with schemathesis, every check on
// (scripts/schemathesis.toml says where one is off, and why), on real servers started for the run. Each
// operation is fuzzed under every role it admits (its description says "Roles: …"), with a key of that role,
// so the fuzzer reaches the code behind the role check; public operations are fuzzed without a key. The admin
// run comes last: it may revoke the other runs' keys (a key cannot revoke itself, so its own run goes on).
// Exits non-zero on any failed check or tool error; the last stdout line is a summary.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey, hashKey } from '../api/auth';
import { apiKeys, roles, type Role } from '../db/schema';
import { startBenchEnv } from './bench/servers';
import { installWheel } from './temporal-binaries';

const projectRoot = path.resolve(import.meta.dirname, '..');
const SCHEMATHESIS = { pkg: 'schemathesis', version: '4.32.5', bin: 'st' };
const MAX_EXAMPLES = process.env.SCHEMATHESIS_MAX_EXAMPLES ?? '25';
const CONFIG = path.join(projectRoot, 'scripts', 'schemathesis.toml');
const SEED = process.env.SCHEMATHESIS_SEED;

const log = (line: string) => console.log(`[schemathesis] ${line}`);
const st = installWheel(SCHEMATHESIS, log, path.join(projectRoot, '.cache', 'schemathesis-venv'));
const started = Date.now();
const env = await startBenchEnv({
  app: 'inprocess',
  logLevel: 'error',
  nodeArgs: [],
  log,
  appEnv: {
    // The fuzzer sends thousands of requests a minute from one address, a third of them without a valid key
    // (the auth checks): the limiters would answer 429 to most and leave the routes behind them untested.
    // Both limits have tests of their own (tests/api/hardening.test.ts).
    RATE_LIMIT_PER_MINUTE: '100000000',
    FAILED_AUTH_PER_MINUTE: '100000000',
    // The same for failed console logins (POST /v1/session), throttled per email and per address
    // (tests/api/session.test.ts tests the throttle).
    LOGIN_FAILURES_PER_EMAIL: '100000000',
    LOGIN_FAILURES_PER_IP: '100000000',
    // A deployment that takes Resend's webhooks (without a secret the route answers 503 by design).
    RESEND_WEBHOOK_SECRET: `whsec_${Buffer.from(generateKey()).toString('base64')}`,
    // The payment webhooks check signatures (not 503). The providers' APIs point at a closed local port: a
    // fuzzed request never gets as far as calling them, and if one did it would fail here, not leave the machine.
    STRIPE_SECRET_KEY: 'sk_test_schemathesis',
    STRIPE_WEBHOOK_SECRET: `whsec_${Buffer.from(generateKey()).toString('base64')}`,
    STRIPE_API_BASE: 'http://127.0.0.1:9',
    MERCADOPAGO_ACCESS_TOKEN: 'TEST-schemathesis',
    MERCADOPAGO_WEBHOOK_SECRET: generateKey(),
    MERCADOPAGO_API_BASE: 'http://127.0.0.1:9',
  },
});

/** Runs a command to its end, keeping its output. */
function runCommand(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

type Operation = { name: string; roles: Role[] | 'public' };
async function operations(): Promise<Operation[]> {
  const doc = (await (await fetch(`${env.apiUrl}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { description?: string; security?: unknown[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const name = `${method.toUpperCase()} ${p}`;
      if (Array.isArray(op.security) && op.security.length === 0) return { name, roles: 'public' as const };
      const listed = /Roles: ([^.]+)\./.exec(op.description ?? '')?.[1]?.split(/,\s*/) ?? [];
      const admitted = roles.filter((r) => listed.includes(r));
      if (admitted.length === 0) throw new Error(`${name} names no roles in its description`);
      return { name, roles: admitted };
    }),
  );
}

const reports = mkdtempSync(path.join(tmpdir(), 'schemathesis-'));
const summary: Record<string, { operations: number; cases: number; failures: number; seconds: number }> = {};
let failures = 0;
try {
  const ops = await operations();
  const runs: { label: string; names: string[]; key?: string }[] = [
    { label: 'public', names: ops.filter((o) => o.roles === 'public').map((o) => o.name) },
  ];
  for (const role of [...roles.filter((r) => r !== 'admin'), 'admin' as const]) {
    const key = generateKey();
    await env.db.db.insert(apiKeys).values({
      name: `schemathesis ${role}`,
      role,
      agentId: role === 'agent' ? 'schemathesis-agent' : null,
      keyHash: hashKey(key),
    });
    const names = ops.filter((o) => o.roles !== 'public' && o.roles.includes(role)).map((o) => o.name);
    runs.push({ label: role, names, key });
  }
  for (const run of runs) {
    if (run.names.length === 0) continue;
    const junit = path.join(reports, `${run.label}.xml`);
    const t0 = Date.now();
    // Asynchronously: the app answers from this very process, so blocking here would time out every request.
    const result = await runCommand(st, [
      '--config-file',
      CONFIG,
      'run',
      `${env.apiUrl}/openapi.json`,
      ...run.names.flatMap((n) => ['--include-name', n]),
      // No --checks: on the command line it would override the file's per-operation settings.
      '--max-examples',
      MAX_EXAMPLES,
      ...(SEED ? ['--seed', SEED] : []),
      // One worker: with two, CPython 3.11's ast.parse (Hypothesis describing a strategy) now and then fails
      // with "AST constructor recursion depth mismatch" (cpython#106905), a tool error, not a finding.
      '--workers',
      '1',
      '--phases',
      'examples,coverage,fuzzing',
      // Hypothesis gives up on an operation when it throws away too many drawn values (the not-blank and
      // no-U+0000 patterns on nested text): a limit of the generator, not a finding about the API.
      '--suppress-health-check',
      'filter_too_much',
      '--request-timeout',
      '10',
      '--no-color',
      '--report',
      'junit',
      '--report-junit-path',
      junit,
      ...(run.key ? ['-H', `Authorization: Bearer ${run.key}`] : []),
    ]);
    const xml = (() => {
      try {
        return readFileSync(junit, 'utf8');
      } catch {
        return '';
      }
    })();
    const found = [...xml.matchAll(/<failure\b/g)].length + [...xml.matchAll(/<error\b/g)].length;
    const cases = Number(/(\d+) generated/.exec(result.stdout)?.[1] ?? 0);
    if (found > 0 || result.status !== 0 || !xml) {
      // The failures section and the summary: each failure with its curl line to reproduce it.
      const out = result.stdout;
      const errors = out.indexOf('= ERRORS =');
      const from = errors >= 0 ? errors : out.indexOf('= FAILURES =');
      console.log(from >= 0 ? out.slice(out.lastIndexOf('\n', from) + 1) : out.split('\n').slice(-40).join('\n'));
      if (!xml || result.status !== 0) console.error(result.stderr);
    }
    const failed = Math.max(found, result.status === 0 && xml ? 0 : 1);
    failures += failed;
    const seconds = Math.round((Date.now() - t0) / 1000);
    summary[run.label] = { operations: run.names.length, cases, failures: failed, seconds };
    log(`${run.label}: ${run.names.length} operations, ${cases} cases, ${failed} failures, ${seconds} s`);
  }
} finally {
  rmSync(reports, { recursive: true, force: true });
  await env.stop();
}
const seconds = Math.round((Date.now() - started) / 1000);
console.log(JSON.stringify({ schemathesis: summary, maxExamples: Number(MAX_EXAMPLES), failures, seconds }));
process.exit(failures > 0 ? 1 : 0);
