// Once per `npm test`: one PostgreSQL (embedded on a free port, or TEST_DATABASE_URL), migrated;
// one Temporal dev server; one workflow bundle. Tests isolate themselves by unique ids and task queues.
import { mkdtempSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { migrateDb } from '../../db/migrate';
import { freePort, startEmbeddedPostgresProcess } from '../../scripts/embedded-postgres';
import { startTemporalDevServer } from '../../scripts/temporal-dev-server';
import { resolveTemporalCli, resolveTemporalTestServer } from '../../scripts/temporal-binaries';
import { FAILURE_CONVERTER_PATH } from '../../workers/temporal-data-converter';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    temporalAddress: string;
    workflowBundlePath: string;
    temporalTestServerPath: string;
  }
}

export default async function setup(project: TestProject) {
  const work = mkdtempSync(path.join(tmpdir(), 'collections-test-'));
  chmodSync(work, 0o755);
  const cleanups: (() => Promise<void>)[] = [];

  let databaseUrl = process.env.TEST_DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgresProcess({
      dataDir: path.join(work, 'pg'),
      port: await freePort(),
      database: 'collections_test',
      persistent: false,
    });
    cleanups.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  await migrateDb(databaseUrl);

  const cli = resolveTemporalCli(process.env.TEMPORAL_CLI);
  const temporal = await startTemporalDevServer({ cli, port: await freePort(), namespace: 'default' });
  cleanups.push(() => temporal.stop());

  const { code } = await bundleWorkflowCode({
    workflowsPath: path.resolve(import.meta.dirname, '../../workflows/index.ts'),
    failureConverterPath: FAILURE_CONVERTER_PATH,
    logger: quietLogger,
  });
  const bundlePath = path.join(work, 'workflow-bundle.js');
  writeFileSync(bundlePath, code);

  project.provide('databaseUrl', databaseUrl);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', bundlePath);
  project.provide('temporalTestServerPath', resolveTemporalTestServer(process.env.TEMPORAL_TEST_SERVER));

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
