// PostgreSQL restarted under traffic (fast and immediate stops, several times): the process (API + worker)
// stays up, answers 503 with Retry-After quickly while the database is down, and 2xx again once it is back.
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { generateKey, hashKey } from '../../api/auth';
import { createDb } from '../../db/client';
import { migrateDb } from '../../db/migrate';
import { apiKeys } from '../../db/schema';
import { freePort } from '../../scripts/embedded-postgres';
import { startAppChild, type AppChild } from '../../scripts/chaos/app-child';
import {
  startRestartablePostgres,
  type RestartablePostgres,
  type StopMode,
} from '../../scripts/chaos/restartable-postgres';
import { TEST_LINK_SIGNING_SECRET } from '../support/links';
import { uniqueId } from '../support/runtime';
import { TEST_TEMPORAL_ENCRYPTION_KEYS } from '../support/temporal';

const work = mkdtempSync(path.join(tmpdir(), 'faults-pg-'));
chmodSync(work, 0o755);
let pg: RestartablePostgres | undefined;
let app: AppChild | undefined;

afterAll(async () => {
  await app?.stop().catch(() => undefined);
  await pg?.dispose().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
}

function invoice() {
  return {
    externalId: uniqueId('F'),
    debtor: {
      externalId: uniqueId('D'),
      name: 'Empresa S.A.S.',
      kind: 'company',
      email: 'pagos@example.com',
      country: 'CO',
    },
    amount: '150000.00',
    currency: 'COP',
    dueDate: DateTime.now().setZone('America/Bogota').minus({ days: 3 }).toISODate(),
  };
}

describe('PostgreSQL restarting under traffic', () => {
  it('keeps the process up, answers 503 + Retry-After fast while down and 2xx after', async () => {
    pg = await startRestartablePostgres({ dataDir: path.join(work, 'pg'), port: await freePort(), database: 'faults' });
    await migrateDb(pg.url);
    const keys = createDb(pg.url, { max: 1 });
    const key = generateKey();
    await keys.db.insert(apiKeys).values({ name: uniqueId('system'), role: 'system', keyHash: hashKey(key) });
    await keys.close();

    app = await startAppChild(
      {
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'warn',
        DATABASE_URL: pg.url,
        DATABASE_POOL_MAX: '5',
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: uniqueId('faults'),
        LINK_SIGNING_SECRET: TEST_LINK_SIGNING_SECRET,
        TEMPORAL_ENCRYPTION_KEYS: TEST_TEMPORAL_ENCRYPTION_KEYS,
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
      { workflowBundle: inject('workflowBundlePath') },
    );
    const url = app.url;
    let died: string | null = null;
    void app.exited.then(({ code, signal }) => (died = `exited (${code ?? signal}): ${app?.recentLog() ?? ''}`));

    const post = async (): Promise<Answer> => {
      const started = performance.now();
      try {
        const res = await fetch(`${url}/v1/invoices`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify(invoice()),
          signal: AbortSignal.timeout(15_000),
        });
        await res.arrayBuffer();
        return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
      } catch {
        return { status: 0, ms: performance.now() - started, retryAfter: null };
      }
    };

    // Background traffic through every restart: its answers are 2xx or 503, never a 500 or no answer.
    let flowing = true;
    const background: Answer[] = [];
    const loops = [0, 1, 2, 3].map(async () => {
      while (flowing) background.push(await post());
    });

    const down: Answer[] = [];
    const modes: StopMode[] = ['fast', 'immediate', 'fast', 'immediate'];
    for (const mode of modes) {
      await new Promise((r) => setTimeout(r, 1500));
      await pg.stop(mode);
      for (let i = 0; i < 4; i++) down.push(await post());
      await pg.start();
      const until = Date.now() + 20_000;
      let back: Answer = await post();
      while (back.status !== 201 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        back = await post();
      }
      expect(back.status, `2xx again after the ${mode} restart`).toBe(201);
    }
    flowing = false;
    await Promise.all(loops);

    expect(died).toBeNull();
    expect(down.map((a) => a.status)).toEqual(down.map(() => 503));
    expect(down.every((a) => a.retryAfter !== null)).toBe(true);
    expect(Math.max(...down.map((a) => a.ms))).toBeLessThan(2500);
    const statuses = [...new Set(background.map((a) => a.status))].sort();
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(background.filter((a) => a.status === 201).length).toBeGreaterThan(10);
  }, 240_000);
});
