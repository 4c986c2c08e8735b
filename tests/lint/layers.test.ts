// The layer rules of eslint.config.js fire: api/ and activities/ never import each other, lib/ imports neither
// (nor workers/), and workflow code reaches no I/O. Linted with the project's own configuration, only the
// import rules (the type-aware ones need the TypeScript program, which this does not build).
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({
  cwd: root,
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false, project: null } } },
});

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer boundaries (lint)', () => {
  it.each([
    ['api/routes/x.ts', "import { createStrategyActivities } from '../../activities/strategy.activities';", 'api/'],
    ['activities/x.ts', "import { buildApp } from '../api/app';", 'activities/'],
    ['lib/x.ts', "import { buildApp } from '../api/app';", 'lib/'],
    ['lib/x.ts', "import { createStrategyActivities } from '../activities/strategy.activities';", 'lib/'],
    ['lib/x.ts', "import { loadConfig } from '../workers/config';", 'lib/'],
    ['workflows/x.ts', "import { readFileSync } from 'node:fs';", 'deterministic'],
    ['workflows/x.ts', "import { accounts } from '../db/schema';", 'deterministic'],
    ['strategies/core/x.ts', "import { sql } from 'drizzle-orm';", 'deterministic'],
  ])('%s: %s is refused', async (file, code, layer) => {
    const errors = await importErrors(file, `${code}\nexport const used = 1;\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(layer);
  });

  it.each([
    ['api/routes/x.ts', "import { recordChannelStatus } from '../../lib/channel-status';"],
    ['activities/x.ts', "import { recordChannelStatus } from '../lib/channel-status';"],
    ['lib/x.ts', "import { accounts } from '../db/schema';"],
    ['workflows/x.ts', "import type { Db } from '../db/client';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await importErrors(file, `${code}\nexport const used = 1;\n`)).toEqual([]);
  });
});
