// Profiles the import pipeline alone (no Temporal: outbox rows are written, not delivered), for
// `--cpu-prof` runs: tsx scripts/bench/import-profile.ts [lines] [debtors].
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createImportJob, createImportRunner, getImportJob } from '../../api/imports/jobs';
import { createDb } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { freePort, startEmbeddedPostgresProcess } from '../embedded-postgres';
import { portfolioCsv } from './import';
import { sleep } from './stats';

const lines = Number(process.argv[2] ?? 50_000);
const debtors = Number(process.argv[3] ?? Math.floor(lines / 10));
const dir = mkdtempSync(path.join(tmpdir(), 'import-profile-'));
const pg = await startEmbeddedPostgresProcess({
  dataDir: path.join(dir, 'pg'),
  port: await freePort(),
  database: 'p',
  persistent: false,
});
try {
  await migrateDb(pg.url);
  const handle = createDb(pg.url, { max: 4 });
  const csv = portfolioCsv('p', lines, debtors);
  const job = await createImportJob(handle.db, { filename: 'p.csv', contentType: 'text/csv', createdBy: null });
  const runner = createImportRunner({
    db: handle.db,
    outbox: { taskQueue: 'p', dispatchNow: async () => {} },
    log: { warn: (o, m) => console.error(m, o), error: (o, m) => console.error(m, o) },
  });
  const t0 = performance.now();
  runner.start(job.id, { bytes: csv, filename: 'p.csv', defaults: { country: 'MX', currency: 'MXN' } });
  let rowsAt = 0;
  for (;;) {
    const j = await getImportJob(handle.db, job.id);
    if (!rowsAt && j?.totalLines && j.processedLines >= j.totalLines) rowsAt = performance.now() - t0;
    if (j?.status !== 'running' && j?.status !== 'queued') {
      console.log(
        JSON.stringify({
          lines,
          rows_ms: Math.round(rowsAt),
          job_ms: Math.round(performance.now() - t0),
          status: j?.status,
          failed: j?.failedLines,
          newLines: j?.newLines,
        }),
      );
      break;
    }
    await sleep(100);
  }
  await runner.stop();
  await handle.close();
} finally {
  await pg.stop();
  rmSync(dir, { recursive: true, force: true });
}
