// The KPI rollups against the raw ledger on the real PostgreSQL: random portfolios appended through the real
// append path (in chunks, with retried and concurrent duplicate appends, the account's arm, agent and the
// debtor's country changing between appends), then GET /v1/kpis's figures (rollupKpis) equal the plain
// GROUP BY over account_ledger (rawLedgerKpis) for random periods, groupings and currencies. And a rebuild
// from the ledger gives the same rollups as the appends kept.
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { accounts, debtors } from '../../db/schema';
import { rollRates, standingOn } from '../../lib/kpis/aging';
import { KPI_DIMENSIONS, rawLedgerKpis, type KpiDimension, type KpiQuery } from '../../lib/kpis/ledger-kpis';
import { periodMonths, rollupKpis } from '../../lib/kpis/rollups';
import { appendLedgerEntries, rebuildKpiRollups } from '../../lib/ledger/append';
import type { TimelineEntry } from '../../strategies/core/types';
import { uniqueId } from '../support/runtime';

let db: DbHandle;

beforeAll(() => {
  db = createDb(inject('databaseUrl'), { max: 6 });
});

afterAll(async () => {
  await db?.close();
});

// A window of local dates no other test writes in (they use today and 2025–2026): every ledger row in it
// went through the append path, so the raw ledger and the rollups must agree on any period inside it.
const WINDOW_START = Date.UTC(2040, 0, 20);
const WINDOW_DAYS = 75;
const dateOf = (offset: number) => new Date(WINDOW_START + offset * 86_400_000).toISOString().slice(0, 10);

const OFFSETS = ['-06:00', '-03:00', '+00:00'];
const STAGES = ['none', 'early', 'late'];
const CHANNELS = ['email', 'sms', 'whatsapp', 'call'];
const REASONS = ['quiet_hours', 'budget', 'opted_out', undefined];

type EntrySpec = { type: string; dayOffset: number; hour: number; value: number; pick: number };

const entrySpec = fc.record({
  type: fc.constantFrom(
    'opened',
    'stage_entered',
    'message',
    'task',
    'deferred',
    'skipped',
    'payment',
    'promise_accepted',
    'promise_kept',
    'promise_broken',
    'reply',
    'contact_outcome',
    'closed',
  ),
  dayOffset: fc.integer({ min: 0, max: WINDOW_DAYS - 1 }),
  hour: fc.integer({ min: 0, max: 23 }),
  value: fc.integer({ min: 1, max: 500_000 }),
  pick: fc.nat(),
});

const accountSpec = fc.record({
  currency: fc.constantFrom('MXN', 'CLP'),
  country: fc.constantFrom('MX', 'CL'),
  offset: fc.constantFrom(...OFFSETS),
  entries: fc.array(entrySpec, { minLength: 1, maxLength: 24 }),
  chunks: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 8 }),
  // Each chunk after the first may be sent again from this many entries back (a retried activity).
  retryBack: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
  duplicateAt: fc.integer({ min: 0, max: 7 }),
  arms: fc.array(fc.constantFrom('champion', 'challenger', null), { minLength: 1, maxLength: 3 }),
  agents: fc.array(fc.constantFrom('agent-1', 'agent-2', null), { minLength: 1, maxLength: 3 }),
});

type AccountSpec = typeof accountSpec extends fc.Arbitrary<infer T> ? T : never;

const querySpec = fc.record({
  groupBy: fc.subarray(Object.keys(KPI_DIMENSIONS) as KpiDimension[]),
  from: fc.integer({ min: -3, max: WINDOW_DAYS }),
  length: fc.integer({ min: 0, max: WINDOW_DAYS }),
  currency: fc.constantFrom(undefined, 'MXN', 'CLP'),
});

function amount(minor: number, currency: string) {
  return currency === 'CLP' ? String(minor) : `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/** A timeline in order of time (the ledger's seq order), each entry with the fields the KPIs read. */
function timelineOf(spec: AccountSpec['entries'], currency: string, offset: string) {
  const sorted = [...spec].sort((a, b) => a.dayOffset - b.dayOffset || a.hour - b.hour);
  return sorted.map((e: EntrySpec, i): TimelineEntry => {
    const at = `${dateOf(e.dayOffset)}T${String(e.hour).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00${offset}`;
    const base = { at, day: e.dayOffset, stage: STAGES[e.pick % STAGES.length] ?? 'none', type: e.type };
    const channel = CHANNELS[e.pick % CHANNELS.length];
    switch (e.type) {
      case 'opened':
      case 'payment':
      case 'promise_accepted':
        return { ...base, amount: amount(e.value, currency) };
      case 'message':
      case 'task':
        // A message without a channel counts as 'unknown', as in the raw query.
        return e.pick % 7 === 0 ? base : { ...base, channel };
      case 'deferred':
      case 'skipped': {
        const reason = REASONS[e.pick % REASONS.length];
        return { ...base, channel, ...(reason ? { reason } : {}) };
      }
      case 'contact_outcome':
        return { ...base, channel, outcome: e.pick % 2 === 0 ? 'right_party' : 'no_answer' };
      case 'closed':
        return { ...base, status: e.pick % 2 === 0 ? 'paid' : 'legal_handoff' };
      default:
        return base;
    }
  });
}

async function appendPortfolio(portfolio: AccountSpec[], strategyId: string) {
  let expectedRows = 0;
  let added = 0;
  await Promise.all(
    portfolio.map(async (spec) => {
      const [debtor] = await db.db
        .insert(debtors)
        .values({ externalId: uniqueId('D'), kind: 'person', name: 'Rollup Debtor', country: spec.country })
        .returning();
      const [account] = await db.db
        .insert(accounts)
        .values({
          debtorId: debtor!.id,
          currency: spec.currency,
          workflowId: uniqueId('kpi-rollups'),
          strategyId,
          strategyVersion: 1,
        })
        .returning();
      const timeline = timelineOf(spec.entries, spec.currency, spec.offset);
      expectedRows += timeline.length;
      let seq = 0;
      for (const [c, size] of spec.chunks.entries()) {
        if (seq >= timeline.length) break;
        // The account-level key changes between appends (a reassignment, a split, a debtor who moved).
        await db.db.execute(sql`update accounts set strategy_arm = ${spec.arms[c % spec.arms.length] ?? null},
          assigned_agent_id = ${spec.agents[c % spec.agents.length] ?? null} where id = ${account!.id}`);
        if (c > 0 && c % 3 === 0)
          await db.db.execute(sql`update debtors set country = ${spec.country === 'MX' ? 'CL' : 'MX'}
            where id = ${debtor!.id}`);
        const back = c === 0 ? 0 : Math.min(seq, spec.retryBack[c] ?? 0);
        const last = c === spec.chunks.length - 1 ? timeline.length : Math.min(timeline.length, seq + size);
        const input = {
          accountId: account!.id,
          currency: spec.currency,
          strategyId,
          strategyVersion: 1 + (c % 2),
          firstSeq: seq - back,
          entries: timeline.slice(seq - back, last),
        };
        // The same append twice at once (a retry racing a slow first attempt), now and then.
        const attempts = c === spec.duplicateAt ? [input, input] : [input];
        const counts = await Promise.all(attempts.map((a) => appendLedgerEntries(db.db, a)));
        added += counts.reduce((s, k) => s + k, 0);
        seq = last;
      }
      // A replayed workflow appends the whole timeline again: nothing is added.
      const replayed = await appendLedgerEntries(db.db, {
        accountId: account!.id,
        currency: spec.currency,
        strategyId,
        strategyVersion: 1,
        firstSeq: 0,
        entries: timeline,
      });
      added += replayed;
    }),
  );
  return { expectedRows, added };
}

function queryOf(q: typeof querySpec extends fc.Arbitrary<infer Q> ? Q : never): KpiQuery {
  return {
    from: dateOf(q.from),
    to: dateOf(q.from + q.length),
    groupBy: q.groupBy,
    ...(q.currency ? { currency: q.currency } : {}),
  };
}

const rollupTables = ['kpi_daily', 'kpi_account_months', 'kpi_account_days'] as const;

async function snapshot() {
  const out: Record<string, unknown[]> = {};
  for (const table of rollupTables) {
    const rows = await db.db.execute(
      sql`select * from ${sql.identifier(table)} where ${sql.raw(
        table === 'kpi_account_months' ? 'month' : 'local_date',
      )} >= '2040-01-01'`,
    );
    out[table] = [...rows].map((r) => JSON.stringify(r)).sort();
  }
  const standing = await db.db.execute(sql`select * from account_standing where account_id in
    (select account_id from account_ledger where local_date >= '2040-01-01')`);
  out.account_standing = [...standing].map((r) => JSON.stringify(r)).sort();
  return out;
}

describe('KPI rollups', () => {
  it('the period months and their day masks', () => {
    expect(periodMonths('2040-01-30', '2040-03-02')).toEqual({
      months: ['2040-01-01', '2040-02-01', '2040-03-01'],
      masks: [2 ** 31 - 2 ** 29, 2 ** 31 - 1, 2 ** 2 - 1],
    });
    expect(periodMonths('2040-02-10', '2040-02-10')).toEqual({ months: ['2040-02-01'], masks: [2 ** 9] });
  });

  it('answer what a plain GROUP BY over the raw ledger answers, whatever was retried or raced', async () => {
    const checked = { groups: 0, recovered: 0, standings: 0, closed: 0, rolls: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(accountSpec, { minLength: 1, maxLength: 10 }),
        fc.array(querySpec, { minLength: 6, maxLength: 6 }),
        async (portfolio, queries) => {
          const strategyId = uniqueId('rollups').toLowerCase();
          const { expectedRows, added } = await appendPortfolio(portfolio, strategyId);
          // Every entry landed once: retries, races and the replay added nothing.
          expect(added).toBe(expectedRows);
          const [row] = await db.db.execute<{ n: number }>(
            sql`select count(*)::int as n from account_ledger where strategy_id = ${strategyId}`,
          );
          expect(row?.n).toBe(expectedRows);
          const fixed: KpiQuery[] = [
            { from: dateOf(0), to: dateOf(WINDOW_DAYS), groupBy: ['strategy', 'arm'] },
            { from: dateOf(12), to: dateOf(40), groupBy: ['strategy', 'version', 'country'], currency: 'MXN' },
            { from: dateOf(0), to: dateOf(WINDOW_DAYS), groupBy: ['stage', 'channel', 'agent', 'day'] },
          ];
          for (const q of [...fixed, ...queries.map(queryOf)]) {
            const [rollup, raw] = await Promise.all([rollupKpis(db.db, q), rawLedgerKpis(db.db, q)]);
            expect(rollup, JSON.stringify(q)).toEqual(raw);
            checked.groups += raw.length;
            checked.recovered += raw.filter((g) => Number(g.recovered) > 0).length;
          }
          // Where each account stood on a date (aging, roll rates): from account_standing where the latest
          // entry is on or before the date, else from the ledger — the same rows as the ledger alone gives.
          for (const offset of [-1, 0, 7, 30, WINDOW_DAYS - 1, WINDOW_DAYS + 5]) {
            const rows = async (ledgerOnly: boolean) =>
              [
                ...(await db.db.execute(sql`select * from (${standingOn(dateOf(offset), {}, true, { ledgerOnly })}) x
                  where account_id in (select id from accounts where strategy_id = ${strategyId})`)),
              ]
                .map((r) => JSON.stringify(r))
                .sort();
            const [fast, reference] = await Promise.all([rows(false), rows(true)]);
            expect(fast, `standing on ${dateOf(offset)}`).toEqual(reference);
            checked.standings += reference.length;
            checked.closed += reference.filter((r) => !r.includes('"closed":null')).length;
          }
          // Roll rates read both dates in one pass: the accounts open on `from`, each counted from its bucket
          // then to its bucket or closing status on `to`, as two ledger-only standings say.
          for (const [a, b] of [
            [0, 30],
            [7, WINDOW_DAYS + 5],
            [-1, 7],
          ] as const) {
            const standing = async (offset: number) =>
              new Map(
                [
                  ...(await db.db.execute<{ account_id: string; bucket: string; closed: string | null }>(sql`
                    select account_id, bucket, closed from (${standingOn(dateOf(offset), {}, false, { ledgerOnly: true })}) x
                    where account_id in (select id from accounts where strategy_id = ${strategyId})`)),
                ].map((r) => [r.account_id, r]),
              );
            const [then, later] = await Promise.all([standing(a), standing(b)]);
            const expected: Record<string, number> = {};
            for (const [id, r] of then)
              if (r.closed === null) {
                const to = later.get(id);
                const key = `${r.bucket}→${to?.closed ?? to?.bucket}`;
                expected[key] = (expected[key] ?? 0) + 1;
              }
            const got: Record<string, number> = {};
            for (const group of await rollRates(db.db, { from: dateOf(a), to: dateOf(b), strategy: strategyId }))
              for (const bucket of group.buckets)
                for (const [to, n] of Object.entries(bucket.to))
                  got[`${bucket.bucket}→${to}`] = (got[`${bucket.bucket}→${to}`] ?? 0) + n;
            expect(got, `roll rates ${dateOf(a)} → ${dateOf(b)}`).toEqual(expected);
            checked.rolls += Object.values(expected).reduce((n, k) => n + k, 0);
          }
        },
      ),
      { numRuns: 15, endOnFailure: true },
    );
    // The comparisons were about something: groups with figures, recovered money among them.
    expect(checked.groups).toBeGreaterThan(50);
    expect(checked.recovered).toBeGreaterThan(0);
    expect(checked.standings).toBeGreaterThan(50);
    expect(checked.closed).toBeGreaterThan(0);
    expect(checked.rolls).toBeGreaterThan(20);
  });

  it('built again from the ledger, are the rollups the appends kept', async () => {
    const before = await snapshot();
    expect(before.kpi_daily?.length).toBeGreaterThan(0);
    expect(before.account_standing?.length).toBeGreaterThan(0);
    await rebuildKpiRollups(db.db);
    expect(await snapshot()).toEqual(before);
  });
});
