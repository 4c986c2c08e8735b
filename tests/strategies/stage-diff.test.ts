// The strategy diff by meaning: stages by id, steps by day, action and channel, whatever their positions.
import { describe, expect, it } from 'vitest';
import { stageDiff } from '../../api/strategies/diff';
import { consumerMx } from '../../strategies/builtin/consumer-mx';

describe('stageDiff', () => {
  it('a reordered stage list is a move, not a change of every stage after it', () => {
    const [pre, early, ...rest] = consumerMx.stages;
    const swapped = { ...consumerMx, stages: [early!, pre!, ...rest] };
    expect(stageDiff(consumerMx, swapped)).toEqual([
      { stageId: 'early', change: 'moved', from: 1, to: 0, fields: [], steps: [] },
      { stageId: 'preventive', change: 'moved', from: 0, to: 1, fields: [], steps: [] },
    ]);
  });

  it('names an inserted step by what it is, a changed step by its fields, added and removed stages', () => {
    const next = {
      ...consumerMx,
      stages: [
        ...consumerMx.stages
          .filter((s) => s.id !== 'legal')
          .map((s) =>
            s.id === 'early'
              ? {
                  ...s,
                  fromDay: 2,
                  steps: [
                    { day: 0, action: 'message', channel: 'email', template: 'overdue' },
                    ...(s.steps ?? []).map((st) => (st.action === 'task' ? { ...st, priority: 'urgent' } : st)),
                  ],
                }
              : s,
          ),
        { id: 'writeoff', kind: 'writeoff', fromDay: 180 },
      ],
    };
    const diff = stageDiff(consumerMx, next);
    expect(diff.find((d) => d.stageId === 'early')).toEqual({
      stageId: 'early',
      change: 'changed',
      from: 1,
      to: 1,
      fields: [{ path: 'fromDay', before: 1, after: 2 }],
      steps: [
        {
          step: 'day 0 message email',
          change: 'added',
          after: { day: 0, action: 'message', channel: 'email', template: 'overdue' },
        },
        { step: 'day 7 task call', change: 'changed', fields: [{ path: 'priority', before: 'high', after: 'urgent' }] },
      ],
    });
    expect(diff.find((d) => d.stageId === 'legal')).toMatchObject({ change: 'removed', from: 3 });
    expect(diff.find((d) => d.stageId === 'writeoff')).toMatchObject({ change: 'added', to: 3 });
    expect(diff.find((d) => d.stageId === 'prelegal')).toBeUndefined();
  });
});
