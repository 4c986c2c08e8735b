// `npm run simulate -- FILE`: runs a scenario (JSON or YAML) through the decision core and prints the result.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parseScenario, simulate } from '../strategies/simulate';

function fail(lines: string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

const file = process.argv.slice(2).find((arg) => arg !== '--');
if (!file) fail(['usage: npm run simulate -- FILE (a scenario in JSON or YAML)']);

let text: string;
try {
  text = readFileSync(file, 'utf8');
} catch (error) {
  fail([`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`]);
}

let input: unknown;
try {
  input = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
} catch (error) {
  fail([
    `${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${error instanceof Error ? error.message : String(error)}`,
  ]);
}

const parsed = parseScenario(input);
if (!parsed.ok) fail(parsed.errors.map((e) => `${e.path || '(root)'}: ${e.message}`));
process.stdout.write(`${JSON.stringify(simulate(parsed.scenario), null, 2)}\n`);
