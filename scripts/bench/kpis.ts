// `npm run bench -- kpis`: the measurement layer at scale. Generates --accounts accounts and --entries ledger
// entries in PostgreSQL (generate_series, set-based), builds the KPI rollups from them, then measures:
//  1. GET /v1/kpis for a month grouped by strategy,arm over HTTP (p50/p95) vs. the same figures by a plain
//     GROUP BY over the raw ledger (rawLedgerKpis), and checks both answers are equal;
//  2. the projection's sustained throughput: entries/s appended through the real append path (ledger +
//     rollups in one statement) vs. the same inserts without rollups (the append before them);
//  3. GET /v1/exports/accounts.csv of every account (1,000,000 rows at full size): time and the API's RSS
//     growth vs. reading the same rows from the same cursor query in-process (no HTTP, no CSV).
// Each prints one CONTRACT §5 JSON line; the summary is the last line.
import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import { generateKey, hashKey } from '../../api/auth';
import { createDb } from '../../db/client';
import { apiKeys } from '../../db/schema';
import { rawLedgerKpis, type KpiQuery } from '../../lib/kpis/ledger-kpis';
import { appendLedgerEntries, rebuildKpiRollups } from '../../lib/ledger/append';
import { exportSource } from '../../lib/ledger/exports';
import type { TimelineEntry } from '../../strategies/core/types';
import { startBenchEnv, type BenchEnv } from './servers';
import { percentile, pool, round, seconds } from './stats';

export interface KpisOptions {
  accounts: number;
  entries: number;
  /** GET /v1/kpis requests measured (after a few warm-up ones). */
  requests: number;
  /** Runs of the raw GROUP BY baseline. */
  baselineRuns: number;
  /** Entries appended in the throughput phase (each path). */
  appendEntries: number;
  /** Appends in flight at once (one account per lane at a time, as a workflow appends its own). */
  concurrency: number;
}

const BASE_DATE = '2025-01-01';
/** The month asked: the middle of the generated year, in steady state (accounts opening and closing). */
const MONTH = { from: '2025-06-01', to: '2025-06-30' };
const STRATEGIES = ['consumer-mx', 'sme-mx', 'telco-cl'];

const uuidOf = (g: number) => sql`lpad(to_hex(${g}::bigint), 32, '0')::uuid`;

/** Resident set of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return round(kb / 1024, 1);
  } catch {
    return 0;
  }
}

/** The app under test: our child process running scripts/bench/app-process.ts (child mode), else ourselves. */
function appPid(): number {
  const ids: number[] = [];
  for (const task of readdirSync(`/proc/${process.pid}/task`)) {
    try {
      const children = readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').trim();
      ids.push(...children.split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // a thread that ended meanwhile
    }
  }
  for (const pid of ids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('app-process')) return pid;
    } catch {
      // gone
    }
  }
  return process.pid;
}

/** Accounts, their debtors and their ledger, set-based; then the rollups, built from the ledger. */
async function generate(url: string, opts: KpisOptions, log: (l: string) => void) {
  const per = Math.max(2, Math.round(opts.entries / opts.accounts));
  const load = createDb(url, { max: 1, statementTimeoutMs: 0 });
  try {
    const db = load.db;
    await db.execute(sql`set work_mem = '256MB'`);
    await db.execute(sql`set maintenance_work_mem = '1GB'`);
    // A database that already holds this data set (DATABASE_URL of an earlier run) is measured as it is.
    const [existing] = await db.execute<{ n: number; entries: string }>(sql`
      select (select count(*)::int from accounts where workflow_id like 'bench-account-%') as n,
        (select count(*)::text from account_ledger) as entries`);
    if (existing && existing.n === opts.accounts && Number(existing.entries) >= opts.entries) {
      log(`  reusing the ${existing.n} accounts and ${existing.entries} entries already there`);
      const [built] = await db.execute<{ any: boolean }>(sql`select exists (select 1 from kpi_daily) as any`);
      let rollupSeconds = 0;
      if (!built?.any) {
        // An earlier run stopped before its rollups were committed: build them now.
        const t1 = performance.now();
        log('building the KPI rollups from the ledger');
        await rebuildKpiRollups(db);
        rollupSeconds = seconds(t1);
        await db.execute(sql`vacuum analyze kpi_daily, kpi_account_months, kpi_account_days`);
      }
      const [sizes] = await db.execute<Record<string, string>>(sql`
        select (select count(*) from kpi_daily)::text as daily, (select count(*) from kpi_account_months)::text as months,
          (select count(*) from kpi_account_days)::text as days`);
      return { per, entries: Number(existing.entries), generateSeconds: 0, rollupSeconds, sizes: sizes ?? {} };
    }
    // Generated correct by construction: foreign keys are not checked row by row while loading.
    await db.execute(sql`set session_replication_role = replica`);
    // The ledger's secondary indexes are built once at the end (a sort), not row by row while loading.
    const secondary = await db.execute<{ name: string; def: string }>(sql`
      select indexname as name, indexdef as def from pg_indexes
      where tablename = 'account_ledger' and not exists (select 1 from pg_constraint c where c.conname = indexname)`);
    for (const ix of secondary) await db.execute(sql`drop index ${sql.identifier(ix.name)}`);
    const t0 = performance.now();
    const chunk = 100_000;
    for (let lo = 1; lo <= opts.accounts; lo += chunk) {
      const hi = Math.min(opts.accounts, lo + chunk - 1);
      await db.execute(sql`
        insert into debtors (id, external_id, kind, name, country, timezone)
        select lpad(to_hex(g), 32, '0')::uuid, 'bench-D' || g, 'person', 'Bench Debtor ' || g,
          case when g % 10 < 7 then 'MX' else 'CL' end,
          case when g % 10 < 7 then 'America/Mexico_City' else 'America/Santiago' end
        from generate_series(${lo}::bigint, ${hi}::bigint) g`);
      await db.execute(sql`
        insert into accounts (id, debtor_id, currency, workflow_id, status, stage, strategy_id, strategy_version,
          strategy_arm, balance_minor, assigned_agent_id, opened_at, closed_at)
        select lpad(to_hex(g), 32, '0')::uuid, lpad(to_hex(g), 32, '0')::uuid,
          case when g % 10 < 7 then 'MXN' else 'CLP' end, 'bench-account-' || g,
          case when g % 4 = 0 then 'closed' else 'active' end, case when g % 4 = 0 then 'closed' else 'late' end,
          case when g % 10 >= 7 then ${STRATEGIES[2]} when g % 2 = 0 then ${STRATEGIES[0]} else ${STRATEGIES[1]} end,
          1 + (g % 5 = 0)::int, case when (g / 10) % 2 = 0 then 'champion' else 'challenger' end,
          (g % 40 + 1) * 10000, case when g % 4 = 1 then 'agent-' || (g % 50) end,
          (${BASE_DATE}::date + ((g * 7919) % 330)::int)::timestamptz,
          case when g % 4 = 0 then (${BASE_DATE}::date + ((g * 7919) % 330 + ${per} * 4)::int)::timestamptz end
        from generate_series(${lo}::bigint, ${hi}::bigint) g`);
      // Entry k of account g: opened, stage entered, then a mix of messages, tasks, deferrals, skips, contact
      // outcomes, promises, payments and replies every ~4 days; a quarter of the accounts end closed (paid).
      await db.execute(sql`
        with base as (
          select a.id, a.currency, a.strategy_id, a.strategy_version, a.strategy_arm as arm, a.assigned_agent_id,
            d.country, a.balance_minor, g, k, abs(hashint8(g * 1000 + k)) % 100 as h,
            ${BASE_DATE}::date + ((g * 7919) % 330 + k * 4 + (g + k) % 3)::int as local_date
          from generate_series(${lo}::bigint, ${hi}::bigint) g
          join accounts a on a.id = lpad(to_hex(g), 32, '0')::uuid
          join debtors d on d.id = a.debtor_id
          cross join generate_series(0, ${per - 1}) k
        ),
        typed as (
          select *,
            case when k = 0 then 'opened' when k = 1 then 'stage_entered'
              when k = ${per - 1} and g % 4 = 0 then 'closed'
              when h < 40 then 'message' when h < 50 then 'task' when h < 58 then 'deferred'
              when h < 62 then 'skipped' when h < 70 then 'contact_outcome' when h < 75 then 'promise_accepted'
              when h < 78 then 'promise_kept' when h < 80 then 'promise_broken' when h < 88 then 'payment'
              when h < 94 then 'reply' else 'note' end as type,
            case when k < ${Math.ceil(per / 2)} then 'early' else 'late' end as stage
          from base
        ),
        valued as (
          select *,
            case when type = 'message' then (array['email', 'sms', 'whatsapp'])[1 + h % 3]
              when type = 'task' then 'call' when type in ('deferred', 'skipped', 'contact_outcome') then 'sms' end
              as channel,
            case when type = 'opened' then balance_minor when type in ('payment', 'promise_accepted')
              then balance_minor / 4 when type = 'closed' then 0 end as amount_minor,
            case when type = 'deferred' then (array['quiet_hours', 'contact_budget'])[1 + h % 2]
              when type = 'skipped' then 'opted_out' end as reason,
            case when type = 'closed' then 'paid' end as status,
            case when type = 'contact_outcome' then (array['right_party', 'no_answer'])[1 + h % 2] end as outcome,
            case when currency = 'CLP' then '-03:00' else '-06:00' end as tz
          from typed
        )
        insert into account_ledger (account_id, seq, at, local_date, type, stage, day, strategy_id,
          strategy_version, arm, channel, agent_id, country, currency, amount_minor, reason, entry)
        select id, k, (local_date::text || ' 10:00:00' || tz)::timestamptz, local_date, type, stage, 5 + k * 4,
          strategy_id, strategy_version, arm, channel, case when type = 'task' then assigned_agent_id end, country,
          currency, amount_minor, coalesce(reason, status, outcome),
          jsonb_strip_nulls(jsonb_build_object('at', local_date::text || 'T10:00:00' || tz, 'day', 5 + k * 4,
            'stage', stage, 'type', type, 'channel', channel, 'reason', reason, 'status', status, 'outcome', outcome,
            'amount', case when amount_minor is null then null when currency = 'CLP' then amount_minor::text
              else (amount_minor / 100)::text || '.' || lpad((amount_minor % 100)::text, 2, '0') end))
        from valued`);
      log(`  generated ${hi} / ${opts.accounts} accounts (${hi * per} entries) in ${seconds(t0).toFixed(0)} s`);
    }
    for (const ix of secondary) await db.execute(sql.raw(ix.def));
    const generateSeconds = seconds(t0);
    const t1 = performance.now();
    await db.execute(sql`set session_replication_role = origin`);
    log('building the KPI rollups from the ledger');
    await rebuildKpiRollups(db);
    const rollupSeconds = seconds(t1);
    await db.execute(sql`analyze account_ledger, accounts, debtors`);
    await db.execute(sql`vacuum analyze kpi_daily, kpi_account_months, kpi_account_days`);
    const [sizes] = await db.execute<Record<string, string>>(sql`
      select (select count(*) from account_ledger)::text as entries,
        (select count(*) from kpi_daily)::text as daily, (select count(*) from kpi_account_months)::text as months,
        (select count(*) from kpi_account_days)::text as days,
        pg_size_pretty(pg_total_relation_size('account_ledger')) as ledger_size,
        pg_size_pretty(pg_total_relation_size('kpi_daily') + pg_total_relation_size('kpi_account_months')
          + pg_total_relation_size('kpi_account_days')) as rollups_size`);
    log(
      `  data in ${generateSeconds.toFixed(0)} s, rollups in ${rollupSeconds.toFixed(0)} s: ${JSON.stringify(sizes)}`,
    );
    return { per, entries: Number(sizes?.entries ?? 0), generateSeconds, rollupSeconds, sizes: sizes ?? {} };
  } finally {
    await load.close();
  }
}

async function timedGet(url: string, key: string): Promise<{ ms: number; status: number; body: unknown }> {
  const t0 = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  const body: unknown = await res.json();
  return { ms: performance.now() - t0, status: res.status, body };
}

async function measureKpis(env: BenchEnv, supervisor: string, opts: KpisOptions, log: (l: string) => void) {
  const q: KpiQuery = { ...MONTH, groupBy: ['strategy', 'arm'] };
  const url = `${env.apiUrl}/v1/kpis?from=${q.from}&to=${q.to}&groupBy=strategy,arm`;
  for (let i = 0; i < 3; i += 1) await timedGet(url, supervisor);
  const samples: number[] = [];
  let last: { ms: number; status: number; body: unknown } = { ms: 0, status: 0, body: null };
  for (let i = 0; i < opts.requests; i += 1) {
    last = await timedGet(url, supervisor);
    if (last.status !== 200) throw new Error(`GET /v1/kpis answered ${last.status}: ${JSON.stringify(last.body)}`);
    samples.push(last.ms);
  }
  samples.sort((a, b) => a - b);
  log(`  GET /v1/kpis: p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms`);
  // The raw GROUP BY over every entry of the month outlasts the requests' statement timeout at full size.
  const unbounded = createDb(env.config.databaseUrl ?? '', { max: 2, statementTimeoutMs: 0 });
  const base: number[] = [];
  let raw: unknown = null;
  for (let i = 0; i < opts.baselineRuns; i += 1) {
    const t0 = performance.now();
    raw = await rawLedgerKpis(unbounded.db, q);
    base.push(performance.now() - t0);
    log(`  raw GROUP BY run ${i + 1}: ${base[i]?.toFixed(0)} ms`);
  }
  await unbounded.close();
  base.sort((a, b) => a - b);
  const groups = (last.body as { groups: unknown[] }).groups;
  const equal = isDeepStrictEqual(JSON.parse(JSON.stringify(raw)), groups);
  if (!equal) log(`  MISMATCH: rollups ${JSON.stringify(groups)} vs raw ${JSON.stringify(raw)}`);
  const p95 = percentile(samples, 95);
  const baseP95 = percentile(base, 95);
  return {
    bench: 'kpis',
    accounts: opts.accounts,
    entries: 0,
    month: MONTH.from.slice(0, 7),
    group_by: 'strategy,arm',
    groups: groups.length,
    requests: opts.requests,
    p50_ms: round(percentile(samples, 50), 1),
    p95_ms: round(p95, 1),
    baseline_runs: opts.baselineRuns,
    baseline_p50_ms: round(percentile(base, 50), 1),
    baseline_p95_ms: round(baseP95, 1),
    ratio: round(baseP95 / p95, 1),
    equal,
  };
}

/** The append before the rollups: the same insert, nothing else (the baseline of the projection). */
async function plainAppend(db: BenchEnv['db']['db'], accountId: string, firstSeq: number, entries: TimelineEntry[]) {
  const rows = entries.map((e, i) => ({
    seq: firstSeq + i,
    at: new Date(Date.parse(e.at)).toISOString(),
    local_date: e.at.slice(0, 10),
    type: e.type,
    stage: e.stage,
    day: e.day,
    channel: typeof e.channel === 'string' ? e.channel : null,
    amount_minor: null,
    reason: typeof e.reason === 'string' ? e.reason : null,
    entry: e,
  }));
  await db.execute(sql`
    insert into account_ledger (account_id, seq, at, local_date, type, stage, day, strategy_id,
      strategy_version, arm, channel, agent_id, country, currency, amount_minor, reason, entry)
    select a.id, r.seq, r.at, r.local_date, r.type, r.stage, r.day, a.strategy_id, a.strategy_version,
      a.strategy_arm, r.channel, a.assigned_agent_id, d.country, a.currency, r.amount_minor, r.reason, r.entry
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(seq int, at timestamptz, local_date date,
      type text, stage text, day int, channel text, amount_minor bigint, reason text, entry jsonb)
    join accounts a on a.id = ${accountId}
    join debtors d on d.id = a.debtor_id
    on conflict (account_id, seq) do nothing`);
}

/** What a decision appends: a message, or a deferral and a message, or a task, on a day of February 2026. */
function decision(n: number, seq: number): TimelineEntry[] {
  const day = String(1 + (n % 28)).padStart(2, '0');
  const at = `2026-02-${day}T${String(8 + (seq % 10)).padStart(2, '0')}:00:00-06:00`;
  const message = { at, day: 40 + seq, stage: 'late', type: 'message', channel: ['email', 'sms', 'whatsapp'][n % 3] };
  if (n % 3 === 0) return [{ at, day: 40 + seq, stage: 'late', type: 'deferred', reason: 'quiet_hours' }, message];
  if (n % 5 === 0) return [{ at, day: 40 + seq, stage: 'late', type: 'task', channel: 'call' }];
  return [message];
}

async function measureAppends(url: string, per: number, opts: KpisOptions, log: (l: string) => void) {
  const handle = createDb(url, { max: opts.concurrency });
  try {
    const run = async (name: string, firstAccount: number, rollups: boolean) => {
      // One lane per account at a time (a workflow appends its own entries in order), `concurrency` lanes.
      const accounts = Math.max(opts.concurrency, Math.ceil(opts.appendEntries / 40));
      const seqs = new Map<number, number>();
      let appended = 0;
      let calls = 0;
      const t0 = performance.now();
      await pool(accounts, opts.concurrency, async (i) => {
        const g = firstAccount + i;
        const [row] = await handle.db.execute<{ id: string; next: number }>(sql`
          select ${uuidOf(g)}::text as id,
            (select coalesce(max(seq) + 1, 0)::int from account_ledger where account_id = ${uuidOf(g)}) as next`);
        const id = row?.id ?? '';
        seqs.set(g, row?.next ?? per);
        for (let n = 0; appended < opts.appendEntries && n < 40; n += 1) {
          const seq = seqs.get(g) ?? 0;
          const entries = decision(g + n, seq);
          if (rollups)
            await appendLedgerEntries(handle.db, {
              accountId: id,
              currency: g % 10 < 7 ? 'MXN' : 'CLP',
              strategyId: g % 10 >= 7 ? 'telco-cl' : g % 2 === 0 ? 'consumer-mx' : 'sme-mx',
              strategyVersion: 1 + (g % 5 === 0 ? 1 : 0),
              firstSeq: seq,
              entries,
            });
          else await plainAppend(handle.db, id, seq, entries);
          seqs.set(g, seq + entries.length);
          appended += entries.length;
          calls += 1;
        }
      });
      const s = seconds(t0);
      log(`  ${name}: ${appended} entries in ${calls} appends, ${s.toFixed(1)} s: ${(appended / s).toFixed(0)}/s`);
      return appended / s;
    };
    // Different accounts for each path (the baseline writes no rollups for its entries).
    const baseline = await run('baseline (ledger insert only)', 1, false);
    const ours = await run('append path (ledger + rollups)', 1 + Math.floor(opts.accounts / 2), true);
    return {
      bench: 'kpis-projection',
      entries: opts.appendEntries,
      concurrency: opts.concurrency,
      rate: round(ours, 0),
      baseline_rate: round(baseline, 0),
      ratio: round(ours / baseline, 3),
    };
  } finally {
    await handle.close();
  }
}

async function measureExport(env: BenchEnv, supervisor: string, opts: KpisOptions, log: (l: string) => void) {
  const pid = appPid();
  const rssBefore = rssMb(pid);
  let rssMax = rssBefore;
  const sampler = setInterval(() => {
    rssMax = Math.max(rssMax, rssMb(pid));
  }, 100);
  const t0 = performance.now();
  let lines = 0;
  let bytes = 0;
  try {
    const res = await fetch(`${env.apiUrl}/v1/exports/accounts.csv`, {
      headers: { authorization: `Bearer ${supervisor}` },
    });
    if (res.status !== 200 || !res.body) throw new Error(`GET /v1/exports/accounts.csv answered ${res.status}`);
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      bytes += chunk.length;
      for (const b of chunk) if (b === 10) lines += 1;
    }
  } finally {
    clearInterval(sampler);
  }
  const s = seconds(t0);
  rssMax = Math.max(rssMax, rssMb(pid));
  const rows = lines - 1;
  log(
    `  accounts.csv: ${rows} rows, ${(bytes / 1e6).toFixed(0)} MB in ${s.toFixed(1)} s; app RSS ${rssBefore} → max ${rssMax} MB`,
  );
  const t1 = performance.now();
  let baseRows = 0;
  for await (const batch of exportSource(env.db.db, 'accounts', {}).batches) baseRows += batch.length;
  const baseSeconds = seconds(t1);
  log(`  the same cursor read in-process: ${baseRows} rows in ${baseSeconds.toFixed(1)} s`);
  if (rows !== opts.accounts || baseRows !== opts.accounts)
    throw new Error(`the export had ${rows} rows (cursor ${baseRows}), not ${opts.accounts}`);
  return {
    bench: 'kpis-export',
    rows,
    seconds: round(s, 1),
    rows_per_s: round(rows / s, 0),
    baseline_seconds: round(baseSeconds, 1),
    ratio: round(baseSeconds / s, 3),
    app_rss_mb_before: rssBefore,
    app_rss_mb_max: rssMax,
    rss_growth_mb: round(rssMax - rssBefore, 1),
  };
}

export async function runKpis(env: BenchEnv, opts: KpisOptions, log: (line: string) => void) {
  const url = env.config.databaseUrl ?? '';
  log(`kpis: ${opts.accounts} accounts, ${opts.entries} entries`);
  const data = await generate(url, opts, log);
  const supervisor = generateKey();
  await env.db.db
    .insert(apiKeys)
    .values({ name: `${env.runId} supervisor`, role: 'supervisor', keyHash: hashKey(supervisor) });
  const print = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

  log(`GET /v1/kpis ${MONTH.from}..${MONTH.to} groupBy=strategy,arm`);
  const kpis = { ...(await measureKpis(env, supervisor, opts, log)), entries: data.entries };
  print(kpis);
  log('projection throughput');
  const projection = await measureAppends(url, data.per, opts, log);
  print(projection);
  log('export of every account');
  const exported = await measureExport(env, supervisor, opts, log);
  print(exported);
  return {
    bench: 'kpis',
    accounts: opts.accounts,
    entries: data.entries,
    generate_s: round(data.generateSeconds, 0),
    rollups_build_s: round(data.rollupSeconds, 0),
    rollup_rows: {
      daily: Number(data.sizes.daily),
      account_months: Number(data.sizes.months),
      account_days: Number(data.sizes.days),
    },
    p50_ms: kpis.p50_ms,
    p95_ms: kpis.p95_ms,
    baseline_p95_ms: kpis.baseline_p95_ms,
    ratio: kpis.ratio,
    equal: kpis.equal,
    projection_rate: projection.rate,
    projection_baseline_rate: projection.baseline_rate,
    export_rows: exported.rows,
    export_s: exported.seconds,
    export_rss_growth_mb: exported.rss_growth_mb,
  };
}

export const KPIS_USAGE =
  '  kpis    --accounts N (1000000)  --entries N (20000000)  --requests N (40)  --baseline-runs N (3)  --append-entries N (60000)  --concurrency C (32)';

function positive(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be an integer ≥ 1\n${KPIS_USAGE}`);
  return n;
}

/** `npm run bench -- kpis …` (scripts/bench.ts hands the parsed options here). */
export async function kpisMain(values: Record<string, unknown>, log: (line: string) => void): Promise<number> {
  const str = (k: string) => (typeof values[k] === 'string' ? values[k] : undefined);
  const accounts = positive(str('accounts'), 1_000_000, 'accounts');
  const opts: KpisOptions = {
    accounts,
    entries: positive(str('entries'), 20 * accounts, 'entries'),
    requests: positive(str('requests'), 40, 'requests'),
    baselineRuns: positive(str('baseline-runs'), 3, 'baseline-runs'),
    appendEntries: positive(str('append-entries'), 60_000, 'append-entries'),
    concurrency: positive(str('concurrency'), 32, 'concurrency'),
  };
  const env = await startBenchEnv({
    app: str('app') === 'inprocess' ? 'inprocess' : 'child',
    logLevel: str('log-level') ?? 'warn',
    nodeArgs: [],
    log,
  });
  const interrupted = (signal: string) => {
    log(`${signal}: stopping`);
    void env.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  let result: object;
  try {
    result = await runKpis(env, opts, log);
  } finally {
    log('stopping');
    await env.stop();
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}
