// `npm run bench -- portal`: time to first byte of the debtor portal's page (GET /portal/<token>: the link
// checked, the debtor's accounts and invoices read, the page rendered) under C concurrent debtors, each on
// their own link, vs. GET /health (a database round trip) at the same concurrency on the same server, in
// alternating rounds so that drift hits both alike. Also the account page (it asks the workflow too).
import { eq } from 'drizzle-orm';
import { accounts } from '../../db/schema';
import { cpuMeter } from './cpu';
import { openAccounts } from './ingest';
import { startBenchEnv, type BenchEnv } from './servers';
import { percentile, pool, round, seconds } from './stats';

export interface PortalOptions {
  /** Debtors browsing at once (each its own link). */
  concurrency: number;
  /** Measured requests per side (portal and baseline each). */
  requests: number;
  warmup: number;
  rounds: number;
  timeoutMs: number;
}

export interface PortalResult {
  bench: 'portal';
  concurrency: number;
  requests: number;
  ttfb_p50_ms: number;
  ttfb_p95_ms: number;
  baseline_p50_ms: number;
  baseline_p95_ms: number;
  /** baseline_p95_ms ÷ ttfb_p95_ms (1.0: the page costs no more than the probe). */
  ratio: number;
  account_page_p50_ms: number;
  account_page_p95_ms: number;
  page_bytes: number;
}

/** Milliseconds until the answer's headers (fetch resolves then); the body is read afterwards, not timed. */
async function ttfb(url: string, failures: string[]): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const ms = performance.now() - t0;
  const body = await res.arrayBuffer();
  if (res.status !== 200) failures.push(`${res.status} ${url.slice(0, 80)}`);
  return { ms, bytes: body.byteLength };
}

export async function runPortal(
  env: BenchEnv,
  opts: PortalOptions,
  log: (line: string) => void,
): Promise<PortalResult> {
  log(`portal: ${opts.requests} page loads per side by ${opts.concurrency} concurrent debtors, ${opts.rounds} rounds`);
  const { accountIds } = await openAccounts(
    env,
    `${env.runId}-portal`,
    opts.concurrency,
    { batchSize: 1000, inflight: 1, timeoutMs: opts.timeoutMs },
    log,
  );
  // Each debtor's link, as the API gives it to an agent or an integration.
  const links: { overview: string; account: string }[] = [];
  for (const id of accountIds) {
    const res = await fetch(`${env.apiUrl}/v1/accounts/${id}/portal-link`, {
      headers: { authorization: `Bearer ${env.apiKey}` },
    });
    if (res.status !== 200) throw new Error(`portal-link for ${id}: ${res.status}`);
    const { url } = (await res.json()) as { url: string };
    // The page is served by the API under test, whatever PUBLIC_BASE_URL says.
    const local = `${env.apiUrl}${new URL(url).pathname}`;
    links.push({ overview: local, account: `${local}/a/${id}` });
  }
  const [row] = await env.db.db
    .select({ n: accounts.id })
    .from(accounts)
    .where(eq(accounts.id, accountIds[0] ?? ''));
  if (!row) throw new Error('the bench accounts were not opened');

  const failures: string[] = [];
  const deadline = Date.now() + opts.timeoutMs;
  let bytes = 0;
  const phase = async (name: string, count: number, url: (i: number) => string, out: number[] | null) => {
    if (Date.now() > deadline) throw new Error(`the portal bench exceeded ${Math.round(opts.timeoutMs / 1000)} s`);
    const cpu = cpuMeter();
    const t0 = performance.now();
    await pool(count, opts.concurrency, async (i) => {
      const r = await ttfb(url(i), failures);
      out?.push(r.ms);
      if (name.includes('portal')) bytes = r.bytes;
    });
    if (failures.length > 0)
      throw new Error(`${failures.length} request(s) failed, e.g. ${failures.slice(0, 3).join('; ')}`);
    log(`  ${name}: ${count} in ${seconds(t0).toFixed(2)} s; CPU: ${cpu.report()}`);
  };
  const overview = (i: number) => links[i % links.length]?.overview ?? '';
  const account = (i: number) => links[i % links.length]?.account ?? '';
  const health = () => `${env.apiUrl}/health`;

  log('warm-up');
  await phase('portal warm-up', opts.warmup, overview, null);
  await phase('account page warm-up', Math.min(opts.warmup, links.length * 2), account, null);
  await phase('health warm-up', opts.warmup, health, null);
  const ours: number[] = [];
  const base: number[] = [];
  const accountPage: number[] = [];
  const perRound = Math.ceil(opts.requests / opts.rounds);
  for (let r = 0; r < opts.rounds; r += 1) {
    const n = Math.min(perRound, opts.requests - r * perRound);
    if (n <= 0) break;
    const sides = [
      () => phase(`round ${r + 1} portal`, n, overview, ours),
      () => phase(`round ${r + 1} /health`, n, health, base),
    ];
    if (r % 2 === 1) sides.reverse();
    for (const side of sides) await side();
  }
  await phase('account page', Math.min(opts.requests, 500), account, accountPage);

  for (const xs of [ours, base, accountPage]) xs.sort((a, b) => a - b);
  const p = (xs: number[], q: number) => round(percentile(xs, q), 2);
  return {
    bench: 'portal',
    concurrency: opts.concurrency,
    requests: ours.length,
    ttfb_p50_ms: p(ours, 50),
    ttfb_p95_ms: p(ours, 95),
    baseline_p50_ms: p(base, 50),
    baseline_p95_ms: p(base, 95),
    ratio: round(percentile(base, 95) / percentile(ours, 95), 3),
    account_page_p50_ms: p(accountPage, 50),
    account_page_p95_ms: p(accountPage, 95),
    page_bytes: bytes,
  };
}

export const PORTAL_USAGE =
  '  portal  --concurrency C (50)  --requests N (2000)  --warmup N (200)  --rounds N (4)  --timeout-s S (600)';

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be an integer ≥ 1`);
  return n;
}

/** Its own servers and app (the portal's rate limits raised: one address plays every debtor). */
export async function portalMain(values: Record<string, unknown>, log: (line: string) => void): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  const requests = positive(str('requests'), 2000, 'requests');
  const opts: PortalOptions = {
    concurrency: positive(str('concurrency'), 50, 'concurrency'),
    requests,
    warmup: positive(str('warmup'), Math.min(200, requests), 'warmup'),
    rounds: Math.min(requests, positive(str('rounds'), 4, 'rounds')),
    timeoutMs: positive(str('timeout-s'), 600, 'timeout-s') * 1000,
  };
  const env = await startBenchEnv({
    app: str('app') === 'inprocess' ? 'inprocess' : 'child',
    logLevel: str('log-level') ?? 'warn',
    nodeArgs: [],
    log,
    appEnv: { PORTAL_RATE_PER_IP_PER_MINUTE: '100000000', PORTAL_RATE_PER_LINK_PER_MINUTE: '100000000' },
  });
  const interrupted = (signal: string) => {
    log(`${signal}: stopping`);
    void env.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let result: object;
  try {
    result = await runPortal(env, opts, log);
  } finally {
    log('stopping');
    await env.stop();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
