// Issue 8 item 13: the README documents the scenario format with an example; the example runs as written.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseScenario, simulate } from '../../strategies/simulate';

const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe("the README's scenario example", () => {
  it('parses and runs: the promise is kept and the account is paid', () => {
    const section = readme.indexOf('### Scenario format');
    expect(section).toBeGreaterThan(0);
    const from = readme.indexOf('```yaml\n', section) + '```yaml\n'.length;
    const parsed = parseScenario(parseYaml(readme.slice(from, readme.indexOf('\n```', from))));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const result = simulate(parsed.scenario);
    expect(result).toMatchObject({ status: 'paid', balance: '0.00' });
    expect(result.timeline.map((e) => e.type)).toEqual(
      expect.arrayContaining(['promise_accepted', 'promise_kept', 'payment']),
    );
  });
});
