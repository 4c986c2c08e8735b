// Running steps: catch-up, supersession, channel fallback, `when` conditions and compliance deferral.
import { isoLocal, localDate } from './calendar';
import { blockReason, nextAllowedInstant } from './compliance';
import { parseMinor } from './money';
import { unhandledSteps } from './schedule';
import { balanceOf, currentStage, dayAt, record, stepsWaiting } from './state';
import type { Run } from './state';
import type { AccountState, NormalizedStep, StepCondition } from './types';

const CONTACT_MEMORY_MS = 15 * 24 * 3_600_000;

function unavailableReason(s: AccountState, channel: string): string | null {
  if (s.optedOut.includes(channel)) return 'opted_out';
  if (s.unavailable.includes(channel)) return 'channel_failed';
  if (s.channels[channel] === false) return 'no_address';
  return null;
}

/** Primary channel if usable, else the fallback, else the reason the step is skipped. */
export function resolveChannel(s: AccountState, step: NormalizedStep): { channel: string } | { skip: string } {
  const primary = unavailableReason(s, step.channel);
  if (primary === null) return { channel: step.channel };
  if (step.fallback && unavailableReason(s, step.fallback) === null) return { channel: step.fallback };
  return { skip: primary };
}

function conditionHolds(run: Run, when: StepCondition | undefined, t: number): boolean {
  if (!when) return true;
  const { s } = run;
  const balance = balanceOf(s);
  const min = when.minBalance === undefined ? null : parseMinor(when.minBalance, s.currencyDigits);
  const max = when.maxBalance === undefined ? null : parseMinor(when.maxBalance, s.currencyDigits);
  if (min !== null && balance < min) return false;
  if (max !== null && balance > max) return false;
  if (when.minDaysPastDue !== undefined && dayAt(run.ctx, s, t) < when.minDaysPastDue) return false;
  if (when.minBrokenPromises !== undefined && s.brokenPromises < when.minBrokenPromises) return false;
  return true;
}

/** `stage/step/visit`: a stage entered again (a recall) makes its steps anew, under new keys. */
export function stepKey(stageId: string, stepIndex: number, visit = 1): string {
  return `${stageId}/${stepIndex}/${visit}`;
}

function execute(run: Run, stageId: string, step: NormalizedStep, key: string, channel: string, t: number): void {
  const { s } = run;
  if (step.action === 'message') {
    const template = step.template ?? '';
    run.commands.push({ type: 'send_message', key, channel, template, stageId });
    record(run, t, 'message', { channel, template, key });
  } else {
    const priority = step.priority ?? 'normal';
    run.commands.push({ type: 'create_task', key, channel, priority, stageId });
    record(run, t, 'task', { channel, priority, key });
  }
  s.contacts = s.contacts.filter((c) => c.at > t - CONTACT_MEMORY_MS);
  s.contacts.push({ at: t, date: localDate(t, run.ctx.zone), channel });
  s.unansweredContacts += 1;
  s.pending = null;
}

/**
 * Tries one step at t. `announceDeferral` is false for a caught-up step, which simply runs at the
 * next allowed instant instead of being recorded as deferred.
 */
function attempt(
  run: Run,
  stageId: string,
  stepIndex: number,
  t: number,
  announceDeferral: boolean,
  retryOf?: string,
): void {
  const { ctx, s } = run;
  const step = ctx.strategy.stages.find((st) => st.id === stageId)?.steps[stepIndex];
  s.pending = null;
  if (!step) return;
  const stepId = retryOf ?? stepKey(stageId, stepIndex, s.stageVisit ?? 1);
  if (!conditionHolds(run, step.when, t)) {
    record(run, t, 'skipped', { channel: step.channel, reason: 'condition_not_met', key: stepId });
    return;
  }
  const resolved = resolveChannel(s, step);
  if ('skip' in resolved) {
    record(run, t, 'skipped', { channel: step.channel, reason: resolved.skip, key: stepId });
    return;
  }
  const channel = resolved.channel;
  // A refused send's fallback never reuses its key: that key may already name a message row of the refused channel.
  const key = retryOf === undefined ? stepId : `${retryOf}/${channel}`;
  const reason = blockReason(ctx, s, channel, t);
  if (reason === null) return execute(run, stageId, step, key, channel, t);
  const until = nextAllowedInstant(ctx, s, channel, t);
  if (until === null) {
    record(run, t, 'skipped', { channel, reason: 'no_allowed_window', key });
    return;
  }
  s.pending = { stageId, stepIndex, channel, key, until, ...(retryOf !== undefined ? { retryOf } : {}) };
  if (announceDeferral) record(run, t, 'deferred', { channel, reason, until: isoLocal(until, ctx.zone), key });
}

function supersede(run: Run, t: number): void {
  const pending = run.s.pending;
  if (!pending) return;
  run.s.pending = null;
  record(run, t, 'skipped', { channel: pending.channel, reason: 'superseded', key: pending.key });
}

/** Runs whatever step work is due at t. Returns true if anything happened. */
export function runSteps(run: Run, t: number): boolean {
  const { ctx, s } = run;
  if (stepsWaiting(s)) return false;
  const stage = currentStage(ctx, s);
  if (!stage) return false;
  const due = unhandledSteps(ctx, s).filter((d) => d.at <= t);
  if (due.length > 0) {
    const comingDueNow = due.filter((d) => d.at === t);
    // Catch-up: of the steps missed while the account waited, only the most recent one runs.
    const missed = due.filter((d) => d.at < t);
    const runNow = comingDueNow.length > 0 ? comingDueNow : missed.slice(-1);
    for (const d of due) {
      if (runNow.includes(d)) continue;
      s.handledSteps.push(d.index);
      record(run, t, 'skipped', {
        channel: stage.steps[d.index]?.channel,
        reason: 'catch_up',
        key: stepKey(stage.id, d.index, s.stageVisit ?? 1),
      });
    }
    for (const d of runNow) {
      supersede(run, t);
      s.handledSteps.push(d.index);
      attempt(run, stage.id, d.index, t, d.at === t);
    }
    return true;
  }
  const pending = s.pending;
  if (pending && pending.until <= t) {
    attempt(run, pending.stageId, pending.stepIndex, t, true, pending.retryOf);
    return true;
  }
  return false;
}

/**
 * A send the channel refused when it was about to leave — the debtor opted out, or the address bounced or
 * drew a complaint, after the workflow decided the send. Nothing left, so it was no contact (caps and
 * unanswered contacts forget it); the refusal is recorded as the step's skip on that channel, with the
 * channel's status as the reason; and the step takes its fallback at once (deferred like any attempt when
 * not allowed now), keyed `<step key>/<channel>`. Without a usable fallback, a refusal of a fallback, or
 * for a step collection has moved past or waits on, the channel is only marked failed for later steps.
 */
export function fallBackAfterRefusal(
  run: Run,
  refused: { key: string; channel: string; reason: string },
  t: number,
): void {
  const { ctx, s } = run;
  if (!s.unavailable.includes(refused.channel)) s.unavailable.push(refused.channel);
  const madeAt = s.timeline.findLastIndex((e) => (e.type === 'message' || e.type === 'task') && e.key === refused.key);
  const made = s.timeline[madeAt];
  if (!made || made.channel !== refused.channel) return;
  if (s.timeline.slice(madeAt + 1).some((e) => e.type === 'skipped' && e.key === refused.key)) return;
  const at = Date.parse(made.at);
  const contact = s.contacts.findLastIndex((c) => c.channel === refused.channel && Math.abs(c.at - at) < 1000);
  if (contact >= 0) {
    s.contacts.splice(contact, 1);
    s.unansweredContacts = Math.max(0, s.unansweredContacts - 1);
  }
  record(run, t, 'skipped', { channel: refused.channel, reason: refused.reason, key: refused.key });

  const stage = currentStage(ctx, s);
  const [stageId, index, visit, retried] = refused.key.split('/');
  const stepIndex = Number(index);
  const step = stage?.steps[stepIndex];
  if (!stage || !step || retried !== undefined || stageId !== stage.id || Number(visit) !== (s.stageVisit ?? 1)) return;
  if (stepsWaiting(s) || !step.fallback) return;
  const resolved = resolveChannel(s, step);
  if (!('channel' in resolved) || resolved.channel !== step.fallback) return;
  supersede(run, t);
  attempt(run, stage.id, stepIndex, t, true, refused.key);
}
