// Issue 8 item 12: `npm start` as root from a folder the postgres user cannot reach (a clone under /root,
// a `mktemp -d` folder). The cluster goes where that user can reach it, start-up says where, and the next
// start finds the same data.
import { lstatSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, RELOCATED_CLUSTERS, startEmbeddedPostgresProcess } from '../../scripts/embedded-postgres';

const asRoot = process.getuid?.() === 0;
const work = mkdtempSync(path.join(tmpdir(), 'collections-private-'));
const requested = path.join(work, '.data', 'postgres');
let cluster: string | undefined;

afterAll(() => {
  if (cluster) rmSync(path.dirname(cluster), { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

async function startAsNpmStartDoes(lines: string[]) {
  return startEmbeddedPostgresProcess({
    dataDir: requested,
    port: await freePort(),
    database: 'collections',
    persistent: true,
    log: (line) => lines.push(line),
  });
}

describe('the embedded PostgreSQL under a private (0700) folder', () => {
  it('starts, says where the cluster lives, and keeps its data across restarts', async () => {
    expect(statSync(work).mode & 0o777).toBe(0o700);
    const lines: string[] = [];
    const first = await startAsNpmStartDoes(lines);
    cluster = first.dataDir;
    try {
      const sql = postgres(first.url, { max: 1, onnotice: () => undefined });
      await sql`create table kept (note text)`;
      await sql`insert into kept values ('first start')`;
      await sql.end();
    } finally {
      await first.stop();
    }
    if (asRoot) {
      // The postgres user cannot traverse the 0700 folder: the cluster is elsewhere, linked from DATA_DIR.
      expect(first.dataDir.startsWith(`${RELOCATED_CLUSTERS}/`)).toBe(true);
      expect(lstatSync(requested).isSymbolicLink()).toBe(true);
      expect(realpathSync(requested)).toBe(first.dataDir);
      expect(lines.join('\n')).toContain(`the cluster lives in ${first.dataDir}`);
      expect(statSync(work).mode & 0o777).toBe(0o700); // the user's folder is left as it was
    } else {
      expect(first.dataDir).toBe(requested);
    }

    const again = await startAsNpmStartDoes([]);
    try {
      expect(again.dataDir).toBe(first.dataDir);
      const sql = postgres(again.url, { max: 1, onnotice: () => undefined });
      expect(await sql`select note from kept`).toEqual([{ note: 'first start' }]);
      await sql.end();
    } finally {
      await again.stop();
    }
  });
});
