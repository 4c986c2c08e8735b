// What one decision of the core means for the debtor-wide contact ledger: the contacts it makes
// (messages sent, tasks created) and the contacts it deferred or skipped, with the rule why.
import type { ContactAttempt, RecordedDecision } from '../activities/contact-budget.activities';
import type { Decision, EngineContext } from '../strategies/core/types';

/** Another account may win the race a few times in a row; past this the decision stands. */
export const MAX_BUDGET_ROUNDS = 4;

export function ledgerEntries(
  accountId: string,
  engine: EngineContext,
  decision: Decision,
): { attempts: ContactAttempt[]; decisions: RecordedDecision[] } {
  const made = decision.timeline.filter((e) => e.type === 'message' || e.type === 'task');
  const commands = decision.commands.filter((c) => c.type === 'send_message' || c.type === 'create_task');
  const attempts = commands.map((c, i) => ({
    key: `${accountId}/v${engine.strategyVersion}/${c.key}`,
    channel: c.channel,
    at: Date.parse(made[i]?.at ?? '') || decision.state.clock,
  }));
  // Deferred and skipped rows are keyed by the business decision (step key, kind, how many times that step
  // was deferred or skipped so far), never by the instant: a workflow task retried after a crash decides
  // the same thing a little later and must land on the same row (with the time of the run that committed).
  const seen = new Map<string, number>();
  const tail = decision.state.timeline.length - decision.timeline.length;
  const ordinals = decision.state.timeline.map((e) => {
    if ((e.type !== 'deferred' && e.type !== 'skipped') || typeof e.key !== 'string') return 0;
    const id = `${e.key}/${e.type}`;
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    return n;
  });
  const decisions: RecordedDecision[] = decision.timeline.flatMap((e, i) => {
    if (e.type !== 'deferred' && e.type !== 'skipped') return [];
    const channel = typeof e.channel === 'string' ? e.channel : 'unknown';
    const step = typeof e.key === 'string' ? e.key : `${e.stage}/${channel}`;
    return [
      {
        key: `${accountId}/v${engine.strategyVersion}/${step}/${e.type}/${ordinals[tail + i] ?? 0}`,
        channel,
        decision: e.type,
        rule: typeof e.reason === 'string' ? e.reason : 'unknown',
        at: Date.parse(e.at),
        ...(typeof e.until === 'string' ? { until: Date.parse(e.until) } : {}),
      },
    ];
  });
  return { attempts, decisions };
}
