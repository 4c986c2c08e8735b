// Payload encryption on the real Temporal server: a history read without the keys shows no invoice
// number, payment reference, dispute reason or debtor text; read through the codec (in process, over the
// codec endpoint, and with the Temporal CLI's --codec-endpoint) it shows them to the roles allowed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveTemporalCli } from '../../scripts/temporal-binaries';
import { eventually, httpClient } from '../support/http';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { connectTestClient, decodedHistory, payloadsIn } from '../support/temporal';

const run = promisify(execFile);
const { History } = temporal.api.history.v1;

let app: TestApp;
let call: ReturnType<typeof httpClient>;
let keyed: Client;
let plain: Client;
const keys: Record<'system' | 'supervisor' | 'admin' | 'agent', string> = {} as never;

const tag = uniqueId('s').slice(2).toUpperCase();
const secrets = {
  invoiceNumber: `FAC-SECRET-${tag}`,
  paymentReference: `SPEI-SECRET-${tag}`,
  disputeReason: `Cobro duplicado secreto ${tag}`,
  debtorName: `Debtorname Secret ${tag}`,
  debtorEmail: `secret.${tag.toLowerCase()}@example.com`,
};
let workflowId = '';

/** Everything a history holds, as the bytes Temporal stores, searchable as text. */
const storedText = (history: unknown) =>
  Buffer.from(History.encode(history as temporal.api.history.v1.IHistory).finish()).toString('latin1');
const toJson = (p: Payload) => temporal.api.common.v1.Payload.toObject(p as never, { bytes: String });

beforeAll(async () => {
  app = await startTestApp();
  call = httpClient(app.url);
  for (const role of ['system', 'supervisor', 'admin', 'agent'] as const)
    keys[role] = await app.keyFor(role, role === 'agent' ? uniqueId('agent') : undefined);
  keyed = await connectTestClient();
  plain = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });

  const created = await call(
    'POST',
    '/v1/invoices',
    {
      externalId: secrets.invoiceNumber,
      debtor: {
        externalId: uniqueId('D'),
        name: secrets.debtorName,
        kind: 'person',
        email: secrets.debtorEmail,
        country: 'MX',
      },
      amount: '1500.00',
      currency: 'MXN',
      dueDate: DateTime.now().setZone('America/Mexico_City').minus({ days: 2 }).toISODate(),
    },
    keys.system,
  );
  expect(created.status).toBe(201);
  const accountId = created.body.accountId as string;
  workflowId = created.body.workflowId as string;
  const paid = await call(
    'POST',
    `/v1/accounts/${accountId}/payments`,
    { amount: '100.00', currency: 'MXN', reference: secrets.paymentReference },
    keys.system,
  );
  expect(paid.status).toBe(202);
  const disputed = await call(
    'POST',
    `/v1/accounts/${accountId}/disputes`,
    { reason: secrets.disputeReason },
    keys.supervisor,
  );
  expect(disputed.status).toBe(202);
  // Both signals are in the history, and the workflow has run a task after them.
  await eventually(
    async () => storedText(await decodedHistory(keyed, workflowId)),
    (text) => text.includes(secrets.paymentReference) && text.includes(secrets.disputeReason),
  );
});

afterAll(async () => {
  await keyed?.connection.close();
  await plain?.connection.close();
  await app?.stop();
});

describe('a history read without the keys', () => {
  it('holds none of the account’s text, only encrypted payloads', async () => {
    const raw = await plain.workflow.getHandle(workflowId).fetchHistory();
    const text = storedText(raw);
    for (const [what, secret] of Object.entries(secrets)) expect(text, what).not.toContain(secret);
    const payloads = payloadsIn(raw);
    expect(payloads.length).toBeGreaterThan(3);
    // Left plain: search attributes (Temporal indexes them; the codec never sees them) and the bookkeeping
    // the SDK core writes into local-activity markers itself (sequence, attempt, activity type, times).
    const indexed = new Set(
      payloadsIn(
        raw.events?.map((e) => [
          e.workflowExecutionStartedEventAttributes?.searchAttributes,
          e.upsertWorkflowSearchAttributesEventAttributes,
        ]),
      ),
    );
    expect(indexed.size).toBeGreaterThan(0);
    const markers = payloadsIn(
      raw.events?.map((e) =>
        e.markerRecordedEventAttributes?.markerName === 'core_local_activity'
          ? e.markerRecordedEventAttributes.details?.data
          : undefined,
      ),
    );
    for (const marker of markers) {
      expect(Object.keys(JSON.parse(Buffer.from(marker.data ?? []).toString()) as object).sort()).toEqual([
        'activity_id',
        'activity_type',
        'attempt',
        'backoff',
        'complete_time',
        'original_schedule_time',
        'seq',
      ]);
    }
    const left = new Set([...indexed, ...markers]);
    const encoding = (p: Payload) => Buffer.from(p.metadata?.encoding ?? []).toString();
    const notEncrypted = payloads.filter((p) => !left.has(p) && encoding(p) !== 'binary/encrypted');
    expect(notEncrypted).toEqual([]);
    expect(payloads.filter((p) => encoding(p) === 'binary/encrypted').length).toBeGreaterThan(3);
  });

  it('keeps search attributes readable and free of personal data', async () => {
    const description = await plain.workflow.getHandle(workflowId).describe();
    const attributes = JSON.stringify(description.searchAttributes);
    expect(attributes).toContain('CollectionStatus');
    for (const secret of Object.values(secrets)) expect(attributes).not.toContain(secret);
    // The workflow id names the account, nothing of the debtor.
    expect(workflowId).not.toContain(tag);
  });

  it('cannot be read by a client without the codec', async () => {
    await expect(plain.workflow.getHandle(workflowId).query('accountView')).rejects.toThrow();
  });
});

describe('the same history through the codec', () => {
  it('shows the invoice number, payment reference and dispute reason', async () => {
    const text = storedText(await decodedHistory(keyed, workflowId));
    expect(text).toContain(secrets.invoiceNumber);
    expect(text).toContain(secrets.paymentReference);
    expect(text).toContain(secrets.disputeReason);
  });

  it('decodes over /v1/temporal-codec/decode for admin and supervisor keys only', async () => {
    const raw = await plain.workflow.getHandle(workflowId).fetchHistory();
    const body = { payloads: payloadsIn(raw).map(toJson) };
    const headers = { 'x-namespace': app.config.temporal.namespace };
    for (const role of ['supervisor', 'admin'] as const) {
      const res = await call('POST', '/v1/temporal-codec/decode', body, keys[role], headers);
      expect(res.status).toBe(200);
      expect(res.body.payloads).toHaveLength(body.payloads.length);
      const shown = (res.body.payloads as { data?: string }[])
        .map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'))
        .join('\n');
      expect(shown).toContain(secrets.invoiceNumber);
      expect(shown).toContain(secrets.paymentReference);
      expect(shown).toContain(secrets.disputeReason);
    }
    for (const role of ['agent', 'system'] as const)
      expect((await call('POST', '/v1/temporal-codec/decode', body, keys[role], headers)).status).toBe(403);
    expect((await call('POST', '/v1/temporal-codec/decode', body, null, headers)).status).toBe(401);
  });

  it('encodes with the newest key over /v1/temporal-codec/encode, and decodes it back', async () => {
    const payload = toJson(defaultPayloadConverter.toPayload({ reference: secrets.paymentReference }));
    const encoded = await call('POST', '/v1/temporal-codec/encode', { payloads: [payload] }, keys.supervisor);
    expect(encoded.status).toBe(200);
    const [sealed] = encoded.body.payloads as { metadata: Record<string, string>; data: string }[];
    expect(Buffer.from(sealed!.metadata['encryption-key-id']!, 'base64').toString()).toBe('test-2');
    expect(Buffer.from(sealed!.data, 'base64').toString('latin1')).not.toContain(secrets.paymentReference);
    const decoded = await call('POST', '/v1/temporal-codec/decode', encoded.body, keys.supervisor);
    expect(decoded.body).toEqual({ payloads: [payload] });
  });

  it('answers a payload it cannot decrypt, and another namespace, with a problem naming it', async () => {
    const payload = toJson(defaultPayloadConverter.toPayload('x'));
    const encoded = await call('POST', '/v1/temporal-codec/encode', { payloads: [payload] }, keys.admin);
    const [sealed] = encoded.body.payloads as { metadata: Record<string, string>; data: string }[];
    const data = Buffer.from(sealed!.data, 'base64');
    data[data.length - 1] = data[data.length - 1]! ^ 0xff;
    const altered = { ...sealed, data: data.toString('base64') };
    const refused = await call('POST', '/v1/temporal-codec/decode', { payloads: [payload, altered] }, keys.admin);
    expect(refused.status).toBe(422);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.errors).toEqual([
      { field: 'payloads[1]', message: expect.stringMatching(/does not authenticate/) },
    ]);
    const other = await call('POST', '/v1/temporal-codec/decode', { payloads: [] }, keys.admin, {
      'x-namespace': 'someone-else',
    });
    expect(other.status).toBe(400);
    expect(other.body.errors[0].field).toBe('headers.x-namespace');
    const malformed = await call(
      'POST',
      '/v1/temporal-codec/decode',
      { payloads: [{ data: 'not base64!' }] },
      keys.admin,
    );
    expect(malformed.status).toBe(400);
  });

  it('is what the Temporal CLI shows with --codec-endpoint (and not without)', async () => {
    const cli = resolveTemporalCli(process.env.TEMPORAL_CLI);
    const show = (extra: string[]) =>
      run(cli, ['workflow', 'show', '-w', workflowId, '--address', inject('temporalAddress'), '-o', 'json', ...extra], {
        maxBuffer: 16 * 1024 * 1024,
      }).then(({ stdout }) =>
        // The CLI prints payload bytes in base64, decoded or not.
        [...stdout.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)]
          .map((m) => Buffer.from(m[1]!, 'base64').toString())
          .join('\n'),
      );
    const decoded = await show([
      '--codec-endpoint',
      `${app.url}/v1/temporal-codec`,
      '--codec-auth',
      `Bearer ${keys.supervisor}`,
    ]);
    expect(decoded).toContain(secrets.paymentReference);
    expect(decoded).toContain(secrets.disputeReason);
    const raw = await show([]);
    expect(raw).not.toContain(secrets.paymentReference);
    expect(raw).not.toContain(secrets.disputeReason);
  });
});

describe('the codec endpoint from the Temporal Web UI', () => {
  const preflight = (origin: string) =>
    fetch(`${app.url}/v1/temporal-codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace,authorization',
      },
    });

  it('answers the preflight of the configured UI origin, with X-Namespace allowed', async () => {
    const res = await preflight('http://127.0.0.1:8233');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')?.split(', ')).toEqual(
      expect.arrayContaining(['x-namespace', 'content-type', 'authorization']),
    );
    const answer = await fetch(`${app.url}/v1/temporal-codec/decode`, {
      method: 'POST',
      headers: {
        origin: 'http://127.0.0.1:8233',
        authorization: `Bearer ${keys.supervisor}`,
        'content-type': 'application/json',
        'x-namespace': 'default',
      },
      body: JSON.stringify({ payloads: [] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
  });

  it('gives no other origin access', async () => {
    const res = await preflight('https://evil.example.com');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
