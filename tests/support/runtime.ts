// Starts the real application (API + worker) against the run's PostgreSQL and Temporal servers.
import { inject } from 'vitest';
import { generateKey, hashKey } from '../../api/auth';
import { createDb } from '../../db/client';
import { apiKeys, type Role } from '../../db/schema';
import { TEST_LINK_SIGNING_SECRET } from './links';
import { TEST_TEMPORAL_ENCRYPTION_KEYS } from './temporal';
import { loadConfig, type AppConfig } from '../../workers/config';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../workers/runtime';

export function uniqueId(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

export function testConfig(env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'warn',
    DATABASE_URL: inject('databaseUrl'),
    DATABASE_POOL_MAX: '5',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    // Each test file gets its own task queue, so workers of parallel files never take each other's tasks.
    TEMPORAL_TASK_QUEUE: uniqueId('test'),
    // Set, so tests never write a generated secret into the repository's DATA_DIR.
    LINK_SIGNING_SECRET: TEST_LINK_SIGNING_SECRET,
    // The same keys as connectTestClient's, so tests read what the app's worker encrypted.
    TEMPORAL_ENCRYPTION_KEYS: TEST_TEMPORAL_ENCRYPTION_KEYS,
    ...env,
  });
}

export interface TestApp {
  runtime: Runtime;
  url: string;
  config: AppConfig;
  keyFor(role: Role, agentId?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestApp(
  env: Record<string, string> = {},
  options: Omit<RuntimeOptions, 'workflowBundle'> = {},
): Promise<TestApp> {
  const config = testConfig(env);
  const runtime = await startRuntime(config, { api: true, worker: true }, () => undefined, {
    ...options,
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  const keysDb = createDb(inject('databaseUrl'), { max: 1 });
  return {
    runtime,
    config,
    url: runtime.api?.url ?? '',
    async keyFor(role, agentId) {
      const key = generateKey();
      await keysDb.db
        .insert(apiKeys)
        .values({ name: uniqueId(role), role, agentId: agentId ?? null, keyHash: hashKey(key) });
      return key;
    },
    async stop() {
      await runtime.stop();
      await keysDb.close();
    },
  };
}
