// Records account workflow histories for the replay test (tests/workflows/replay.test.ts): runs a few
// journeys on the time-skipping server with the real activities and writes every run of each (the
// workflow continues-as-new at each stage change) as history JSON under tests/fixtures/histories/.
//
//   npx tsx scripts/record-histories.ts                    # the journeys that have no files yet
//   npx tsx scripts/record-histories.ts contact-budget-co  # (re-)records the named journeys only
//   DATABASE_URL=postgres://… npx tsx scripts/record-histories.ts …   # instead of an embedded PostgreSQL
//
// Files of journeys not recorded in this run are left as they are. Every history here was recorded by
// the code as it stood when the patched() gates of the first waves were retired (nothing ran in
// production before): from now on a change to the workflow's command sequence goes behind
// patched('<id>') and must replay these files unchanged. Payloads are encrypted with the test keys
// (tests/support/temporal.ts), so the replay decodes them through the codec.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrateDb } from '../db/migrate';
import {
  clBudgetJourney,
  coBudgetJourney,
  prepareDebtorJourneys,
  type DebtorJourneySpec,
} from '../tests/workflows/support/debtor-journeys';
import {
  fixtureJourney,
  optOutAtSendTimeJourney,
  prepareJourney,
  versionChangeJourney,
  workflowJourney,
  type JourneySpec,
} from '../tests/workflows/support/journeys';
import type { Journey } from '../tests/workflows/support/scenario-journey';
import { driveJourneys } from '../tests/workflows/support/scenario-journey';
import { startTimeSkippingRig } from '../tests/workflows/support/time-skipping';
import { freePort, startEmbeddedPostgresProcess } from './embedded-postgres';
import { resolveTemporalTestServer } from './temporal-binaries';
import { FAILURE_CONVERTER_PATH } from '../workers/temporal-data-converter';

const outDir = path.resolve(import.meta.dirname, '../tests/fixtures/histories');

/** File name stem → journey: promise kept, escalation, plan, dispute (with a pause), version change, backlog. */
const recorded: Record<string, JourneySpec> = {
  'promise-kept': fixtureJourney('mx-promise-kept'),
  'broken-promises-escalation': fixtureJourney('mx-holiday-weekend-broken-promises'),
  'plan-broken-promise-kept': workflowJourney('mx-plan-broken-opt-out'),
  'dispute-pause-legal': workflowJourney('co-promises-dispute-pause'),
  'strategy-version-change': versionChangeJourney,
  // Invoices together, hand-off, payments after it, recall, promise, write-off.
  'backlog-handoff-recall': workflowJourney('mx-backlog-handoff-recall-paid'),
  // An email refused at send time (opted out in the database only) and its WhatsApp fallback: patched('send-refusal-fallback').
  'opt-out-at-send-time': optOutAtSendTimeJourney,
  // Two payments back to back, the first settles the account: the second is counted after it closed, patched('payment-after-close').
  'payment-after-close': workflowJourney('mx-payments-back-to-back'),
  // One payment above the balance closes the account: the extra is the debtor's credit at the end, patched('credit-at-close').
  'credit-at-close': workflowJourney('mx-overpayment-closes'),
};

/**
 * Journey name → one debtor with two accounts whose workflows race for the debtor's contact budget
 * (reserveContacts, re-decisions after losing, deferrals recorded). One file stem per account:
 * `<name>-<currency>`, e.g. contact-budget-co-usd.run02.json.
 */
const recordedDebtors: Record<string, DebtorJourneySpec> = {
  'contact-budget-co': coBudgetJourney,
  'contact-budget-cl': clBudgetJourney,
};

const stemOf = (file: string) => file.replace(/\.run\d+\.json$/, '');
const fileStemsOf = (name: string): string[] =>
  name in recordedDebtors
    ? (recordedDebtors[name]?.accounts ?? []).map((a) => `${name}-${a.label.toLowerCase()}`)
    : [name];

/** The journeys named on the command line, else those with no files yet. */
function selectJourneys(args: string[], existing: string[]): string[] {
  const known = [...Object.keys(recorded), ...Object.keys(recordedDebtors)];
  const unknown = args.filter((a) => !known.includes(a));
  if (unknown.length > 0) throw new Error(`unknown journeys ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (args.length > 0) return args;
  const present = new Set(existing.map(stemOf));
  return known.filter((name) => !fileStemsOf(name).some((stem) => present.has(stem)));
}

/** Every run of a workflow, oldest first, following continuedExecutionRunId back from the latest. */
async function runsOf(client: Client, workflowId: string) {
  const runs = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs.unshift(history);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return runs;
    runId = previous;
  }
}

const quiet = () => undefined;
const quietLogger = {
  log: quiet,
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: (m: string) => console.warn(m),
  error: (m: string) => console.error(m),
};

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const selected = selectJourneys(
    process.argv.slice(2),
    readdirSync(outDir).filter((f) => f.endsWith('.json')),
  );
  if (selected.length === 0) {
    console.log('Every journey has its files; name the ones to re-record.');
    return;
  }
  const work = mkdtempSync(path.join(tmpdir(), 'record-histories-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgresProcess({
        dataDir: path.join(work, 'pg'),
        port: await freePort(),
        database: 'record_histories',
        persistent: false,
      });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    await migrateDb(databaseUrl);
    const { code } = await bundleWorkflowCode({
      workflowsPath: path.resolve(import.meta.dirname, '../workflows/index.ts'),
      failureConverterPath: FAILURE_CONVERTER_PATH,
      logger: quietLogger,
    });
    const workflowBundlePath = path.join(work, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, code);

    const rig = await startTimeSkippingRig({
      testServerPath: resolveTemporalTestServer(process.env.TEMPORAL_TEST_SERVER),
      databaseUrl,
      workflowBundlePath,
    });
    cleanups.push(() => rig.stop());
    const notBefore = (await rig.env.currentTimeMs()) + 86_400_000;
    const journeys: { stem: string; journey: Journey }[] = [];
    for (const name of selected) {
      const single = recorded[name];
      const debtor = recordedDebtors[name];
      if (single) journeys.push({ stem: name, journey: await prepareJourney(rig.db.db, single, notBefore) });
      if (debtor) {
        const prepared = await prepareDebtorJourneys(rig.db.db, debtor, notBefore);
        prepared.journeys.forEach((journey, i) =>
          journeys.push({ stem: fileStemsOf(name)[i] ?? `${name}-${i}`, journey }),
        );
      }
    }
    await driveJourneys(
      rig.env,
      rig.taskQueue,
      journeys.map((j) => j.journey),
      rig.db.db,
    );

    const stems = new Set(journeys.map((j) => j.stem));
    for (const file of readdirSync(outDir))
      if (file.endsWith('.json') && stems.has(stemOf(file))) rmSync(path.join(outDir, file));
    for (const { stem, journey } of journeys) {
      const runs = await runsOf(rig.env.client, journey.account.workflowId);
      runs.forEach((history, i) => {
        const file = path.join(outDir, `${stem}.run${String(i + 1).padStart(2, '0')}.json`);
        writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
      });
      console.log(
        `${stem}: ${runs.length} runs, ${runs.reduce((n, h) => n + (h.events?.length ?? 0), 0)} events, ${journey.view?.status ?? '?'}`,
      );
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error(err));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
