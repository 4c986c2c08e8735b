// `npm run bench -- console [--accounts N (100000)] [--requests N (5)]`: the console's page timings over a
// generated portfolio. Debtors, accounts, invoices, each account's first ledger entries (and the KPI rollups
// built from them) and a 500-task agent queue are generated set-based in PostgreSQL (what the console's pages
// read; no workflows run for them), then for each page of each role (1) the API calls that page makes, timed
// (median and max of N rounds), and (2) the whole page in Debian's chromium: navigation until every call the
// page makes has answered and its data is on screen. Prints one JSON object as the last line of stdout.
import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { chromium, type Browser } from 'playwright-core';
import { generateKey, hashKey } from '../../api/auth';
import { createDb } from '../../db/client';
import { apiKeys } from '../../db/schema';
import { rebuildKpiRollups } from '../../lib/ledger/append';
import { startBenchEnv, type BenchEnv } from './servers';

const AGENT = 'bench-console-agent';
const QUEUE = 500;

async function generate(env: BenchEnv, accounts: number, log: (l: string) => void): Promise<void> {
  const load = createDb(env.config.databaseUrl ?? '', { max: 1, statementTimeoutMs: 0 });
  try {
    const db = load.db;
    const t0 = performance.now();
    await db.execute(sql`set session_replication_role = replica`);
    const chunk = 50_000;
    for (let lo = 1; lo <= accounts; lo += chunk) {
      const hi = Math.min(accounts, lo + chunk - 1);
      await db.execute(sql`
        insert into debtors (id, external_id, kind, name, email, phone, country, timezone)
        select lpad(to_hex(g), 32, '0')::uuid, 'bc-D' || g, 'person', 'Deudor ' || g, 'd' || g || '@example.com',
          '+5255' || lpad((g % 100000000)::text, 8, '0'), 'MX', 'America/Mexico_City'
        from generate_series(${lo}::bigint, ${hi}::bigint) g`);
      await db.execute(sql`
        insert into accounts (id, debtor_id, currency, workflow_id, status, stage, strategy_id, strategy_version,
          balance_minor, days_past_due, assigned_agent_id, opened_at)
        select lpad(to_hex(g), 32, '0')::uuid, lpad(to_hex(g), 32, '0')::uuid, 'MXN', 'bench-console-' || g,
          case when g % 9 = 0 then 'paused' else 'active' end,
          case when g % 3 = 0 then 'prelegal' else 'early' end, 'consumer-mx', 1,
          (g % 50 + 1) * 10000, g % 120, case when g = 1 then ${AGENT} when g % 4 = 1 then 'agent-' || (g % 40) end,
          now() - ((g % 200) || ' days')::interval
        from generate_series(${lo}::bigint, ${hi}::bigint) g`);
      await db.execute(sql`
        insert into invoices (external_id, account_id, debtor_id, amount_minor, currency, due_date, content_hash)
        select 'bc-F' || g, lpad(to_hex(g), 32, '0')::uuid, lpad(to_hex(g), 32, '0')::uuid, (g % 50 + 1) * 10000,
          'MXN', current_date - (g % 120)::int, 'bench'
        from generate_series(${lo}::bigint, ${hi}::bigint) g`);
      // Every account's first two ledger entries (opened, its stage entered), on its opening date: the KPIs
      // (aging, roll rates, the rollups) read an account's standing from its ledger.
      await db.execute(sql`
        insert into account_ledger (account_id, seq, at, local_date, type, stage, day, strategy_id, strategy_version,
          agent_id, country, currency, amount_minor, entry)
        select a.id, k, a.opened_at, (a.opened_at at time zone 'America/Mexico_City')::date,
          case when k = 0 then 'opened' else 'stage_entered' end, a.stage, a.days_past_due - (g % 200)::int,
          a.strategy_id, a.strategy_version, a.assigned_agent_id, 'MX', a.currency,
          case when k = 0 then a.balance_minor end,
          jsonb_build_object('type', case when k = 0 then 'opened' else 'stage_entered' end, 'at', a.opened_at,
            'day', a.days_past_due - (g % 200)::int, 'stage', a.stage)
        from generate_series(${lo}::bigint, ${hi}::bigint) g
        join accounts a on a.id = lpad(to_hex(g), 32, '0')::uuid
        cross join generate_series(0, 1) k`);
      log(`  ${hi} / ${accounts} accounts`);
    }
    await db.execute(sql`
      insert into agent_tasks (idempotency_key, account_id, channel, priority, rank, due_at, assigned_agent_id)
      select 'bc-task-' || k, lpad(to_hex(1), 32, '0')::uuid, case when k % 3 = 0 then 'visit' else 'call' end,
        (array['urgent','high','normal','low'])[k % 4 + 1], (k % 4) * 10, now() + ((k - 250) || ' minutes')::interval,
        ${AGENT}
      from generate_series(1, ${QUEUE}) k`);
    await db.execute(sql`set session_replication_role = origin`);
    await rebuildKpiRollups(db);
    // A portfolio in its steady state: vacuumed as autovacuum does within a minute of a bulk load (hint bits,
    // visibility map). Measured right after the load, without it, aging read the fresh heap at ~1.8× the time.
    await db.execute(sql`vacuum analyze`);
    log(`generated ${accounts} accounts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await load.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function timed(url: string, key: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return performance.now() - t0;
}

interface PageSpec {
  name: string;
  role: Role;
  path: string;
  /** The API calls the page makes (timed in parallel; the browser run waits for each one's answer). */
  calls: string[];
  /** What is on screen once the page has its data. */
  ready: string;
}

type Role = 'agent' | 'supervisor' | 'strategist' | 'admin';
const ROLES: Role[] = ['agent', 'supervisor', 'strategist', 'admin'];
const ZONE = 'America/Mexico_City';

export async function runConsole(env: BenchEnv, accounts: number, rounds: number, log: (l: string) => void) {
  await generate(env, accounts, log);
  const admin = generateKey();
  const keys = Object.fromEntries(ROLES.map((r) => [r, generateKey()])) as Record<Role, string>;
  await env.db.db.insert(apiKeys).values([
    { name: 'bench console admin', role: 'admin', keyHash: hashKey(admin) },
    ...ROLES.map((role) => ({
      name: `bench console ${role}`,
      role,
      keyHash: hashKey(keys[role]),
      ...(role === 'agent' ? { agentId: AGENT } : {}),
    })),
  ]);
  const password = `bench-${crypto.randomUUID()}`;
  const users = Object.fromEntries(ROLES.map((r) => [r, `${r}@bench.test`])) as Record<Role, string>;
  for (const [role, email] of Object.entries(users)) {
    const res = await fetch(`${env.apiUrl}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email, name: role, role, password, ...(role === 'agent' ? { agentId: AGENT } : {}) }),
    });
    if (!res.ok) throw new Error(`POST /v1/users: ${res.status} ${await res.text()}`);
  }
  const account = '00000000-0000-0000-0000-000000000001';
  // The supervisor pages' default period: the last 30 days, as the browser (in ZONE) counts them.
  const isoDay = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).toISODate() ?? '';
  const day = isoDay(Date.now());
  const month = isoDay(Date.now() - 29 * 86_400_000);
  const strategy = 'consumer-mx';
  const listed = await fetch(`${env.apiUrl}/v1/strategies`, {
    headers: { authorization: `Bearer ${keys.strategist}` },
  });
  const latest = ((await listed.json()) as { items: { id: string; latestVersion: number }[] }).items.find(
    (s) => s.id === strategy,
  )?.latestVersion;
  if (latest === undefined) throw new Error(`GET /v1/strategies: no ${strategy}`);
  const pages: PageSpec[] = [
    { name: 'queue', role: 'agent', path: '/queue', calls: ['/v1/me/queue?limit=500'], ready: '[data-task]' },
    {
      name: 'account',
      role: 'agent',
      path: `/accounts/${account}`,
      calls: [`/v1/accounts/${account}`, `/v1/accounts/${account}/profile`, `/v1/accounts/${account}/explain`],
      ready: '[data-testid="balance"]',
    },
    {
      name: 'dashboard',
      role: 'supervisor',
      path: '/dashboard',
      calls: [
        `/v1/kpis?from=${month}&to=${day}`,
        '/v1/kpis/aging',
        `/v1/kpis/roll-rates?from=${month}&to=${day}`,
        `/v1/kpis/channels?from=${month}&to=${day}`,
      ],
      ready: 'h1',
    },
    {
      name: 'team',
      role: 'supervisor',
      path: '/team',
      calls: [`/v1/team?timezone=${encodeURIComponent(ZONE)}`],
      ready: '[data-testid="team"] tbody tr',
    },
    {
      name: 'portfolio',
      role: 'supervisor',
      path: '/portfolio',
      calls: ['/v1/accounts?limit=100', '/v1/saved-filters?resource=accounts'],
      ready: '[data-testid="portfolio"] tbody tr',
    },
    {
      name: 'portfolio-filtered',
      role: 'supervisor',
      path: '/portfolio?status=paused&minDaysPastDue=90',
      calls: ['/v1/accounts?limit=100&status=paused&minDaysPastDue=90', '/v1/saved-filters?resource=accounts'],
      ready: '[data-testid="portfolio"] tbody tr',
    },
    {
      name: 'distribution',
      role: 'supervisor',
      path: '/distribution?stage=prelegal',
      calls: ['/v1/accounts?limit=200&stage=prelegal'],
      ready: '[data-testid="distribution"] tbody tr',
    },
    { name: 'imports', role: 'supervisor', path: '/imports', calls: ['/v1/imports?limit=20'], ready: 'h1' },
    {
      name: 'reconciliation',
      role: 'supervisor',
      path: '/reconciliation',
      calls: ['/v1/statements/unmatched?limit=200'],
      ready: 'h1',
    },
    {
      name: 'strategies',
      role: 'strategist',
      path: '/strategies',
      calls: ['/v1/strategies'],
      ready: '[data-testid="strategies"] tbody tr',
    },
    {
      name: 'strategy-editor',
      role: 'strategist',
      path: `/strategies/${strategy}`,
      // In the page these run one after the other (the versions, no draft: 404, then the latest version).
      calls: [`/v1/strategies/${strategy}/versions`, `/v1/strategies/${strategy}/versions/${latest}`],
      ready: '[data-testid="validation"]',
    },
    {
      name: 'users',
      role: 'admin',
      path: '/admin/users',
      calls: ['/v1/users'],
      ready: '[data-testid="users"] tbody tr',
    },
  ];

  const api: Record<string, { medianMs: number; maxMs: number }> = {};
  for (const page of pages) {
    const times: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await Promise.all(page.calls.map((c) => timed(`${env.apiUrl}${c}`, keys[page.role])));
      times.push(performance.now() - t0);
    }
    api[page.name] = { medianMs: Math.round(median(times)), maxMs: Math.round(Math.max(...times)) };
    log(`  API ${page.name}: median ${api[page.name]?.medianMs} ms`);
    // A page of several calls: each alone too, so a slow one is named.
    if (page.calls.length > 1)
      for (const c of page.calls) {
        const alone: number[] = [];
        for (let r = 0; r < rounds; r++) alone.push(await timed(`${env.apiUrl}${c}`, keys[page.role]));
        log(`    ${c.split('?')[0]}: median ${Math.round(median(alone))} ms alone`);
      }
  }

  const browserTimes: Record<string, { medianMs: number; maxMs: number }> = {};
  const renders: number[] = [];
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
    for (const role of ROLES) {
      const context = await browser.newContext({ locale: 'es-MX', timezoneId: ZONE });
      const page = await context.newPage();
      await page.goto(`${env.apiUrl}/console/login`);
      await page.locator('input[name="email"]').fill(users[role]);
      await page.locator('input[name="password"]').fill(password);
      await page.locator('button[type="submit"]').click();
      await page.waitForURL((u) => !u.pathname.startsWith('/console/login'));
      for (const spec of pages.filter((p) => p.role === role)) {
        const times: number[] = [];
        for (let r = 0; r < rounds; r++) {
          // The page is ready when every call it makes has answered and its data is on screen.
          const answered = spec.calls.map((c) => {
            const pathname = c.split('?')[0];
            return page.waitForResponse((r) => new URL(r.url()).pathname === pathname, { timeout: 30_000 });
          });
          const t0 = performance.now();
          await page.goto(`${env.apiUrl}/console${spec.path}`);
          await Promise.all(answered);
          await page.locator(spec.ready).first().waitFor({ timeout: 30_000 });
          times.push(performance.now() - t0);
          // The queue page measures its own render of the rows (data in hand → rows in the DOM).
          if (spec.name === 'queue') {
            await page
              .locator('[data-testid="queue"] tbody tr')
              .nth(QUEUE - 1)
              .waitFor({ timeout: 30_000 });
            renders.push(
              await page.evaluate(
                () => performance.getEntriesByName('queue-render', 'measure').at(-1)?.duration ?? Number.NaN,
              ),
            );
          }
        }
        browserTimes[spec.name] = { medianMs: Math.round(median(times)), maxMs: Math.round(Math.max(...times)) };
        log(`  page ${spec.name}: median ${browserTimes[spec.name]?.medianMs} ms`);
      }
      await context.close();
    }
  } finally {
    await browser?.close();
  }
  const worst = Math.max(...Object.values(browserTimes).map((t) => t.medianMs));
  const queueRender = { medianMs: Math.round(median(renders) * 10) / 10, maxMs: Math.round(Math.max(...renders)) };
  log(`  queue render (${QUEUE} rows): median ${queueRender.medianMs} ms`);
  return {
    bench: 'console',
    accounts,
    rounds,
    queueTasks: QUEUE,
    api,
    pages: browserTimes,
    queueRender,
    worstPageMedianMs: worst,
  };
}

export async function consoleMain(values: Record<string, unknown>, log: (l: string) => void): Promise<number> {
  const accounts = Number(values.accounts ?? 100_000);
  const rounds = Number(values.requests ?? 5);
  if (!Number.isSafeInteger(accounts) || accounts < 1) throw new Error('--accounts must be a positive integer');
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error('--requests must be a positive integer');
  const env = await startBenchEnv({ app: 'child', logLevel: 'warn', nodeArgs: [], log });
  try {
    const result = await runConsole(env, accounts, rounds, log);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } finally {
    await env.stop();
  }
}
