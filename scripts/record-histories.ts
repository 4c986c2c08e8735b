// Records account workflow histories for the replay test (tests/workflows/replay.test.ts): runs a few
// journeys on the time-skipping server with the real activities and writes every run of each (the
// workflow continues-as-new at each stage change) as history JSON under tests/fixtures/histories/.
//
//   npx tsx scripts/record-histories.ts            # embedded PostgreSQL in a temporary folder
//   DATABASE_URL=postgres://… npx tsx scripts/record-histories.ts
//
// Re-record only when the journeys themselves change. A change to the workflow's command sequence
// must go behind patched('<id>') and replay these histories unchanged.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode } from '@temporalio/worker';
import { migrateDb } from '../db/migrate';
import { fixtureJourney, prepareJourney, versionChangeJourney, workflowJourney, type JourneySpec } from '../tests/workflows/support/journeys';
import { driveJourneys } from '../tests/workflows/support/scenario-journey';
import { startTimeSkippingRig } from '../tests/workflows/support/time-skipping';
import { freePort, startEmbeddedPostgresProcess } from './embedded-postgres';
import { resolveTemporalTestServer } from './temporal-binaries';

const outDir = path.resolve(import.meta.dirname, '../tests/fixtures/histories');

/** File name stem → journey: promise kept, escalation, plan, dispute (with a pause), version change. */
const recorded: Record<string, JourneySpec> = {
  'promise-kept': fixtureJourney('mx-promise-kept'),
  'broken-promises-escalation': fixtureJourney('mx-holiday-weekend-broken-promises'),
  'plan-broken-promise-kept': workflowJourney('mx-plan-broken-opt-out'),
  'dispute-pause-legal': workflowJourney('co-promises-dispute-pause'),
  'strategy-version-change': versionChangeJourney,
};

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
const quietLogger = { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: (m: string) => console.warn(m), error: (m: string) => console.error(m) };

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'record-histories-'));
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgresProcess({ dataDir: path.join(work, 'pg'), port: await freePort(), database: 'record_histories', persistent: false });
      cleanups.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    await migrateDb(databaseUrl);
    const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(import.meta.dirname, '../workflows/index.ts'), logger: quietLogger });
    const workflowBundlePath = path.join(work, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, code);

    const rig = await startTimeSkippingRig({ testServerPath: resolveTemporalTestServer(process.env.TEMPORAL_TEST_SERVER), databaseUrl, workflowBundlePath });
    cleanups.push(() => rig.stop());
    const notBefore = (await rig.env.currentTimeMs()) + 86_400_000;
    const journeys = [];
    for (const [stem, spec] of Object.entries(recorded)) journeys.push({ stem, journey: await prepareJourney(rig.db.db, spec, notBefore) });
    await driveJourneys(rig.env, rig.taskQueue, journeys.map((j) => j.journey), rig.db.db);

    mkdirSync(outDir, { recursive: true });
    for (const file of readdirSync(outDir)) if (file.endsWith('.json')) rmSync(path.join(outDir, file));
    for (const { stem, journey } of journeys) {
      const runs = await runsOf(rig.env.client, journey.account.workflowId);
      runs.forEach((history, i) => {
        const file = path.join(outDir, `${stem}.run${String(i + 1).padStart(2, '0')}.json`);
        writeFileSync(file, `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 1)}\n`);
      });
      console.log(`${stem}: ${runs.length} runs, ${runs.reduce((n, h) => n + (h.events?.length ?? 0), 0)} events, ${journey.view?.status ?? '?'}`);
    }
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error(err));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
