// Admin key management: list without secrets, revoke → 401 at once in this process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller } from './helpers';

let app: TestApp;
let admin: string;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  admin = await app.keyFor('admin');
});

afterAll(async () => {
  await app?.stop();
});

describe('API keys', () => {
  it('lists keys without secrets, and a revoked key is refused right away', async () => {
    const name = uniqueId('erp');
    const created = await call('POST', '/v1/api-keys', admin, { name, role: 'system' });
    const key = created.body.key as string;
    // Used once, so the key's lookup is in the auth cache when it is revoked.
    expect((await call('GET', `/v1/accounts/${crypto.randomUUID()}`, key)).status).toBe(404);

    const list = await call('GET', '/v1/api-keys', admin);
    expect(list.status).toBe(200);
    const entry = (list.body.items as any[]).find((k) => k.name === name);
    expect(entry).toEqual({
      id: created.body.id,
      name,
      role: 'system',
      agentId: null,
      createdAt: expect.any(String),
      revokedAt: null,
    });
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(JSON.stringify(list.body)).not.toMatch(/hash/i);

    expect((await call('DELETE', `/v1/api-keys/${created.body.id as string}`, admin)).status).toBe(204);
    const refused = await call('GET', `/v1/accounts/${crypto.randomUUID()}`, key);
    expect(refused.status).toBe(401);
    expect(refused.type).toContain('application/problem+json');
    expect((await call('DELETE', `/v1/api-keys/${created.body.id as string}`, admin)).status).toBe(204);
    const active = await call('GET', '/v1/api-keys?includeRevoked=false', admin);
    expect((active.body.items as any[]).some((k) => k.id === created.body.id)).toBe(false);
  });

  it('is for admins only, refuses unknown ids and self-revocation', async () => {
    expect((await call('GET', '/v1/api-keys', await app.keyFor('supervisor'))).status).toBe(403);
    expect((await call('DELETE', `/v1/api-keys/${crypto.randomUUID()}`, admin)).status).toBe(404);
    expect((await call('DELETE', '/v1/api-keys/not-a-uuid', admin)).status).toBe(400);
    const own = await call('POST', '/v1/api-keys', admin, { name: uniqueId('admin'), role: 'admin' });
    expect((await call('DELETE', `/v1/api-keys/${own.body.id as string}`, own.body.key as string)).status).toBe(409);
  });

  it('lists the new routes in the OpenAPI document', async () => {
    const doc = await call('GET', '/openapi.json', null);
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining([
        '/v1/invoices/batch',
        '/v1/imports',
        '/v1/imports/{jobId}',
        '/v1/imports/{jobId}/errors',
        '/v1/accounts',
        '/v1/accounts/{accountId}/assignment',
        '/v1/strategies',
        '/v1/strategies/validate',
        '/v1/strategies/{id}/draft',
        '/v1/strategies/{id}/publish',
        '/v1/strategies/{id}/versions',
        '/v1/strategies/{id}/versions/{version}',
        '/v1/strategies/{id}/diff',
        '/v1/segmentation',
        '/v1/api-keys/{id}',
      ]),
    );
    expect(Object.keys(doc.body.paths['/v1/imports'].post.requestBody.content as object)).toContain('text/csv');
  });
});
