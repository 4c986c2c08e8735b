// A structural diff of two JSON documents: one entry per changed leaf (or added/removed subtree),
// with paths written like validation errors (`stages[1].steps[0].day`). Arrays compare by position.

export interface DiffEntry {
  path: string;
  before?: unknown;
  after?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const name = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${name}` : name;
}

export function jsonDiff(before: unknown, after: unknown, path = ''): DiffEntry[] {
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: DiffEntry[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i += 1) {
      if (i >= before.length) out.push({ path: child(path, i), after: after[i] });
      else if (i >= after.length) out.push({ path: child(path, i), before: before[i] });
      else out.push(...jsonDiff(before[i], after[i], child(path, i)));
    }
    return out;
  }
  if (isObject(before) && isObject(after)) {
    const out: DiffEntry[] = [];
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      if (!(key in after)) out.push({ path: child(path, key), before: before[key] });
      else if (!(key in before)) out.push({ path: child(path, key), after: after[key] });
      else out.push(...jsonDiff(before[key], after[key], child(path, key)));
    }
    return out;
  }
  if (Object.is(before, after)) return [];
  return [{ path: path || '(root)', before, after }];
}

/** A stage's change between two versions, matched by stage id (not by its place in `stages`). */
export interface StageChange {
  stageId: string;
  change: 'added' | 'removed' | 'changed' | 'moved';
  /** Positions in `stages` before and after (a stage whose fields are unchanged but whose place is: moved). */
  from?: number;
  to?: number;
  /** Changed fields of the stage itself (not its steps), paths relative to the stage. */
  fields: DiffEntry[];
  steps: StepChange[];
}

/**
 * Steps carry no id in a definition (CONTRACT §3): a step is matched by what it is, its day, action and
 * channel (`day 7 task call`); the n-th such step before with the n-th after.
 */
export interface StepChange {
  step: string;
  change: 'added' | 'removed' | 'changed';
  fields?: DiffEntry[];
  before?: unknown;
  after?: unknown;
}

type Obj = Record<string, unknown>;
const stagesOf = (d: unknown): Obj[] =>
  isObject(d) && Array.isArray(d.stages) ? (d.stages as unknown[]).filter((s): s is Obj => isObject(s)) : [];
const stepsOf = (s: Obj): Obj[] =>
  Array.isArray(s.steps) ? (s.steps as unknown[]).filter((x): x is Obj => isObject(x)) : [];
const stepName = (s: Obj) =>
  [`day ${String(s.day)}`, s.action, s.channel].filter((p): p is string => typeof p === 'string').join(' ');

function keyed(steps: Obj[]): Map<string, Obj> {
  const seen = new Map<string, number>();
  const out = new Map<string, Obj>();
  for (const s of steps) {
    const name = stepName(s);
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    out.set(n === 1 ? name : `${name} #${n}`, s);
  }
  return out;
}

/** The semantic diff of two definitions' stages: by stage id, and steps by day, action and channel. */
export function stageDiff(before: unknown, after: unknown): StageChange[] {
  const a = stagesOf(before);
  const b = stagesOf(after);
  const idx = (list: Obj[]) => new Map(list.map((s, i) => [String(s.id), i]));
  const ia = idx(a);
  const ib = idx(b);
  const ids = [...new Set([...b.map((s) => String(s.id)), ...a.map((s) => String(s.id))])];
  const out: StageChange[] = [];
  for (const id of ids) {
    const i = ia.get(id);
    const j = ib.get(id);
    if (i === undefined) {
      out.push({
        stageId: id,
        change: 'added',
        to: j,
        fields: [],
        steps: stepsOf(b[j!]!).map((s) => ({ step: stepName(s), change: 'added', after: s })),
      });
      continue;
    }
    if (j === undefined) {
      out.push({
        stageId: id,
        change: 'removed',
        from: i,
        fields: [],
        steps: stepsOf(a[i]!).map((s) => ({ step: stepName(s), change: 'removed', before: s })),
      });
      continue;
    }
    const { steps: sa, ...restA } = a[i]!;
    const { steps: sb, ...restB } = b[j]!;
    const fields = jsonDiff(restA, restB);
    const ka = keyed(stepsOf({ steps: sa }));
    const kb = keyed(stepsOf({ steps: sb }));
    const steps: StepChange[] = [];
    for (const [name, s] of kb) {
      const old = ka.get(name);
      if (!old) steps.push({ step: name, change: 'added', after: s });
      else {
        const d = jsonDiff(old, s);
        if (d.length > 0) steps.push({ step: name, change: 'changed', fields: d });
      }
    }
    for (const [name, s] of ka) if (!kb.has(name)) steps.push({ step: name, change: 'removed', before: s });
    if (fields.length > 0 || steps.length > 0)
      out.push({ stageId: id, change: 'changed', from: i, to: j, fields, steps });
    else if (i !== j) out.push({ stageId: id, change: 'moved', from: i, to: j, fields: [], steps: [] });
  }
  return out;
}
