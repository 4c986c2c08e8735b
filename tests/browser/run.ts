// `npm run test:e2e`: the console in a real browser (Debian's chromium) against the real servers. Starts
// embedded PostgreSQL, the Temporal dev server and the app (API + worker, as `npm start` runs them; the same
// helpers as the bench), seeds users and accounts through the public API, then runs Playwright Test.
//
//   CONSOLE_REBUILD=1  rebuild web/dist first (it is built at install; this is for a changed web/ or API)
//   any other arguments go to `playwright test` (e.g. a spec file, --grep)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startSeededConsole } from './seeded-env';

const root = path.resolve(import.meta.dirname, '../..');
const log = (line: string) => process.stderr.write(`[e2e] ${line}\n`);

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  if (process.env.CONSOLE_REBUILD || !existsSync(path.join(root, 'web/dist/index.html'))) {
    log('building the console (npm run build:web)');
    const built = await run('npm', ['run', '--silent', 'build:web']);
    if (built !== 0) return built;
  }
  const { env, fixture } = await startSeededConsole(log);
  try {
    const dir = path.join(root, 'test-results');
    mkdirSync(dir, { recursive: true });
    const fixtureFile = path.join(dir, 'e2e-fixture.json');
    writeFileSync(fixtureFile, JSON.stringify(fixture, null, 2));
    log(`console at ${env.apiUrl}/console; running Playwright`);
    return await run(
      'npx',
      ['playwright', 'test', '--config', 'tests/browser/playwright.config.ts', ...process.argv.slice(2)],
      {
        CONSOLE_URL: env.apiUrl,
        E2E_FIXTURE: fixtureFile,
        // The portal spec starts its own app (payment providers configured) on these same servers.
        E2E_DATABASE_URL: env.config.databaseUrl ?? '',
        E2E_TEMPORAL_ADDRESS: env.config.temporal.address ?? '',
      },
    );
  } finally {
    await env.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
