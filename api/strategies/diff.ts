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
