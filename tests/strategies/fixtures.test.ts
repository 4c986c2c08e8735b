// Committed scenarios with hand-checked expected outputs; the workflow tests replay the same files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './helpers';

const dir = join(import.meta.dirname, '../fixtures/scenarios');
const scenarios = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));

describe('scenario fixtures', () => {
  it.each(scenarios)('%s matches its expected output', (file) => {
    const input = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const expected = JSON.parse(readFileSync(join(dir, file.replace(/\.json$/, '.expected.json')), 'utf8'));
    expect(run(input)).toEqual(expected);
  });
});
