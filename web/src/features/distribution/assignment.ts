// What the distribution form sends to POST /v1/assignments (the rule and its parameters, as typed), and where
// each field the API's problem names is shown.
import { ApiError, errorText } from '../../api/problem';
import type { paths } from '../../api/schema';

type Operation = paths['/v1/assignments']['post'];
export type AssignmentBody = Operation['requestBody']['content']['application/json'];
export type AssignmentAnswer = Operation['responses'][200]['content']['application/json'];
export type Rule = AssignmentBody['rule'];
export type SegmentBy = NonNullable<AssignmentBody['segmentBy']>;

export const RULES: readonly Rule[] = ['round_robin', 'capacity', 'segment'];
export const SEGMENT_BY: readonly SegmentBy[] = ['attribute', 'strategy', 'arm', 'country', 'debtorKind'];

export interface SegmentRow {
  key: number;
  value: string;
  agents: string;
}

/** The rule's part of the form, as typed (text), before it becomes the request. */
export interface RuleDraft {
  rule: Rule;
  agents: string;
  capacity: Record<string, string>;
  segmentBy: SegmentBy;
  attribute: string;
  segments: SegmentRow[];
}

export const emptyDraft = (): RuleDraft => ({
  rule: 'round_robin',
  agents: '',
  capacity: {},
  segmentBy: 'attribute',
  attribute: 'segment',
  segments: [{ key: 0, value: '', agents: '' }],
});

/** Agent ids typed with commas between them (repeats kept: the API names them). */
export const agentList = (text: string): string[] =>
  text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);

/** The rule's fields of the request; what is left empty is left out, so the API says what is missing. */
export function ruleBody(d: RuleDraft): Omit<AssignmentBody, 'accountIds' | 'filter' | 'dryRun'> {
  const agents = agentList(d.agents);
  switch (d.rule) {
    case 'round_robin':
      return { rule: d.rule, ...(agents.length ? { agents } : {}) };
    case 'capacity': {
      const capacity: Record<string, number> = {};
      for (const a of agents) {
        const v = d.capacity[a]?.trim();
        if (v) capacity[a] = Number(v);
      }
      return { rule: d.rule, ...(agents.length ? { agents } : {}), capacity };
    }
    case 'segment': {
      const rows = d.segments.filter((s) => s.value.trim() || s.agents.trim());
      return {
        rule: d.rule,
        segmentBy: d.segmentBy,
        ...(d.segmentBy === 'attribute' ? { attribute: d.attribute.trim() } : {}),
        ...(rows.length
          ? { segments: Object.fromEntries(rows.map((s) => [s.value.trim(), agentList(s.agents)])) }
          : {}),
      };
    }
  }
}

/** Segment rows the request cannot carry: a blank value beside agents, or a value given twice. */
export function segmentRowErrors(rows: readonly SegmentRow[]): Map<number, 'blank' | 'repeated'> {
  const errors = new Map<number, 'blank' | 'repeated'>();
  const seen = new Set<string>();
  for (const s of rows) {
    const value = s.value.trim();
    if (!value && s.agents.trim()) errors.set(s.key, 'blank');
    else if (value && seen.has(value)) errors.set(s.key, 'repeated');
    seen.add(value);
  }
  return errors;
}

/** The API's messages for a field and its items or members (`agents`, `agents[1]`, `capacity.ana`). */
export class FieldMessages {
  constructor(private readonly error: unknown) {}

  private get errors() {
    return this.error instanceof ApiError ? (this.error.problem.errors ?? []) : [];
  }

  /** The message for exactly this field, and for each item of it (`name[i]`, prefixed by the item's value). */
  of(field: string, items: readonly string[] = []): string | undefined {
    const found = this.errors.flatMap((e) => {
      if (e.field === field) return [e.message];
      const item = e.field.startsWith(`${field}[`) ? /^\[(\d+)\]$/.exec(e.field.slice(field.length)) : null;
      return item ? [`${items[Number(item[1])] ?? `#${Number(item[1]) + 1}`}: ${e.message}`] : [];
    });
    return found.length ? found.join('; ') : undefined;
  }

  /** Field errors no field of the form shows (`shown` says which it does), as "field: message". */
  rest(shown: (field: string) => boolean): string[] {
    return this.errors.filter((e) => !shown(e.field)).map((e) => `${e.field}: ${e.message}`);
  }

  /** The detail, when the problem names no field (e.g. a selection too large). */
  get detail(): string | undefined {
    if (!this.error) return undefined;
    if (this.error instanceof ApiError && this.errors.length) return undefined;
    return errorText(this.error);
  }
}
