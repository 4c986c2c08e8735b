// Writes the API's OpenAPI document (the one GET /openapi.json serves) to a file without listening and
// without reaching PostgreSQL or Temporal: the console's client types are generated from it
// (`npm run build:web`: this, then openapi-typescript, then vite build).
//
//   tsx scripts/openapi-dump.ts [out-file] (default web/openapi.json)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app';
import { createDb } from '../db/client';
import { createOutboxRelay } from '../lib/outbox/relay';
import { loadConfig } from '../workers/config';

const out = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '../web/openapi.json'));

async function main(): Promise<void> {
  // Nothing connects: postgres.js and a lazy Temporal connection open sockets only on first use.
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'error',
    DATABASE_URL: 'postgres://openapi-dump@127.0.0.1:1/none',
    LINK_SIGNING_SECRET: 'openapi-dump-only-not-a-secret-0123456789',
  });
  const database = createDb(config.databaseUrl ?? '', { max: 1 });
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const outbox = createOutboxRelay({
    db: database.db,
    temporal,
    taskQueue: 'openapi-dump',
    log: { warn: () => undefined },
  });
  const app = await buildApp({
    config,
    db: database.db,
    temporal,
    outbox,
    links: { secret: config.linkSigningSecret ?? '', publicBaseUrl: 'http://localhost' },
  });
  await app.ready();
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(app.swagger(), null, 2)}\n`);
  await app.close();
  await database.close();
  process.stderr.write(`OpenAPI document written to ${path.relative(process.cwd(), out)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
