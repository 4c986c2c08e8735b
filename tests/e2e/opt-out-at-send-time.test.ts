// Opt-outs are read at send time (issue 8 item 7), followed through the real account workflow on the
// time-skipping server with the real activities, PostgreSQL and the local Resend: the debtor's email is
// opted out in the database after the account opened, and the workflow is not told before its email
// step comes due. The send activity refuses the email; the workflow treats that as a channel failure
// and the step takes its fallback (WhatsApp) at once. Nothing reaches Resend; the timeline says why.
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountLedger, outboundMessages } from '../../db/schema';
import type { TimelineEntry } from '../../strategies/core/types';
import { optOutAtSendTimeJourney, prepareJourney } from '../workflows/support/journeys';
import { driveJourneys, type Journey } from '../workflows/support/scenario-journey';
import { startTimeSkippingRig, type TimeSkippingRig } from '../workflows/support/time-skipping';
import { rigConfig } from '../workflows/support/vitest-rig';

let rig: TimeSkippingRig;
let journey: Journey;

beforeAll(async () => {
  rig = await startTimeSkippingRig(rigConfig());
  const notBefore = (await rig.env.currentTimeMs()) + 86_400_000;
  journey = await prepareJourney(rig.db.db, optOutAtSendTimeJourney, notBefore);
  await driveJourneys(rig.env, rig.taskQueue, [journey], rig.db.db);
}, 150_000);

afterAll(async () => {
  await rig?.stop();
});

function timeline(): TimelineEntry[] {
  if (!journey.view) throw new Error(`${journey.name} did not run`);
  return journey.view.timeline;
}

const summary = (e: TimelineEntry) =>
  Object.fromEntries(
    ['type', 'channel', 'template', 'reason', 'key', 'status'].flatMap((k) => (k in e ? [[k, e[k]]] : [])),
  );

describe('an email step whose send finds the debtor opted out', () => {
  it('is a channel failure: the step falls back to WhatsApp at once, and the timeline says why', () => {
    expect(timeline().map(summary)).toEqual([
      { type: 'opened' },
      { type: 'stage_entered', reason: 'schedule' },
      // Decided while the workflow still took email to be usable…
      { type: 'message', channel: 'email', template: 'overdue', key: 'early/0/1' },
      // …refused when it would have left: not sent, and why.
      { type: 'skipped', channel: 'email', reason: 'opted_out', key: 'early/0/1' },
      // The step's fallback, under a key of its own (the refused email's key is never reused).
      { type: 'message', channel: 'whatsapp', template: 'overdue', key: 'early/0/1/whatsapp' },
      { type: 'payment' },
      { type: 'closed', status: 'paid' },
    ]);
    // The refused email was no contact: the fallback is not held back a day by maxPerDay or minHoursBetween.
    const [email, skipped, whatsapp] = timeline().slice(2, 5);
    expect(skipped?.at.slice(0, 13)).toBe(email?.at.slice(0, 13));
    expect(whatsapp?.at).toBe(skipped?.at);
    expect(journey.view?.status).toBe('paid');
  });

  it('no email reaches Resend; the WhatsApp fallback is the one message the account has', async () => {
    const { accountId } = journey.account;
    expect(rig.resend.received.filter((r) => r.idempotencyKey?.startsWith(accountId))).toEqual([]);
    expect(rig.resend.sent.filter((r) => JSON.stringify(r.body).includes(accountId))).toEqual([]);
    const rows = await rig.db.db.select().from(outboundMessages).where(eq(outboundMessages.accountId, accountId));
    expect(rows.filter((r) => r.status === 'sent' || r.status === 'captured')).toEqual([
      expect.objectContaining({
        idempotencyKey: `${accountId}/v1/early/0/1/whatsapp`,
        channel: 'whatsapp',
        template: 'overdue',
        status: 'captured',
      }),
    ]);
    expect(rows.filter((r) => r.channel === 'email' && r.status !== 'failed')).toEqual([]);
  });

  it('wrote the refusal and the fallback to the ledger, in timeline order', async () => {
    const rows = await rig.db.db
      .select()
      .from(accountLedger)
      .where(eq(accountLedger.accountId, journey.account.accountId))
      .orderBy(asc(accountLedger.seq));
    expect(rows.map((r) => r.entry)).toEqual(timeline());
    expect(rows.filter((r) => r.type === 'skipped').map((r) => r.reason)).toEqual(['opted_out']);
  });
});
