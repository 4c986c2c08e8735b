// The console's servers with their seed, as the browser tests and `npm run screenshots` use them: embedded
// PostgreSQL, the Temporal dev server and the app (API + worker, the bench's helpers), a first admin user and
// an admin API key, then users and accounts seeded through the public API.
import { generateKey, hashKey } from '../../api/auth';
import { apiKeys } from '../../db/schema';
import { startBenchEnv, type BenchEnv } from '../../scripts/bench/servers';
import { seedConsole, type ConsoleFixture } from './seed';

export async function startSeededConsole(
  log: (line: string) => void,
): Promise<{ env: BenchEnv; fixture: ConsoleFixture }> {
  const adminPassword = `e2e-admin-${crypto.randomUUID()}`;
  const env = await startBenchEnv({
    app: 'child',
    logLevel: 'warn',
    nodeArgs: [],
    log,
    appEnv: { ADMIN_EMAIL: 'admin@e2e.test', ADMIN_PASSWORD: adminPassword },
  });
  try {
    const adminKey = generateKey();
    await env.db.db.insert(apiKeys).values({ name: `${env.runId} admin`, role: 'admin', keyHash: hashKey(adminKey) });
    const fixture = await seedConsole({
      apiUrl: env.apiUrl,
      db: env.db.db,
      systemKey: env.apiKey,
      adminKey,
      admin: { email: 'admin@e2e.test', password: adminPassword },
      runId: env.runId,
      log,
    });
    return { env, fixture };
  } catch (err) {
    await env.stop();
    throw err;
  }
}
