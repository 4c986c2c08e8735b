// `npm run simulate -- FILE`: runs a scenario (JSON or YAML) through the decision core and prints the result.
// `npm run simulate -- --portfolio FILE`: many accounts under one strategy, with their KPIs (CONTRACT §6).
// `"strategy": "consumer-mx@2"` runs that published version, read from the API like the CLI does
// (COLLECTIONS_API_URL, default http://127.0.0.1:3000, and a strategist or supervisor COLLECTIONS_API_KEY).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parsePortfolio, runPortfolio } from '../strategies/portfolio';
import { parseScenario, publishedVersionRef, simulate } from '../strategies/simulate';

function fail(lines: string[]): never {
  for (const line of lines) process.stderr.write(`${line}\n`);
  process.exit(1);
}

async function publishedDefinition(ref: { id: string; version: number }): Promise<unknown> {
  const name = `"${ref.id}@${ref.version}"`;
  const base = (process.env.COLLECTIONS_API_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const key = process.env.COLLECTIONS_API_KEY;
  if (!key)
    fail([
      `strategy: ${name} is a published version, read from the API at ${base}: set COLLECTIONS_API_KEY to a strategist or supervisor key`,
    ]);
  const url = `${base}/v1/strategies/${encodeURIComponent(ref.id)}/versions/${ref.version}`;
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    fail([`strategy: cannot reach the API at ${base} to read ${name}: ${(error as Error).message}`]);
  }
  if (res.status === 404)
    fail([`strategy: version ${ref.version} of strategy ${ref.id} is not published (GET ${url} answered 404)`]);
  if (!res.ok) fail([`strategy: reading ${name}: GET ${url} answered ${res.status}`]);
  return ((await res.json()) as { definition: unknown }).definition;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((arg) => arg !== '--');
  const portfolio = args[0] === '--portfolio';
  const file = portfolio ? args[1] : args[0];
  if (!file)
    fail(['usage: npm run simulate -- FILE (a scenario in JSON or YAML) | --portfolio FILE (a portfolio of accounts)']);

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

  const ref = publishedVersionRef((input as { strategy?: unknown } | null)?.strategy);
  if (ref) input = { ...(input as object), strategy: await publishedDefinition(ref) };
  if (portfolio) {
    const many = parsePortfolio(input, { strategyVersion: ref?.version });
    if (!many.ok) fail(many.errors.map((e) => `${e.path || '(root)'}: ${e.message}`));
    process.stdout.write(`${JSON.stringify(runPortfolio(many.portfolio), null, 2)}\n`);
    return;
  }
  const parsed = parseScenario(input, { strategyVersion: ref?.version });
  if (!parsed.ok) fail(parsed.errors.map((e) => `${e.path || '(root)'}: ${e.message}`));
  process.stdout.write(`${JSON.stringify(simulate(parsed.scenario), null, 2)}\n`);
}

void main();
