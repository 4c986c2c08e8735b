// Replays the recorded account workflow histories (tests/fixtures/histories/*.json: promise kept,
// broken promises escalating, plan, dispute with a pause, strategy version change, a backlog handed off
// then paid, recalled and written off, two debtors whose accounts race for the contact budget, an
// email refused at send time whose step falls back, behind patched('send-refusal-fallback'), a payment
// counted after the one before it closed the account, behind patched('payment-after-close'), and an
// over-payment that closed the account handed to the debtor as credit, behind patched('credit-at-close'))
// against the workflow bundle of this run, decoding their encrypted payloads through the codec.
// Any change to the sequence of commands the workflow issues for an existing history fails here.
//
// These files were recorded once when the first waves' patched() gates were retired (nothing ran in
// production before). Such a failure must not be "fixed" by re-recording: running accounts would hit
// the same nondeterminism in production. Put the new behaviour behind `patched('<change-id>')` (keep
// the result in a const: patched() is not memoized when false) so these histories take the old path,
// and add a journey for the new path (`npx tsx scripts/record-histories.ts <journey>`).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { DefaultLogger, Runtime, Worker, type ReplayResult } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { testDataConverter } from '../support/temporal-keys';

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
  dataConverter: testDataConverter(),
});

async function replay(
  histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[],
): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories(replayOptions(), histories)) results.push(result);
  return results;
}

describe('recorded account workflow histories', () => {
  it('cover the recorded journeys, with encrypted payloads', () => {
    const journeys = new Set(files.map((f) => f.replace(/\.run\d+\.json$/, '')));
    expect([...journeys].sort()).toEqual([
      'backlog-handoff-recall',
      'broken-promises-escalation',
      // One debtor, two accounts racing for the contact budget.
      'contact-budget-cl-clp',
      'contact-budget-cl-usd',
      'contact-budget-co-cop',
      'contact-budget-co-usd',
      // Recorded with patched('credit-at-close'): the over-payment that closed the account is the debtor's credit.
      'credit-at-close',
      'dispute-pause-legal',
      // Recorded with patched('send-refusal-fallback'): the refused email's step falls back to WhatsApp.
      'opt-out-at-send-time',
      // Recorded with patched('payment-after-close'): a payment queued when the account closed is counted.
      'payment-after-close',
      'plan-broken-promise-kept',
      'promise-kept',
      'strategy-version-change',
    ]);
    const started = load(files[0] ?? '').events?.[0]?.workflowExecutionStartedEventAttributes;
    expect(started?.input?.payloads?.[0]?.metadata?.encoding).toEqual(Buffer.from('binary/encrypted'));
  });

  it('include the send-time refusal on its patched path: a failed send, the patch marker, then the fallback send', () => {
    const events = load('opt-out-at-send-time.run01.json').events ?? [];
    const failed = events.findIndex((e) => e.activityTaskFailedEventAttributes);
    const marker = events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    const patch = events[marker]?.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    expect(JSON.parse(Buffer.from(patch ?? []).toString('utf8'))).toMatchObject({ id: 'send-refusal-fallback' });
    const sends = events.flatMap((e, i) =>
      e.activityTaskScheduledEventAttributes?.activityType?.name === 'deliverMessage' ? [i] : [],
    );
    expect(sends).toHaveLength(2);
    expect(failed).toBeGreaterThan(sends[0] ?? Infinity);
    expect(marker).toBeGreaterThan(failed);
    expect(sends[1]).toBeGreaterThan(marker);
  });

  it('include the payment after close on its patched path: both payments, the patch marker, then the ledger and the credit', () => {
    const events = load('payment-after-close.run01.json').events ?? [];
    const text = (data: Uint8Array | null | undefined) => Buffer.from(data ?? []).toString('utf8');
    const signals = events.flatMap((e, i) =>
      e.workflowExecutionSignaledEventAttributes?.signalName === 'paymentReceived' ? [i] : [],
    );
    const marker = events.findIndex((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
    const patch = events[marker]?.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
    expect(JSON.parse(text(patch))).toMatchObject({ id: 'payment-after-close' });
    const localActivities = events.flatMap((e, i) => {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      if (e.markerRecordedEventAttributes?.markerName !== 'core_local_activity' || !data) return [];
      return [{ i, type: (JSON.parse(text(data)) as { activity_type: string }).activity_type }];
    });
    expect(signals).toHaveLength(2);
    expect(marker).toBeGreaterThan(signals[1] ?? Infinity);
    // After the marker: the second payment's ledger entry, then its credit, then the run ends.
    expect(localActivities.filter((a) => a.i > marker).map((a) => a.type)).toEqual([
      'appendLedger',
      'creditClosedAccount',
    ]);
    expect(events.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy();
  });

  it('include the over-payment on its patched path: one payment closes the account, the patch marker, then its credit', () => {
    const events = load('credit-at-close.run01.json').events ?? [];
    const text = (data: Uint8Array | null | undefined) => Buffer.from(data ?? []).toString('utf8');
    const signals = events.flatMap((e, i) =>
      e.workflowExecutionSignaledEventAttributes?.signalName === 'paymentReceived' ? [i] : [],
    );
    const markers = events.flatMap((e, i) => {
      const data = e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads?.[0]?.data;
      return e.markerRecordedEventAttributes?.markerName === 'core_patch' && data
        ? [{ i, id: (JSON.parse(text(data)) as { id: string }).id }]
        : [];
    });
    // Only this patch: no payment waited at the close.
    expect(markers.map((m) => m.id)).toEqual(['credit-at-close']);
    const marker = markers[0]?.i ?? -1;
    const localActivities = events.flatMap((e, i) => {
      const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
      if (e.markerRecordedEventAttributes?.markerName !== 'core_local_activity' || !data) return [];
      return [{ i, type: (JSON.parse(text(data)) as { activity_type: string }).activity_type }];
    });
    expect(signals).toHaveLength(1);
    expect(marker).toBeGreaterThan(signals[0] ?? Infinity);
    // Before the marker the payment's ledger entry; after it only the credit, then the run ends.
    expect(
      localActivities.some((a) => a.type === 'appendLedger' && a.i > (signals[0] ?? Infinity) && a.i < marker),
    ).toBe(true);
    expect(localActivities.filter((a) => a.i > marker).map((a) => a.type)).toEqual(['creditClosedAccount']);
    expect(events.at(-1)?.workflowExecutionCompletedEventAttributes).toBeTruthy();
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
