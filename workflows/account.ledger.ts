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
  const decisions: RecordedDecision[] = decision.timeline
    .filter((e) => e.type === 'deferred' || e.type === 'skipped')
    .map((e) => {
      const channel = typeof e.channel === 'string' ? e.channel : 'unknown';
      return {
        key: `${accountId}/${e.type}/${e.at}/${e.stage}/${channel}`,
        channel,
        decision: e.type as 'deferred' | 'skipped',
        rule: typeof e.reason === 'string' ? e.reason : 'unknown',
        at: Date.parse(e.at),
        ...(typeof e.until === 'string' ? { until: Date.parse(e.until) } : {}),
      };
    });
  return { attempts, decisions };
}
