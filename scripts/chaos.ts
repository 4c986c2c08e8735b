// `npm run chaos [-- --short]`: faults on the real servers (an embedded PostgreSQL, a Temporal dev server,
// the API and the worker as child processes of this one), bounded in count and time. One JSON line per
// scenario on stdout (CONTRACT §5 shape: work size, the measure, its baseline, ratio = delivered ÷ accepted);
// exits non-zero on any loss, duplicate, ledger mismatch (contact or event ledger), scenario that compared
// no contact decision for an account, or process that died on its own.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { DateTime } from 'luxon';
import pLimit from 'p-limit';
import { generateKey, hashKey } from '../api/auth';
import { createDb } from '../db/client';
import { migrateDb } from '../db/migrate';
import { apiKeys } from '../db/schema';
import { loadConfig } from '../workers/config';
import { connectClient } from '../workers/temporal-connection';
import { createDataConverter, FAILURE_CONVERTER_PATH } from '../workers/temporal-data-converter';
import { parseEncryptionKeys } from '../workers/encryption-keys';
import { startAppChild, type AppChild } from './chaos/app-child';
import { checkAccounts, undelivered, type AccountCheck } from './chaos/checks';
import { startRestartablePostgres } from './chaos/restartable-postgres';
import { freePort } from './embedded-postgres';
import { startTemporalDevServer, type RunningTemporal } from './temporal-dev-server';
import { resolveTemporalCli } from './temporal-binaries';

const short = process.argv.includes('--short');
const size = short
  ? { accounts: 60, workerKills: 3, payments: 120, apiKills: 2, temporalDownS: 10, outageInvoices: 40, pgRestarts: 2 }
  : {
      accounts: 1000,
      workerKills: 15,
      payments: 2000,
      apiKills: 5,
      temporalDownS: 60,
      outageInvoices: 300,
      pgRestarts: 10,
    };
/** A scenario gives up waiting for its workflows after this long (and counts what is missing as lost). */
const DRAIN_LIMIT_MS = short ? 90_000 : 300_000;
const log = (line: string) => process.stderr.write(`[chaos] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENCRYPTION_KEYS = `chaos-1:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`;

let failed = false;
function report(
  scenario: string,
  fields: Record<string, number>,
  accepted: number,
  out: Awaited<ReturnType<typeof checkAccounts>>,
  drainS: number,
  deaths: number,
) {
  const line = {
    bench: 'chaos',
    scenario,
    ...fields,
    accepted,
    delivered: out.delivered,
    lost: out.lost,
    duplicated: out.duplicated,
    ledger_mismatches: out.ledgerMismatches,
    ledger_rows: out.ledgerRows,
    ledger_time_mismatches: out.ledgerTimeMismatches,
    event_ledger_rows: out.eventLedgerRows,
    event_ledger_mismatches: out.eventLedgerMismatches,
    process_deaths: deaths,
    drain_s: Math.round(drainS * 10) / 10,
    baseline_accepted: accepted,
    ratio: accepted === 0 ? 1 : Math.round((out.delivered / accepted) * 1000) / 1000,
  };
  // Every account's first step is due at once (the debtors' zone is midday, see below), so each compared
  // account has at least one contact decision: fewer rows means the ledger check compared nothing for some.
  const mismatched = out.ledgerMismatches + out.ledgerTimeMismatches + out.eventLedgerMismatches;
  if (out.lost || out.duplicated || mismatched || deaths || out.delivered !== accepted) failed = true;
  if (out.ledgerRows < accepted) {
    log(`${scenario}: ${out.ledgerRows} contact decisions for ${accepted} accounts (every account should have one)`);
    failed = true;
  }
  for (const s of out.samples) log(`${scenario}: ${s}`);
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'collections-chaos-'));
  chmodSync(work, 0o755);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const pg = await startRestartablePostgres({
      dataDir: path.join(work, 'pg'),
      port: await freePort(),
      database: 'chaos',
    });
    cleanups.push(() => pg.dispose());
    await migrateDb(pg.url);
    const temporalPort = await freePort();
    const cli = resolveTemporalCli(process.env.TEMPORAL_CLI || undefined, log);
    const startTemporal = () =>
      startTemporalDevServer({
        cli,
        port: temporalPort,
        namespace: 'default',
        dbFile: path.join(work, 'temporal.sqlite'),
      });
    let temporal: RunningTemporal | null = await startTemporal();
    cleanups.push(() => temporal?.stop() ?? Promise.resolve());
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.resolve(import.meta.dirname, '../workflows/index.ts'),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn: log, error: log },
    });
    const bundle = path.join(work, 'workflows.js');
    writeFileSync(bundle, code);

    const taskQueue = `chaos-${crypto.randomUUID().slice(0, 8)}`;
    const env: Record<string, string> = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'error',
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_TASK_QUEUE: taskQueue,
      TEMPORAL_ENCRYPTION_KEYS: ENCRYPTION_KEYS,
      LINK_SIGNING_SECRET: crypto.randomUUID() + crypto.randomUUID(),
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '100000000',
    };
    const db = createDb(pg.url, { max: 4 });
    cleanups.push(() => db.close());
    const key = generateKey();
    await db.db.insert(apiKeys).values({ name: 'chaos system', role: 'system', keyHash: hashKey(key) });
    const parsed = parseEncryptionKeys(ENCRYPTION_KEYS);
    if ('problems' in parsed) throw new Error(parsed.problems.join('; '));
    const client = await connectClient(loadConfig(env).temporal, createDataConverter(parsed.keys));
    cleanups.push(() => client.connection.close());

    // The two processes under test; one that dies on its own is counted and started again.
    let deaths = 0;
    const supervised = async (roles: ('api' | 'worker')[]) => {
      const holder: { child: AppChild; expected: boolean } = {
        child: await startAppChild(env, { roles, workflowBundle: bundle }),
        expected: false,
      };
      const watch = (c: AppChild) =>
        void c.exited.then(({ code: exit, signal }) => {
          if (holder.child !== c || holder.expected) return;
          deaths += 1;
          log(`${roles.join('+')} died on its own (${exit ?? signal}): ${c.recentLog().slice(-1500)}`);
          void startAppChild(env, { roles, workflowBundle: bundle }).then((next) => {
            holder.child = next;
            watch(next);
          });
        });
      watch(holder.child);
      return {
        get url() {
          return holder.child.url;
        },
        async killAndRestart(pauseMs: number) {
          holder.expected = true;
          await holder.child.kill();
          await sleep(pauseMs);
          holder.child = await startAppChild(env, { roles, workflowBundle: bundle });
          holder.expected = false;
          watch(holder.child);
        },
        async stop() {
          holder.expected = true;
          await holder.child.stop();
        },
      };
    };
    const worker = await supervised(['worker']);
    cleanups.unshift(() => worker.stop());
    const api = await supervised(['api']);
    cleanups.unshift(() => api.stop());
    const apiUrl = `http://127.0.0.1:${env.PORT}`;

    const post = async (p: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      try {
        const res = await fetch(`${apiUrl}${p}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        return { status: res.status, body: ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown> };
      } catch {
        return { status: 0, body: {} };
      }
    };
    // The debtors live where it is midday now, under the US pack (contact every day 08:00–21:00, holidays
    // included): the first step of every account is decided at once, whatever the hour here, so the ledger
    // checks compare real message decisions. Production packs and strategies are untouched.
    const zone = middayZone(Date.now());
    const dueDate = DateTime.now().setZone(zone).minus({ days: 3 }).toISODate();
    log(`debtors in ${zone} (local time ${DateTime.now().setZone(zone).toFormat('HH:mm')})`);
    let serial = 0;
    const invoice = () => {
      serial += 1;
      return {
        externalId: `${taskQueue}-F${serial}`,
        debtor: {
          externalId: `${taskQueue}-D${serial}`,
          name: 'Acme Supplies LLC',
          kind: 'company',
          email: 'ap@example.com',
          country: 'US',
          timezone: zone,
        },
        amount: '50000.00',
        currency: 'USD',
        dueDate,
      };
    };
    /** Posts invoices in batches of 50 until `count` were accepted (a refused batch is sent again). */
    const openAccounts = async (count: number): Promise<AccountCheck[]> => {
      const opened: AccountCheck[] = [];
      while (opened.length < count) {
        const items = Array.from({ length: Math.min(50, count - opened.length) }, invoice);
        const res = await post('/v1/invoices/batch', { invoices: items });
        if (res.status !== 200) {
          await sleep(300);
          continue;
        }
        for (const r of res.body.results as { status: number; accountId?: string }[])
          if (r.status === 201 && r.accountId)
            opened.push({ accountId: r.accountId, workflowId: `account-${r.accountId}` });
      }
      return opened;
    };
    /** Waits until the outbox is empty and every account's workflow holds what was accepted. */
    const drained = async (accounts: AccountCheck[]) => {
      const started = performance.now();
      for (;;) {
        const left = await undelivered(db.db, taskQueue).catch(() => -1);
        const out = left === 0 ? await checkAccounts(db.db, client, accounts) : null;
        // Settled means every balance is right and both ledgers equal the timelines (right after Temporal
        // returns a timeline can be a step ahead of PostgreSQL, or a workflow task not yet committed a step
        // behind its ledger rows); a real mismatch outlasts the limit.
        const settled =
          out &&
          out.delivered === accounts.length &&
          out.ledgerMismatches + out.ledgerTimeMismatches + out.eventLedgerMismatches === 0;
        if (settled || performance.now() - started > DRAIN_LIMIT_MS)
          return {
            out: out ?? (await checkAccounts(db.db, client, accounts)),
            drainS: (performance.now() - started) / 1000,
          };
        await sleep(1000);
      }
    };

    let pool: AccountCheck[] = [];
    // 1. The worker killed during a batch of accounts.
    {
      log(`worker_killed: ${size.accounts} accounts, ${size.workerKills} kills`);
      const before = deaths;
      // Kills start with the batch and go on while its workflows take their first decisions.
      const kills = (async () => {
        for (let i = 0; i < size.workerKills; i++) {
          await sleep(short ? 1500 : 3000);
          await worker.killAndRestart(200);
        }
      })();
      const accounts = await openAccounts(size.accounts);
      await kills;
      const { out, drainS } = await drained(accounts);
      report(
        'worker_killed',
        { accounts: size.accounts, kills: size.workerKills },
        accounts.length,
        out,
        drainS,
        deaths - before,
      );
      pool = accounts;
    }

    // 2. The API killed during payments.
    {
      log(`api_killed: ${size.payments} payments, ${size.apiKills} kills`);
      const before = deaths;
      let paying = true;
      let killed = 0;
      const kills = (async () => {
        for (let i = 0; i < size.apiKills && paying; i++, killed++) {
          await sleep(short ? 1500 : 4000);
          await api.killAndRestart(300);
        }
      })();
      const limit = pLimit(8);
      let accepted = 0;
      await Promise.all(
        Array.from({ length: size.payments }, (_, i) =>
          limit(async () => {
            const account = pool[i % pool.length];
            if (!account) return;
            const body = { amount: '100.00', currency: 'USD', reference: `${taskQueue}-P${i}` };
            // A request the kill cut off is sent again, as a client would: the reference keeps it once.
            for (const until = Date.now() + 120_000; Date.now() < until;) {
              const res = await post(`/v1/accounts/${account.accountId}/payments`, body);
              if (res.status === 202) {
                accepted += 1;
                return;
              }
              await sleep(250);
            }
          }),
        ),
      );
      paying = false;
      await kills;
      const { out, drainS } = await drained(pool);
      report(
        'api_killed',
        { payments: size.payments, payments_accepted: accepted, kills: killed, accounts: pool.length },
        pool.length,
        out,
        drainS,
        deaths - before,
      );
    }

    // 3. Temporal stopped for a while, invoices accepted meanwhile.
    {
      log(`temporal_stopped: ${size.temporalDownS} s, ${size.outageInvoices} invoices`);
      const before = deaths;
      await temporal?.stop();
      temporal = null;
      const stoppedAt = performance.now();
      const accounts = await openAccounts(size.outageInvoices);
      await sleep(Math.max(0, size.temporalDownS * 1000 - (performance.now() - stoppedAt)));
      temporal = await startTemporal();
      const { out, drainS } = await drained(accounts);
      report(
        'temporal_stopped',
        { down_s: size.temporalDownS, accounts: size.outageInvoices },
        accounts.length,
        out,
        drainS,
        deaths - before,
      );
    }

    // 4. PostgreSQL restarted under traffic (fast and immediate stops).
    {
      log(`postgres_restarted: ${size.pgRestarts} restarts`);
      const before = deaths;
      let flowing = true;
      const accounts: AccountCheck[] = [];
      let unavailable = 0;
      const traffic = Array.from({ length: 4 }, async () => {
        while (flowing) {
          const res = await post('/v1/invoices', invoice());
          if (res.status === 201)
            accounts.push({ accountId: String(res.body.accountId), workflowId: String(res.body.workflowId) });
          else if (res.status === 503) unavailable += 1;
          if (res.status !== 201) await sleep(100);
        }
      });
      for (let i = 0; i < size.pgRestarts; i++) {
        await sleep(2000);
        await pg.stop(i % 2 === 0 ? 'fast' : 'immediate');
        await sleep(1000);
        await pg.start();
      }
      await sleep(2000);
      flowing = false;
      await Promise.all(traffic);
      const { out, drainS } = await drained(accounts);
      report(
        'postgres_restarted',
        { restarts: size.pgRestarts, answered_503: unavailable },
        accounts.length,
        out,
        drainS,
        deaths - before,
      );
    }
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
    rmSync(work, { recursive: true, force: true });
  }
}

/** A whole-hour zone where the local time is about 13:00 now (Etc/GMT-3 is UTC+3: POSIX signs). */
function middayZone(now: number): string {
  const hour = new Date(now).getUTCHours();
  let offset = (((13 - hour) % 24) + 24) % 24;
  if (offset > 14) offset -= 24;
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

main().then(
  () => process.exit(failed ? 1 : 0),
  (err: unknown) => {
    console.error(err);
    process.exit(2);
  },
);
