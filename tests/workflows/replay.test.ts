// Replays the recorded account workflow histories (tests/fixtures/histories/*.json: promise kept,
// broken promises escalating, plan, dispute with a pause, strategy version change; one file per run,
// the workflow continues-as-new at each stage change) against the workflow bundle of this run.
// Any change to the sequence of commands the workflow issues for an existing history fails here.
//
// Such a change must not be "fixed" by re-recording: running accounts would hit the same
// nondeterminism in production. Put the new behaviour behind `patched('<change-id>')` (keep the
// result in a const: patched() is not memoized when false) so these histories take the old path.
// Re-record (`npx tsx scripts/record-histories.ts`, then commit tests/fixtures/histories) only to
// add journeys, keeping the old files of every patch that is still in the code.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

// The tampered history below makes the SDK log its nondeterminism at WARN: expected, not news.
Runtime.install({ logger: new DefaultLogger('ERROR') });

const dir = path.resolve(import.meta.dirname, '../fixtures/histories');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) => historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
const replayOptions = () => ({
  workflowBundle: { codePath: inject('workflowBundlePath') },
  replayName: 'account-replay',
});

async function replay(
  histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[],
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories(replayOptions(), histories)) results.push(result);
  return results;
}

describe('recorded account workflow histories', () => {
  it('cover the recorded journeys, each with several runs', () => {
    const journeys = new Set(files.map((f) => f.replace(/\.run\d+\.json$/, '')));
    expect([...journeys].sort()).toEqual([
      'broken-promises-escalation',
      // One debtor, two accounts racing for the contact budget: runs made with patched('contact-budget').
      'contact-budget-cl-clp',
      'contact-budget-cl-usd',
      'contact-budget-co-cop',
      'contact-budget-co-usd',
      'dispute-pause-legal',
      // Runs made with patched('db-activities-local').
      'dispute-pause-legal-local-activities',
      'plan-broken-promise-kept',
      'promise-kept',
      'promise-kept-local-activities',
      'strategy-version-change',
    ]);
    expect(files.length).toBeGreaterThan(journeys.size);
  });

  it('replay deterministically with the current workflow code', async () => {
    const results = await replay(files.map((file) => ({ workflowId: file, history: load(file) })));
    expect(results).toHaveLength(files.length);
    expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${String(r.error)}`)).toEqual([]);
  });

  it('fail on nondeterminism (a history whose first activity is not the one the code schedules)', async () => {
    const history = load(files[0] ?? '');
    const scheduled = history.events?.find(
      (e) => e.activityTaskScheduledEventAttributes,
    )?.activityTaskScheduledEventAttributes;
    if (!scheduled?.activityType) throw new Error('no activity in the history');
    scheduled.activityType.name = 'someOtherActivity';
    const [result] = await replay([{ workflowId: 'tampered', history }]);
    expect(result?.error).toBeInstanceOf(DeterminismViolationError);
  });
});
