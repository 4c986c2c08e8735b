// The set-based merge of an import chunk answers each line as the line-by-line ingest would: created,
// repeated (same content), conflict (same invoice number, other content), and writes one outbox row per
// account carrying all of the account's new invoices. Real PostgreSQL, no Temporal needed.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mergeChunk, type MergeLine } from '../../api/imports/bulk-merge';
import { checkInvoice } from '../../api/imports/invoice-batch';
import { createDb } from '../../db/client';
import { uniqueId } from '../support/runtime';

const handle = createDb(inject('databaseUrl'), { max: 2 });
afterAll(() => handle.close());

function line(n: number, externalId: string, debtor: string, extra: Record<string, unknown> = {}): MergeLine {
  const { value, errors } = checkInvoice(
    {
      externalId,
      debtor: { externalId: debtor, name: `Debtor ${debtor}`, kind: 'person', country: 'MX', ...(extra.debtor ?? {}) },
      amount: (extra.amount as string | undefined) ?? '100.00',
      currency: (extra.currency as string | undefined) ?? 'MXN',
      dueDate: '2026-01-15',
    },
    '',
  );
  if (!value) throw new Error(JSON.stringify(errors));
  return { line: n, value };
}

const merge = (taskQueue: string, lines: MergeLine[]) => handle.sql.begin((tx) => mergeChunk(tx, taskQueue, lines));

describe('mergeChunk', () => {
  it('creates, repeats and refuses like the line-by-line ingest, one outbox row per account', async () => {
    const q = uniqueId('q');
    const [d1, d2] = [uniqueId('D'), uniqueId('D')];
    const [f1, f2, f3] = [uniqueId('F'), uniqueId('F'), uniqueId('F')];
    const first = await merge(q, [
      line(2, f1, d1, { debtor: { email: 'a@example.com' } }),
      line(3, f2, d1, { debtor: { phone: '+525512345678' } }),
      line(4, f3, d2, { currency: 'USD' }),
      // The same invoice again in the chunk: a repeat; with another amount: a conflict.
      line(5, f1, d1, { debtor: { email: 'a@example.com' } }),
      line(6, f3, d2, { currency: 'USD', amount: '5.00' }),
    ]);
    expect(first).toMatchObject({ created: 3, repeated: 1 });
    expect(first.failed).toEqual([
      {
        line: 6,
        errors: [{ field: 'externalId', message: `Invoice ${f3} was already accepted with different content.` }],
      },
    ]);
    expect(first.outboxIds).toHaveLength(2);
    const outbox = await handle.sql<{ workflow_id: string; kind: string; signal_name: string; payload: any }[]>`
      select workflow_id, kind, signal_name, payload from workflow_outbox where task_queue = ${q} order by id`;
    expect(outbox.map((o) => [o.kind, o.signal_name])).toEqual([
      ['signal_with_start', 'invoicesAdded'],
      ['signal_with_start', 'invoicesAdded'],
    ]);
    expect(outbox[0]!.payload.signalArg.invoices.map((i: { externalId: string }) => i.externalId)).toEqual([f1, f2]);
    // Later lines' contact data joins the earlier ones', as successive upserts would leave it.
    expect(outbox[0]!.payload.input.debtor.channels).toEqual({ email: true, whatsapp: true });
    expect(outbox[1]!.payload.input).toMatchObject({ currency: 'USD', debtor: { channels: { email: false } } });
    const [debtor] = await handle.sql<{ email: string; phone: string }[]>`
      select email, phone from debtors where external_id = ${d1}`;
    expect(debtor).toEqual({ email: 'a@example.com', phone: '+525512345678' });

    // The same lines again change nothing: every line repeats (or conflicts as before), no outbox row.
    const again = await merge(q, [
      line(2, f1, d1, { debtor: { email: 'a@example.com' } }),
      line(3, f2, d1, { debtor: { phone: '+525512345678' } }),
      line(4, f3, d2, { currency: 'USD' }),
    ]);
    expect(again).toMatchObject({ created: 0, repeated: 3, failed: [], outboxIds: [] });
    const [counted] = await handle.sql<{ n: number }[]>`
      select count(*)::int as n from invoices where external_id in ${handle.sql([f1, f2, f3])}`;
    expect(counted?.n).toBe(3);
    const [opened] = await handle.sql<{ a: number }[]>`
      select count(*)::int as a from accounts a join debtors d on d.id = a.debtor_id
      where d.external_id in ${handle.sql([d1, d2])}`;
    expect(opened?.a).toBe(2);
  });

  it('a new invoice joins the open account the debtor already has', async () => {
    const q = uniqueId('q');
    const d = uniqueId('D');
    const one = await merge(q, [line(2, uniqueId('F'), d)]);
    const two = await merge(q, [line(2, uniqueId('F'), d)]);
    expect(two.accountIds).toEqual(one.accountIds);
    expect(two.outboxIds).toHaveLength(1);
  });
});
