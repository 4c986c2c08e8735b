// No accepted invoice is lost: with the Temporal server down the API still answers 2xx, and once the
// server is back the outbox relay opens every workflow.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/embedded-postgres';
import { startTemporalDevServer, type RunningTemporal } from '../../scripts/temporal-dev-server';
import { resolveTemporalCli } from '../../scripts/temporal-binaries';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { connectTestClient } from '../support/temporal';

const work = mkdtempSync(path.join(tmpdir(), 'outbox-temporal-'));
let temporal: RunningTemporal | undefined;
let app: TestApp | undefined;

async function startTemporal(port: number) {
  return startTemporalDevServer({
    cli: resolveTemporalCli(undefined),
    port,
    namespace: 'default',
    dbFile: path.join(work, 'temporal.sqlite'),
  });
}

afterAll(async () => {
  await app?.stop().catch(() => undefined);
  await temporal?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('transactional outbox', () => {
  it('accepts invoices while Temporal is down and opens their workflows when it is back', async () => {
    const port = await freePort();
    temporal = await startTemporal(port);
    app = await startTestApp({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    const call = httpClient(app.url);
    const key = await app.keyFor('system');

    await temporal.stop();
    const dueDate = DateTime.now().setZone('America/Bogota').minus({ days: 2 }).toISODate();
    const accepted: { workflowId: string }[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(
        'POST',
        '/v1/invoices',
        {
          externalId: uniqueId('F'),
          debtor: {
            externalId: uniqueId('D'),
            name: 'Empresa S.A.S.',
            kind: 'company',
            email: 'pagos@example.com',
            country: 'CO',
          },
          amount: '2500000.00',
          currency: 'COP',
          dueDate,
        },
        key,
      );
      expect(res.status).toBe(201);
      accepted.push(res.body as { workflowId: string });
    }

    temporal = await startTemporal(port);
    const client = await connectTestClient(`127.0.0.1:${port}`);
    try {
      const described = await eventually(
        () =>
          Promise.all(
            accepted.map((a) =>
              client.workflow
                .getHandle(a.workflowId)
                .describe()
                .then(
                  () => true,
                  () => false,
                ),
            ),
          ),
        (found) => found.every(Boolean),
        60_000,
      );
      expect(described).toEqual(accepted.map(() => true));
    } finally {
      await client.connection.close();
    }
  });
});
