// Strategies: draft → validate → publish → versions → diff; segmentation versions; role checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_STRATEGIES } from '../../strategies/index';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller } from './helpers';

let app: TestApp;
let strategist: string;
let supervisor: string;
let call: ReturnType<typeof caller>;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  strategist = await app.keyFor('strategist');
  supervisor = await app.keyFor('supervisor');
});

afterAll(async () => {
  await app?.stop();
});

function definition(id: string) {
  return structuredClone({ ...BUILTIN_STRATEGIES['consumer-mx'], id, name: 'Consumo prueba' }) as Record<string, any>;
}

describe('strategies', () => {
  it('stores only valid drafts, publishes immutable numbered versions and diffs them', async () => {
    const id = uniqueId('consumo');
    const broken = definition(id);
    broken.escalations = [{ when: { brokenPromises: 2 }, goTo: 'nowhere' }];
    broken.stages[1].steps[0].template = 'no-such-template';
    broken.colour = 'blue';
    const refused = await call('PUT', `/v1/strategies/${id}/draft`, strategist, broken);
    expect(refused.status).toBe(400);
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['colour']);
    delete broken.colour;
    const semantic = await call('POST', '/v1/strategies/validate', strategist, broken);
    expect(semantic.status).toBe(200);
    expect(semantic.body.valid).toBe(false);
    expect(semantic.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'escalations[0].goTo',
      'stages[1].steps[0].template',
    ]);
    expect((await call('GET', `/v1/strategies/${id}/draft`, strategist)).status).toBe(404);
    expect((await call('POST', `/v1/strategies/${id}/publish`, strategist, {})).status).toBe(404);

    const first = definition(id);
    expect((await call('POST', '/v1/strategies/validate', supervisor, first)).body).toEqual({
      valid: true,
      errors: [],
    });
    expect((await call('PUT', `/v1/strategies/${id}/draft`, strategist, first)).status).toBe(200);
    const v1 = await call('POST', `/v1/strategies/${id}/publish`, strategist, {});
    expect(v1.status).toBe(201);
    expect(v1.body).toEqual({ id, version: 1 });

    const second = definition(id);
    second.promise.maxDaysAhead = 10;
    second.stages[1].steps.push({ day: 20, action: 'task', channel: 'call' });
    expect((await call('PUT', `/v1/strategies/${id}/draft`, strategist, second)).status).toBe(200);
    expect((await call('POST', `/v1/strategies/${id}/publish`, strategist)).body).toEqual({ id, version: 2 });

    const versions = await call('GET', `/v1/strategies/${id}/versions`, supervisor);
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const stored = await call('GET', `/v1/strategies/${id}/versions/1`, supervisor);
    expect(stored.body.definition).toEqual(first);
    const diff = await call('GET', `/v1/strategies/${id}/diff?from=1&to=2`, supervisor);
    expect(diff.status).toBe(200);
    expect(diff.body.changes).toEqual([
      { path: 'promise.maxDaysAhead', before: 15, after: 10 },
      { path: 'stages[1].steps[3]', after: { day: 20, action: 'task', channel: 'call' } },
    ]);
    expect((await call('GET', `/v1/strategies/${id}/diff?from=1&to=9`, supervisor)).status).toBe(404);

    const list = await call('GET', '/v1/strategies', supervisor);
    const items = list.body.items as any[];
    expect(items.find((s) => s.id === id)).toEqual({
      id,
      name: 'Consumo prueba',
      latestVersion: 2,
      builtin: false,
      hasDraft: true,
    });
    expect(items.find((s) => s.id === 'b2b-co')).toMatchObject({ latestVersion: 0, builtin: true });
    const builtin = await call('GET', '/v1/strategies/b2b-co/versions/0', supervisor);
    expect(builtin.body).toMatchObject({ id: 'b2b-co', version: 0, builtin: true });

    const mismatch = await call('PUT', `/v1/strategies/${id}/draft`, strategist, definition('other-id'));
    expect(mismatch.body.errors).toEqual([{ field: 'id', message: `must be "${id}", the strategy id in the path` }]);
    expect((await call('PUT', `/v1/strategies/${id}/draft`, supervisor, first)).status).toBe(403);
  });

  it('publishes segmentation versions and names every bad rule', async () => {
    const bad = await call('PUT', '/v1/segmentation', strategist, {
      rules: [
        {
          id: 'big',
          when: { minBalance: '5000.00', maxBalance: '100.00' },
          strategy: 'consumer-mx',
          challenger: { strategy: 'consumer-mx', percent: 10.555 },
        },
        { id: 'big', when: { country: ['CO'] }, strategy: 'nope' },
      ],
      default: { strategy: 'consumer-mx', weight: 3 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['default.weight']);
    const semantic = await call('PUT', '/v1/segmentation', strategist, {
      rules: [
        {
          id: 'big',
          when: { minBalance: '5000.00', maxBalance: '100.00' },
          strategy: 'consumer-mx',
          challenger: { strategy: 'consumer-mx', percent: 10.555 },
        },
        { id: 'big', when: { country: ['CO'] }, strategy: 'nope' },
      ],
      default: { strategy: 'consumer-mx' },
    });
    expect(semantic.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'rules[0].when.maxBalance',
      'rules[0].challenger.strategy',
      'rules[0].challenger.percent',
      'rules[1].id',
      'rules[1].strategy',
    ]);
    const doc = {
      rules: [
        {
          id: 'b2b',
          when: { kind: 'company', country: ['CO'] },
          strategy: 'b2b-co',
          challenger: { strategy: 'consumer-mx', percent: 12.5 },
        },
      ],
      default: { strategy: 'consumer-mx' },
    };
    const published = await call('PUT', '/v1/segmentation', strategist, doc);
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject(doc);
    const current = await call('GET', '/v1/segmentation', supervisor);
    expect(current.body.version).toBeGreaterThanOrEqual(published.body.version as number);
    expect(published.body.version).toBeGreaterThanOrEqual(1);
  });
});
