// Issue 9 items 1–5 and 7: what fuzzing and hand-made bad input broke at the door. The app is built on the
// run's real PostgreSQL (a NUL byte or a bad cursor used to reach it) and driven with app.inject; Temporal
// and the outbox are stand-ins, since nothing here needs a workflow to run.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { buildApp, type AppDeps } from '../../api/app';
import { FAILED_AUTH_PER_MINUTE, generateKey, hashKey } from '../../api/auth';
import { createDb, type Db } from '../../db/client';
import { apiKeys, type Role } from '../../db/schema';
import { testConfig, uniqueId } from '../support/runtime';

const loadConfigDefault = () => testConfig().http.failedAuthPerMinute;
import { TEST_LINK_SIGNING_SECRET } from '../support/links';
import { invoiceBody } from './helpers';

const handle = createDb(inject('databaseUrl'), { max: 3 });
let selects = 0;
// The real database, counting key lookups (and every other select).
const countingDb: Db = new Proxy(handle.db, {
  get(target, prop, receiver) {
    if (prop === 'select') selects += 1;
    return Reflect.get(target, prop, receiver) as unknown;
  },
});

let temporalProbes = 0;
let healthQueries = 0;
const logLines: string[] = [];

async function build(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const deps = {
    config: testConfig({ LOG_LEVEL: 'info', ...env }),
    db: new Proxy(countingDb, {
      get(target, prop, receiver) {
        if (prop === 'execute') healthQueries += 1;
        return Reflect.get(target, prop, receiver) as unknown;
      },
    }),
    temporal: {
      workflowService: { getSystemInfo: () => Promise.resolve((temporalProbes += 1)) },
      options: { loadedDataConverter: { payloadCodecs: [] } },
    },
    outbox: {
      taskQueue: uniqueId('hardening'),
      dispatchNow: () => Promise.resolve(),
      start() {},
      stop: () => Promise.resolve(),
    },
    links: { secret: TEST_LINK_SIGNING_SECRET, publicBaseUrl: 'http://127.0.0.1' },
    logStream: { write: (line: string) => void logLines.push(line) },
  } as unknown as AppDeps;
  const app = await buildApp(deps);
  await app.ready();
  return app;
}

async function keyFor(role: Role): Promise<string> {
  const key = generateKey();
  await handle.db.insert(apiKeys).values({ name: uniqueId(role), role, keyHash: hashKey(key) });
  return key;
}

let app: FastifyInstance;
let system: string;
let supervisor: string;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const b64 = (text: string) => Buffer.from(text).toString('base64url');

beforeAll(async () => {
  app = await build();
  [system, supervisor] = await Promise.all([keyFor('system'), keyFor('supervisor')]);
});
afterAll(async () => {
  await app.close();
  await handle.close();
});

describe('item 1: body types, error lists and public body limits', () => {
  it.each([
    'text/csv',
    'application/octet-stream',
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    'text/plain',
  ])('a JSON route answers 415 naming application/json to a %s body', async (type) => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/invoices',
      headers: { ...bearer(system), 'content-type': type },
      payload: 'a,b,c\n'.repeat(2000),
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().detail).toContain('application/json');
  });

  it('lists at most 50 invalid fields, with the total', async () => {
    const body = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`junk${i}`, i]));
    const res = await app.inject({ method: 'POST', url: '/v1/invoices', headers: bearer(system), payload: body });
    expect(res.statusCode).toBe(400);
    const problem = res.json();
    expect(problem.errors).toHaveLength(50);
    expect(problem.errorCount).toBeGreaterThanOrEqual(5000);
    expect(problem.detail).toMatch(/^5,0\d\d field\(s\) are invalid; the first 50 are listed\.$/);
  });

  it('public routes refuse a body over 64 KiB before reading it (413)', async () => {
    const big = 'x'.repeat(100 * 1024);
    const webhook = await app.inject({
      method: 'POST',
      url: '/v1/webhooks/resend',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ big }),
    });
    expect(webhook.statusCode).toBe(413);
    const optOut = await app.inject({
      method: 'POST',
      url: '/v1/self-service/opt-out?token=abc',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `List-Unsubscribe=One-Click&pad=${big}`,
    });
    expect(optOut.statusCode).toBe(413);
  });
});

describe('item 2: rate limits that a changing header cannot dodge', () => {
  it(`refuses an IP after ${FAILED_AUTH_PER_MINUTE} failed authentications, before any key lookup`, async () => {
    const remoteAddress = '10.9.0.1';
    await app.inject({ method: 'GET', url: '/v1/tasks', remoteAddress, headers: bearer(supervisor) });
    for (let i = 0; i < FAILED_AUTH_PER_MINUTE; i += 1) {
      const res = await app.inject({ method: 'GET', url: '/v1/tasks', remoteAddress, headers: bearer(`junk${i}`) });
      expect(res.statusCode).toBe(401);
    }
    const before = selects;
    for (let i = 0; i < 10; i += 1) {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/tasks',
        remoteAddress,
        headers: bearer(`more-junk${i}`),
      });
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(selects).toBe(before);
    // A key that authenticated lately still works from the address; another address is not affected.
    const known = await app.inject({ method: 'GET', url: '/v1/tasks', remoteAddress, headers: bearer(supervisor) });
    expect(known.statusCode).toBe(200);
    const other = await app.inject({
      method: 'GET',
      url: '/v1/tasks',
      remoteAddress: '10.9.0.2',
      headers: bearer(supervisor),
    });
    expect(other.statusCode).toBe(200);
  });

  it('the failed-authentication limit is FAILED_AUTH_PER_MINUTE (the fuzz run raises it)', async () => {
    const strict = await build({ FAILED_AUTH_PER_MINUTE: '2' });
    try {
      const remoteAddress = '10.9.2.1';
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await strict.inject({ method: 'GET', url: '/v1/tasks', remoteAddress, headers: bearer(`x${i}`) });
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([401, 401, 429]);
      expect(loadConfigDefault()).toBe(FAILED_AUTH_PER_MINUTE);
    } finally {
      await strict.close();
    }
  });

  it('limits unauthenticated traffic per IP and authenticated traffic per key', async () => {
    const limited = await build({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const remoteAddress = '10.9.1.1';
      const codes: number[] = [];
      for (let i = 0; i < 7; i += 1) {
        const res = await limited.inject({ method: 'GET', url: '/health', remoteAddress, headers: bearer(`junk${i}`) });
        codes.push(res.statusCode);
      }
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      expect(codes.slice(5)).toEqual([429, 429]);

      const [a, b] = await Promise.all([keyFor('supervisor'), keyFor('supervisor')]);
      const ask = (key: string) =>
        limited.inject({ method: 'GET', url: '/v1/tasks', remoteAddress: '10.9.1.2', headers: bearer(key) });
      for (let i = 0; i < 5; i += 1) expect((await ask(a)).statusCode).toBe(200);
      expect((await ask(a)).statusCode).toBe(429);
      expect((await ask(b)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('/health answers from a cached probe', async () => {
    const probes = temporalProbes;
    const queries = healthQueries;
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: '/health' })));
    for (let i = 0; i < 20; i += 1) expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
    expect(temporalProbes - probes).toBeLessThanOrEqual(1);
    expect(healthQueries - queries).toBeLessThanOrEqual(1);
  });
});

describe('item 3: bad input is a 400 naming the field, never a 500', () => {
  const post = (body: unknown) =>
    app.inject({ method: 'POST', url: '/v1/invoices', headers: bearer(system), payload: body as object });
  const fields = (res: { json(): { errors?: { field: string }[] } }) => (res.json().errors ?? []).map((e) => e.field);

  it('a NUL byte in a body field, the query, a path parameter or a header', async () => {
    const body = invoiceBody(uniqueId('INV'), uniqueId('D'));
    const inBody = await post({ ...body, debtor: { ...body.debtor, name: 'Ana\u0000Pérez' } });
    expect(inBody.statusCode).toBe(400);
    expect(fields(inBody)).toContain('debtor.name');

    const inQuery = await app.inject({ method: 'GET', url: '/v1/tasks?agentId=a%00b', headers: bearer(supervisor) });
    expect(inQuery.statusCode).toBe(400);
    expect(fields(inQuery)).toContain('querystring.agentId');

    const inPath = await app.inject({
      method: 'GET',
      url: '/v1/debtors/a%00b/contact-decisions',
      headers: bearer(supervisor),
    });
    expect(inPath.statusCode).toBe(400);
    expect(fields(inPath)).toContain('params.debtorExternalId');

    const inHeader = await app.inject({
      method: 'GET',
      url: '/v1/tasks',
      headers: { ...bearer(supervisor), 'x-client': 'a\u0000b' },
    });
    expect(inHeader.statusCode).toBe(400);
    expect(fields(inHeader)).toContain('headers.x-client');
  });

  it('blank names and lone surrogates are refused, not stored as "" or U+FFFD', async () => {
    for (const name of ['   ', '\ud800', 'Ana \udc00']) {
      const body = invoiceBody(uniqueId('INV'), uniqueId('D'));
      const res = await post({ ...body, debtor: { ...body.debtor, name } });
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(fields(res)).toContain('debtor.name');
    }
    const body = invoiceBody(uniqueId('INV'), uniqueId('D'));
    const blankId = await post({ ...body, externalId: ' \t ' });
    expect(fields(blankId)).toContain('externalId');
  });

  it.each(['0000-01-01', '1899-12-31', '2200-01-01', '9999-12-31'])('dueDate %s is out of range', async (dueDate) => {
    const res = await post(invoiceBody(uniqueId('INV'), uniqueId('D'), '10.00', { dueDate }));
    expect(res.statusCode).toBe(400);
    expect(fields(res)).toContain('dueDate');
  });

  const cursors = {
    'not base64': '!!!***',
    'base64 of text': b64('not json at all'),
    'an object': b64('{"a":1}'),
    'wrong arity': b64('[1]'),
    'wrong types': b64('[true, false, null]'),
    'huge numbers': b64('[1e308, "2026-01-01T00:00:00.000Z", "00000000-0000-0000-0000-000000000000"]'),
    'a year PostgreSQL refuses': b64('["99999-01-01 00:00:00+00", "00000000-0000-0000-0000-000000000000"]'),
    'a date V8 guesses': b64('["1", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"]'),
    'not an id': b64('[0, "2026-01-01T00:00:00.000Z", "x\'; drop table"]'),
  };
  it.each(Object.entries(cursors))('a hand-made cursor (%s) is a 400 naming cursor', async (_name, cursor) => {
    for (const url of ['/v1/accounts', '/v1/tasks']) {
      const res = await app.inject({
        method: 'GET',
        url: `${url}?cursor=${encodeURIComponent(cursor)}`,
        headers: bearer(supervisor),
      });
      expect(res.statusCode, url).toBe(400);
      expect(fields(res).join(' '), url).toMatch(/cursor/);
    }
  });
});

describe('item 4: an unknown strategyId is refused at the door', () => {
  it('single invoice: 422 naming strategyId; a built-in one is accepted', async () => {
    const withStrategy = (strategyId: string) =>
      app.inject({
        method: 'POST',
        url: '/v1/invoices',
        headers: bearer(system),
        payload: invoiceBody(uniqueId('INV'), uniqueId('D'), '10.00', { strategyId }),
      });
    const unknown = await withStrategy('no-such-strategy');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors).toEqual([
      { field: 'strategyId', message: 'is not a built-in or published strategy' },
    ]);
    const builtin = await withStrategy('consumer-mx');
    expect(builtin.statusCode).toBe(201);
  });

  it('batch: the unknown item is a 422 naming invoices[i].strategyId, the others go on', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/invoices/batch',
      headers: bearer(system),
      payload: {
        invoices: [
          invoiceBody(uniqueId('INV'), uniqueId('D'), '10.00'),
          invoiceBody(uniqueId('INV'), uniqueId('D'), '10.00', { strategyId: 'no-such-strategy' }),
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const [good, bad] = res.json().results;
    expect(good.status).toBe(201);
    expect(bad.status).toBe(422);
    expect(bad.error.errors).toEqual([
      { field: 'invoices[1].strategyId', message: 'is not a built-in or published strategy' },
    ]);
  });
});

describe('item 5: a database error is logged without its parameter values', () => {
  const marker = uniqueId('Fail-Hardening');
  beforeAll(async () => {
    // A real database error, only for this test's debtor name.
    await handle.db.execute(
      sql.raw(`
      create or replace function hardening_refuse() returns trigger language plpgsql as $$
      begin if new.name like 'Fail-Hardening%' then raise exception 'refused by the hardening test'; end if; return new; end $$;
      drop trigger if exists hardening_refuse on debtors;
      create trigger hardening_refuse before insert or update on debtors for each row execute function hardening_refuse();`),
    );
  });
  afterAll(async () => {
    await handle.db.execute(
      sql.raw('drop trigger if exists hardening_refuse on debtors; drop function if exists hardening_refuse();'),
    );
  });

  it('the 500 is logged with the query text, never the name, email or phone', async () => {
    const email = `${uniqueId('secret')}@example.com`;
    const body = invoiceBody(uniqueId('INV'), uniqueId('D'));
    const from = logLines.length;
    const res = await app.inject({
      method: 'POST',
      url: '/v1/invoices',
      headers: bearer(system),
      payload: { ...body, debtor: { ...body.debtor, name: marker, email, phone: '+525512345678' } },
    });
    expect(res.statusCode).toBe(500);
    const lines = logLines.slice(from).join('\n');
    expect(lines).toContain('unhandled error');
    expect(lines).toContain('Failed query: insert into');
    expect(lines).not.toContain(marker);
    expect(lines).not.toContain(email);
    expect(lines).not.toContain('5512345678');
  });
});

describe('item 7: headers, 405 and the OpenAPI document', () => {
  it('HTML pages carry a Content-Security-Policy; /v1 answers are not cached', async () => {
    const docs = await app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect(docs.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const page = await app.inject({
      method: 'GET',
      url: '/v1/self-service/opt-out?token=bad',
      headers: { accept: 'text/html' },
    });
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    const tasks = await app.inject({ method: 'GET', url: '/v1/tasks', headers: bearer(supervisor) });
    expect(tasks.headers['cache-control']).toBe('no-store');
  });

  it('a known path asked with another method answers 405 with Allow', async () => {
    const res = await app.inject({ method: 'DELETE', url: '/v1/invoices', headers: bearer(system) });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe('POST');
    const unknown = await app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(unknown.statusCode).toBe(404);
  });

  it('what schemathesis found: a QUERY, a huge version, a long id, cut-off base64 and a multipart without boundary are no 400/414/500 surprises', async () => {
    const [strategist, admin] = await Promise.all([keyFor('strategist'), keyFor('admin')]);
    // QUERY carries a body: Fastify answered 400 "must provide a Content-Type" before the 405.
    const query = await app.inject({ method: 'QUERY' as 'GET', url: '/v1/tasks', headers: bearer(supervisor) });
    expect(query.statusCode).toBe(405);
    expect(query.headers.allow).toBe('GET, HEAD');
    // Versions are PostgreSQL integers: a larger number reached the query and was a 500.
    const diff = await app.inject({
      method: 'GET',
      url: '/v1/strategies/consumer-mx/diff?from=1&to=93689366385',
      headers: bearer(strategist),
    });
    expect(diff.statusCode).toBe(400);
    expect(diff.json().errors[0].field).toBe('querystring.to');
    // The router refused path parameters over 100 characters (414) though a debtor id may have 200.
    const id = (n: number) => `/v1/debtors/${'d'.repeat(n)}/contact-decisions`;
    const long = await app.inject({ method: 'GET', url: id(200), headers: bearer(supervisor) });
    expect(long.statusCode).toBe(404);
    const tooLong = await app.inject({ method: 'GET', url: id(201), headers: bearer(supervisor) });
    expect(tooLong.statusCode).toBe(400);
    // "=" passed the base64 pattern and protobuf's reader threw on it.
    const codec = await app.inject({
      method: 'POST',
      url: '/v1/temporal-codec/decode',
      headers: bearer(admin),
      payload: { payloads: [{ data: '=', metadata: { encoding: 'anNvbi9wbGFpbg==' } }] },
    });
    expect(codec.statusCode).toBe(400);
    expect(codec.json().errors[0].field).toBe('payloads[0].data');
    // Outbox row ids beyond what a JavaScript number holds exactly were a 500.
    const retry = await app.inject({
      method: 'POST',
      url: '/v1/outbox/retry',
      headers: bearer(admin),
      payload: { ids: [120, 10000000000000000000] },
    });
    expect(retry.statusCode).toBe(400);
    expect(retry.json().errors[0].field).toBe('ids[1]');
    // The multipart reader threw on a missing boundary.
    const upload = await app.inject({
      method: 'POST',
      url: '/v1/imports',
      headers: { ...bearer(system), 'content-type': 'multipart/form-data' },
      payload: 'x',
    });
    expect(upload.statusCode).toBe(400);
    expect(upload.json().errors[0].field).toBe('headers.content-type');
    const empty = await app.inject({
      method: 'POST',
      url: '/v1/imports',
      headers: { ...bearer(system), 'content-type': 'multipart/form-data' },
    });
    expect(empty.statusCode).toBe(400);
  });

  it('the OpenAPI document says what the door refuses: no U+0000 in a string without a pattern of its own', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
    }>();
    type Body = { properties: Record<string, { pattern?: string }> };
    const body = (path: string) => doc.paths[path]?.post?.requestBody?.content['application/json']?.schema as Body;
    // Free text (its own pattern: not blank) and a plain string (the door's pattern, added to the schema).
    for (const [path, field] of [
      ['/v1/accounts/{accountId}/payments', 'reference'],
      ['/v1/api-keys', 'agentId'],
    ] as const) {
      const pattern = new RegExp(body(path).properties[field]?.pattern ?? '', 'u');
      expect(pattern.test('SPEI 0042'), field).toBe(true);
      expect(pattern.test('SPEI\u00000042'), field).toBe(false);
    }
  });

  it('every operation documents 429 (and 413/415 with a body); 4xx after 400 are application/problem+json; /health is public', async () => {
    type Operation = { security?: unknown[]; responses: Record<string, { content?: object }> };
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, Operation>>;
    }>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(Object.keys(op.responses), where).toContain('429');
        if (method !== 'get') expect(Object.keys(op.responses), where).toEqual(expect.arrayContaining(['413', '415']));
        for (const [status, answer] of Object.entries(op.responses)) {
          if (Number(status) > 400 && Number(status) < 500)
            expect(Object.keys(answer.content ?? {}), `${where} ${status}`).toContain('application/problem+json');
        }
      }
    }
    expect(doc.paths['/health']?.get?.security).toEqual([]);
  });
});
