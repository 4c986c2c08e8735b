// GET /v1/accounts/{id}/explain (why each contact happened, what happens next) and a debtor's timeline
// across accounts (GET /v1/debtors/{externalId}/timeline), against the real servers.
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createDb, type DbHandle } from '../../db/client';
import { accountLedger, accounts, contactDecisions, debtors } from '../../db/schema';
import { startTestApp, uniqueId, type TestApp } from '../support/runtime';
import { caller, eventually, invoiceBody } from './helpers';

let app: TestApp;
let system: string;
let supervisor: string;
let call: ReturnType<typeof caller>;
let db: DbHandle;

beforeAll(async () => {
  app = await startTestApp();
  call = caller(app.url);
  system = await app.keyFor('system');
  supervisor = await app.keyFor('supervisor');
  db = createDb(inject('databaseUrl'), { max: 2 });
});

afterAll(async () => {
  await app?.stop();
  await db?.close();
});

const mxToday = () => DateTime.now().setZone('America/Mexico_City');

async function open(debtorId: string, dueDate: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call(
    'POST',
    '/v1/invoices',
    system,
    invoiceBody(uniqueId('F'), debtorId, '1500.00', { dueDate, ...extra }),
  );
  expect(res.status).toBe(201);
  return res.body.accountId as string;
}

describe('GET /v1/accounts/{accountId}/explain', () => {
  it('gives each contact decision its strategy version, stage, step, rule and pack version, and what comes next', async () => {
    const debtorId = uniqueId('D');
    // Eight days past due: the account enters its first overdue stage and its steps come due at once.
    const accountId = await open(debtorId, mxToday().minus({ days: 8 }).toISODate() ?? '');
    const explained = await eventually(
      () => call('GET', `/v1/accounts/${accountId}/explain`, supervisor),
      (r) => r.status === 200 && r.body.decisions.length > 0 && r.body.next.length > 0,
    );
    expect(explained.status).toBe(200);
    expect(explained.body.accountId).toBe(accountId);
    const budget = await call('GET', `/v1/debtors/${debtorId}/contact-decisions`, supervisor);
    const packs = new Set(budget.body.items.map((i: { packVersion: string }) => i.packVersion));
    expect(packs.size).toBe(1);
    for (const d of explained.body.decisions) {
      expect(d.strategy).toMatchObject({ id: expect.any(String), version: expect.any(Number) });
      expect(d.step).toMatch(/^[\w-]+\/\d+\/\d+$/);
      expect(d.step.split('/')[0]).toBe(d.stage);
      // Every decision found its row in the debtor-wide contact ledger.
      expect(packs.has(d.packVersion)).toBe(true);
      if (d.type === 'message' || d.type === 'task') {
        expect(d.rule).toBeNull();
        expect(d.rulesChecked).toEqual(expect.arrayContaining(['opted_out', 'outside_window']));
      } else {
        expect(typeof d.rule).toBe('string');
        if (d.type === 'deferred') expect(Date.parse(d.until)).toBeGreaterThan(Date.parse(d.at));
      }
    }
    expect(explained.body.decisions.length).toBe(budget.body.items.length);
    // What happens next: the later stage by schedule is always planned for an open, unpaid account.
    const next = explained.body.next as { type: string; at: string | null; reason: string }[];
    expect(next.find((n) => n.type === 'stage_entered')?.reason).toMatch(/^stage [\w-]+ by schedule on day \d+/);
    const timed = next.filter((n) => n.at !== null).map((n) => Date.parse(n.at ?? ''));
    expect(timed).toEqual([...timed].sort((a, b) => a - b));
  });

  it('joins each decision to its own contact-ledger row (a step deferred twice, then sent) and answers from the ledger alone when the workflow cannot be asked', async () => {
    const [debtor] = await db.db
      .insert(debtors)
      .values({ externalId: uniqueId('D'), kind: 'person', name: 'José Pérez', country: 'MX' })
      .returning();
    const [account] = await db.db
      .insert(accounts)
      .values({ debtorId: debtor!.id, currency: 'MXN', workflowId: uniqueId('no-such-workflow') })
      .returning();
    const id = account!.id;
    const entry = (seq: number, type: string, extra: Record<string, unknown>) => ({
      accountId: id,
      seq,
      at: new Date(Date.UTC(2026, 2, 9, 13, seq)),
      localDate: '2026-03-09',
      type,
      stage: 'early',
      strategyId: 'consumer-mx',
      strategyVersion: 3,
      arm: 'champion',
      channel: typeof extra.channel === 'string' ? extra.channel : null,
      currency: 'MXN',
      reason: typeof extra.reason === 'string' ? extra.reason : null,
      entry: { at: `2026-03-09T07:0${seq}:00-06:00`, day: 4, stage: 'early', type, ...extra },
    });
    await db.db.insert(accountLedger).values([
      entry(0, 'stage_entered', { reason: 'schedule' }),
      entry(1, 'deferred', {
        channel: 'email',
        reason: 'outside_window',
        until: '2026-03-09T09:00:00-06:00',
        key: 'early/0/1',
      }),
      entry(2, 'deferred', {
        channel: 'email',
        reason: 'max_per_day',
        until: '2026-03-10T09:00:00-06:00',
        key: 'early/0/1',
      }),
      entry(3, 'message', { channel: 'email', template: 'overdue', key: 'early/0/1' }),
      entry(4, 'skipped', { channel: 'call', reason: 'no_address', key: 'early/1/1' }),
    ]);
    const row = (attemptKey: string, decision: 'sent' | 'deferred' | 'skipped', packVersion: string) => ({
      debtorId: debtor!.id,
      accountId: id,
      attemptKey,
      channel: 'email',
      decision,
      packVersion,
      decidedAt: new Date(),
    });
    await db.db
      .insert(contactDecisions)
      .values([
        row(`${id}/v3/early/0/1/deferred/1`, 'deferred', 'MX@1'),
        row(`${id}/v3/early/0/1/deferred/2`, 'deferred', 'MX@2'),
        row(`${id}/v3/early/0/1`, 'sent', 'MX@3'),
        row(`${id}/v3/early/1/1/skipped/1`, 'skipped', 'MX@4'),
      ]);
    const res = await fetch(`${app.url}/v1/accounts/${id}/explain`, {
      headers: { authorization: `Bearer ${supervisor}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-served-from')).toBe('ledger');
    const body = (await res.json()) as { decisions: Record<string, unknown>[]; next: unknown[] };
    expect(body.next).toEqual([]);
    expect(body.decisions).toEqual([
      {
        seq: 1,
        at: '2026-03-09T07:01:00-06:00',
        type: 'deferred',
        stage: 'early',
        step: 'early/0/1',
        channel: 'email',
        strategy: { id: 'consumer-mx', version: 3, arm: 'champion' },
        rule: 'outside_window',
        until: '2026-03-09T09:00:00-06:00',
        packVersion: 'MX@1',
        rulesChecked: [],
      },
      expect.objectContaining({ seq: 2, rule: 'max_per_day', until: '2026-03-10T09:00:00-06:00', packVersion: 'MX@2' }),
      expect.objectContaining({
        seq: 3,
        type: 'message',
        template: 'overdue',
        rule: null,
        until: null,
        packVersion: 'MX@3',
      }),
      expect.objectContaining({ seq: 4, type: 'skipped', step: 'early/1/1', rule: 'no_address', packVersion: 'MX@4' }),
    ]);
  });

  it('an account before its first stage: nothing decided yet, the first stage is planned', async () => {
    const accountId = await open(uniqueId('D'), mxToday().plus({ days: 40 }).toISODate() ?? '');
    const explained = await eventually(
      () => call('GET', `/v1/accounts/${accountId}/explain`, system),
      (r) => r.body.next?.length > 0,
    );
    expect(explained.body.decisions).toEqual([]);
    expect(explained.body.next[0]).toMatchObject({ type: 'stage_entered', channel: null });
    expect(explained.body.next[0].reason).toMatch(/^stage [\w-]+ by schedule on day -?\d+$/);
  });

  it('an agent reaches only their own accounts; an unknown account is a 404', async () => {
    const accountId = await open(uniqueId('D'), mxToday().plus({ days: 40 }).toISODate() ?? '');
    const agent = uniqueId('agent');
    const agentKey = await app.keyFor('agent', agent);
    expect((await call('GET', `/v1/accounts/${accountId}/explain`, agentKey)).status).toBe(404);
    await call('PUT', `/v1/accounts/${accountId}/assignment`, supervisor, { agentId: agent });
    expect((await call('GET', `/v1/accounts/${accountId}/explain`, agentKey)).status).toBe(200);
    expect((await call('GET', `/v1/accounts/${crypto.randomUUID()}/explain`, system)).status).toBe(404);
  });
});

describe('GET /v1/debtors/{externalId}/timeline', () => {
  it("pages a debtor's entries across accounts, oldest first, each with its account", async () => {
    const debtorId = uniqueId('D');
    const past = mxToday().minus({ days: 8 }).toISODate() ?? '';
    const mxn = await open(debtorId, past);
    const usd = await open(debtorId, past, { currency: 'USD', amount: '80.00' });
    expect(usd).not.toBe(mxn);
    const whole = await eventually(
      () => call('GET', `/v1/debtors/${debtorId}/timeline?limit=500`, supervisor),
      (r) => new Set(r.body.items?.map((i: { accountId: string }) => i.accountId)).size === 2,
    );
    const items = whole.body.items as { accountId: string; seq: number; at: string; type: string }[];
    expect(new Set(items.map((i) => i.accountId))).toEqual(new Set([mxn, usd]));
    const times = items.map((i) => Date.parse(i.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const id of [mxn, usd]) {
      const seqs = items.filter((i) => i.accountId === id).map((i) => i.seq);
      expect(seqs).toEqual(seqs.map((_, n) => n));
    }
    // Pages of 1 give the same entries, none twice.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await call(
        'GET',
        `/v1/debtors/${debtorId}/timeline?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        supervisor,
      );
      expect(page.status).toBe(200);
      paged.push(...page.body.items.map((i: { accountId: string; seq: number }) => `${i.accountId}/${i.seq}`));
      cursor = page.body.nextCursor;
    } while (cursor && paged.length <= items.length);
    expect(paged.slice(0, items.length)).toEqual(items.map((i) => `${i.accountId}/${i.seq}`));
  });

  it('names a bad cursor, answers 404 for an unknown debtor and 403 to agents', async () => {
    const bad = await call('GET', `/v1/debtors/${uniqueId('D')}/timeline?cursor=bm9wZQ`, supervisor);
    expect(bad.status).toBe(400);
    expect((await call('GET', `/v1/debtors/${uniqueId('D')}/timeline`, supervisor)).status).toBe(404);
    expect((await call('GET', `/v1/debtors/x/timeline`, await app.keyFor('agent', 'a1'))).status).toBe(403);
  });
});
