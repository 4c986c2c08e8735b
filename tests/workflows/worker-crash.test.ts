// A worker PROCESS is SIGKILLed while an email send is in flight: a proxy in front of the Resend
// stand-in forwards the account's second email (Resend creates it) and never answers. A new worker
// process takes over. The journey must finish with every message sent exactly once (one
// outbound_messages row each; the retried send reuses the idempotency key and Resend answers it from
// its idempotency store, so one email) and the same timeline as the simulator: no step lost or repeated.
//
// Wall-clock cost, by design: the time-skipping server does not skip time while an activity is
// outstanding, so the dead worker's attempt ends only when its real 1-minute startToClose timeout
// expires (what a real server would do too). The first worker runs without a sticky cache because the
// test server never moves a workflow task off a dead worker's sticky queue (a real server does after
// stickyQueueScheduleToStartTimeout); its tasks therefore replay the whole history each time.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentTasks, outboundMessages } from '../../db/schema';
import { startHoldingProxy, type HoldingProxy } from './support/holding-proxy';
import { prepareJourney, workflowJourney } from './support/journeys';
import { driveJourneys, simulateJourney } from './support/scenario-journey';
import { startTimeSkippingRig, type TimeSkippingRig } from './support/time-skipping';
import { rigConfig } from './support/vitest-rig';
import type { WorkerProcessConfig } from './support/worker-process';

let rig: TimeSkippingRig;
let proxy: HoldingProxy;
const children: ChildProcess[] = [];

function startWorkerProcess(config: WorkerProcessConfig): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.resolve(import.meta.dirname, 'support/worker-process.ts'), JSON.stringify(config)],
    {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker process exited (${String(code)}) before it was ready`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().startsWith('ready')) resolve(child);
    });
  });
}

beforeAll(async () => {
  rig = await startTimeSkippingRig(rigConfig(), { worker: false });
  proxy = await startHoldingProxy(rig.resend.url);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await proxy?.close();
  await rig?.stop();
});

describe('a worker process killed in the middle of an email send', () => {
  it('completes the journey with every message sent once and no step lost or repeated', async () => {
    const config: WorkerProcessConfig = {
      address: rig.env.address,
      taskQueue: rig.taskQueue,
      databaseUrl: rigConfig().databaseUrl,
      workflowBundlePath: rigConfig().workflowBundlePath,
      resend: { url: proxy.url, apiKey: rig.resend.apiKey },
      maxCachedWorkflows: 0,
    };
    const journey = await prepareJourney(
      rig.db.db,
      workflowJourney('co-promises-dispute-pause'),
      (await rig.env.currentTimeMs()) + 86_400_000,
    );
    const first = await startWorkerProcess(config);
    const held = proxy.holdEmail(1);
    const driving = driveJourneys(rig.env, rig.taskQueue, [journey], rig.db.db);
    const key = await held;
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    const [pending] = await rig.db.db.select().from(outboundMessages).where(eq(outboundMessages.idempotencyKey, key));
    expect(pending?.status).toBe('pending');
    expect(rig.resend.sent.filter((r) => r.idempotencyKey === key)).toHaveLength(1);
    await startWorkerProcess({ ...config, maxCachedWorkflows: 10 });
    await driving;

    const view = journey.view;
    if (!view) throw new Error('no view');
    expect(view.timeline).toEqual(simulateJourney(journey.scenario).timeline);
    const messages = view.timeline.filter((e) => e.type === 'message');
    const keyOf = (k: unknown) => `${journey.account.accountId}/v1/${String(k)}`;
    expect(messages.map((m) => keyOf(m.key))).toContain(key);
    const rows = await rig.db.db
      .select()
      .from(outboundMessages)
      .where(eq(outboundMessages.accountId, journey.account.accountId));
    expect(rows.map((r) => r.idempotencyKey).sort()).toEqual(messages.map((m) => keyOf(m.key)).sort());
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    for (const m of messages) {
      const created = rig.resend.sent.filter((r) => r.idempotencyKey === keyOf(m.key));
      expect(created).toHaveLength(1);
    }
    const retried = rig.resend.received.filter((r) => r.idempotencyKey === key);
    expect(retried.map((r) => r.replayed)).toEqual([false, true]);
    expect(retried[1]?.status).toBe(200);
    const tasks = await rig.db.db.select().from(agentTasks).where(eq(agentTasks.accountId, journey.account.accountId));
    expect(tasks).toHaveLength(view.timeline.filter((e) => e.type === 'task').length);
  }, 240_000);
});
