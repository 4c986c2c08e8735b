// A chunk of checked portfolio lines stored by set: a handful of statements per chunk (debtors upserted,
// open accounts found or opened, invoices inserted, one outbox row per account), not one transaction per
// line. The answers are the ones `ingestInvoice` gives line by line: a new invoice is created, the same
// invoice again is repeated, the same invoice number with other content is a conflict (409).
//
// Each account touched gets ONE `invoicesAdded` outbox row carrying all of its new invoices of the chunk:
// its workflow is started (or signalled) once per chunk, and decides on every one of them at once.
import type postgres from 'postgres';
import { accountWorkflowId, invoicesAddedSignal, type AccountWorkflowInput } from '../../workflows/account.messages';
import { postgresTag } from '../../db/tag';
import type { OutboxPayload } from '../../lib/outbox/relay';
import { consumeDebtorCredit } from '../../lib/reconcile/credits';
import type { NormalizedInvoice } from '../invoices/normalize';
import type { FieldError } from '../problem';

/** One signal's payload stays well under Temporal's size limits (as the relay's own coalescing does). */
const MAX_INVOICES_PER_ROW = 500;

export interface MergeLine {
  line: number;
  value: NormalizedInvoice;
}

export interface MergeOutcome {
  created: number;
  repeated: number;
  /** Lines refused by the merge (the same invoice number with other content). */
  failed: { line: number; errors: FieldError[] }[];
  /** Accounts of every stored line, created or repeated. */
  accountIds: string[];
  /** Outbox rows written, to deliver after commit. */
  outboxIds: number[];
}

type Sql = postgres.TransactionSql;

interface Stored {
  id: string;
  external_id: string;
  account_id: string;
  content_hash: string;
}

const conflictError = (externalId: string): FieldError[] => [
  { field: 'externalId', message: `Invoice ${externalId} was already accepted with different content.` },
];

/** Runs inside the caller's transaction; rows are locked in a stable order so parallel chunks never deadlock. */
export async function mergeChunk(tx: Sql, taskQueue: string, lines: readonly MergeLine[]): Promise<MergeOutcome> {
  const out: MergeOutcome = { created: 0, repeated: 0, failed: [], accountIds: [], outboxIds: [] };
  if (lines.length === 0) return out;

  // The first line of an invoice number is the candidate; later ones repeat it or conflict with it.
  const first = new Map<string, MergeLine>();
  const later: MergeLine[] = [];
  for (const l of lines) {
    if (first.has(l.value.externalId)) later.push(l);
    else first.set(l.value.externalId, l);
  }
  const storedBefore = await storedInvoices(tx, [...first.keys()]);
  const fresh: MergeLine[] = [];
  /** invoice number → the account of its stored (or now stored) invoice and its content hash. */
  const known = new Map<string, { accountId: string; contentHash: string }>();
  const judge = (l: MergeLine, s: { accountId: string; contentHash: string }) => {
    if (s.contentHash === l.value.contentHash) {
      out.repeated += 1;
      out.accountIds.push(s.accountId);
    } else out.failed.push({ line: l.line, errors: conflictError(l.value.externalId) });
  };
  for (const l of first.values()) {
    const s = storedBefore.get(l.value.externalId);
    if (s) {
      known.set(l.value.externalId, { accountId: s.account_id, contentHash: s.content_hash });
      judge(l, known.get(l.value.externalId)!);
    } else fresh.push(l);
  }

  if (fresh.length > 0) {
    const created = await storeFresh(tx, taskQueue, fresh, out);
    for (const [ext, v] of created) known.set(ext, v);
  }
  for (const l of later) {
    const s = known.get(l.value.externalId);
    if (s) judge(l, s);
    // Its first line failed in a way that leaves nothing to compare with: it fails alike.
    else out.failed.push({ line: l.line, errors: conflictError(l.value.externalId) });
  }
  return out;
}

async function storedInvoices(tx: Sql, externalIds: string[]): Promise<Map<string, Stored>> {
  if (externalIds.length === 0) return new Map();
  const rows = await tx<Stored[]>`
    select id, external_id, account_id, content_hash from invoices where external_id = any(${externalIds}::text[])`;
  return new Map(rows.map((r) => [r.external_id, r]));
}

interface DebtorMerge {
  externalId: string;
  kind: string;
  name: string;
  email: string | null;
  phone: string | null;
  country: string;
  timezone: string;
  locale: string;
  attributes: unknown;
}

/** Stores lines whose invoice number was not stored before; returns what each invoice number now is. */
async function storeFresh(
  tx: Sql,
  taskQueue: string,
  fresh: readonly MergeLine[],
  out: MergeOutcome,
): Promise<Map<string, { accountId: string; contentHash: string }>> {
  // Debtors: as line-by-line upserts in file order would leave them — the newest line's facts, an absent
  // email, phone or attribute set keeping the one before.
  const debtorsByExt = new Map<string, DebtorMerge>();
  for (const { value: v } of fresh) {
    const d = v.debtor;
    const prev = debtorsByExt.get(d.externalId);
    debtorsByExt.set(d.externalId, {
      externalId: d.externalId,
      kind: d.kind,
      name: d.name,
      email: d.email ?? prev?.email ?? null,
      phone: d.phone ?? prev?.phone ?? null,
      country: d.country,
      timezone: d.timezone,
      locale: d.locale,
      attributes: d.attributes ?? prev?.attributes ?? null,
    });
  }
  const ds = [...debtorsByExt.values()].sort((a, b) => (a.externalId < b.externalId ? -1 : 1));
  const debtorRows = await tx<{ id: string; external_id: string; email: string | null; phone: string | null }[]>`
    insert into debtors (external_id, kind, name, email, phone, country, timezone, locale, attributes)
    select e, k, n, em, ph, c, tz, lo, at::jsonb
    from unnest(${ds.map((d) => d.externalId)}::text[], ${ds.map((d) => d.kind)}::text[], ${ds.map((d) => d.name)}::text[],
                ${ds.map((d) => d.email)}::text[], ${ds.map((d) => d.phone)}::text[], ${ds.map((d) => d.country)}::text[],
                ${ds.map((d) => d.timezone)}::text[], ${ds.map((d) => d.locale)}::text[],
                ${ds.map((d) => (d.attributes == null ? null : JSON.stringify(d.attributes)))}::text[])
         as u(e, k, n, em, ph, c, tz, lo, at)
    on conflict (external_id) do update set
      kind = excluded.kind, name = excluded.name,
      email = coalesce(excluded.email, debtors.email), phone = coalesce(excluded.phone, debtors.phone),
      country = excluded.country, timezone = excluded.timezone, locale = excluded.locale,
      attributes = coalesce(excluded.attributes, debtors.attributes), updated_at = now()
    returning id, external_id, email, phone`;
  const debtorOf = new Map(debtorRows.map((r) => [r.external_id, r]));
  const debtorIds = debtorRows.map((r) => r.id);
  // An opted-out or bounced channel stays off for every account the debtor opens later.
  const blocked = await tx<{ debtor_id: string; channel: string }[]>`
    select debtor_id, channel from debtor_channel_status
    where debtor_id = any(${debtorIds}::uuid[]) and channel in ('email', 'whatsapp')`;
  const off = new Set(blocked.map((b) => `${b.debtor_id}/${b.channel}`));

  // Accounts: one open account per debtor and currency; a new one takes its first line's strategy.
  const pairKey = (debtorId: string, currency: string) => `${debtorId}/${currency}`;
  const wanted = new Map<string, { id: string; debtorId: string; currency: string; strategyId: string | null }>();
  for (const { value: v } of fresh) {
    const debtorId = debtorOf.get(v.debtor.externalId)?.id;
    if (!debtorId) throw new Error(`debtor ${v.debtor.externalId} missing after upsert`);
    const key = pairKey(debtorId, v.currency);
    if (!wanted.has(key))
      wanted.set(key, { id: crypto.randomUUID(), debtorId, currency: v.currency, strategyId: v.strategyId });
  }
  const ws = [...wanted.values()].sort((a, b) => (a.debtorId + a.currency < b.debtorId + b.currency ? -1 : 1));
  await tx`
    insert into accounts (id, debtor_id, currency, workflow_id, strategy_id)
    select * from unnest(${ws.map((w) => w.id)}::uuid[], ${ws.map((w) => w.debtorId)}::uuid[], ${ws.map((w) => w.currency)}::text[],
                         ${ws.map((w) => accountWorkflowId(w.id))}::text[], ${ws.map((w) => w.strategyId)}::text[])
    on conflict do nothing`;
  const open = await tx<{ id: string; debtor_id: string; currency: string; workflow_id: string }[]>`
    select a.id, a.debtor_id, a.currency, a.workflow_id from accounts a
    join unnest(${ws.map((w) => w.debtorId)}::uuid[], ${ws.map((w) => w.currency)}::text[]) as k(debtor_id, currency)
      on a.debtor_id = k.debtor_id and a.currency = k.currency
    where a.closed_at is null
    order by a.id
    for update of a`;
  const accountOf = new Map(open.map((a) => [pairKey(a.debtor_id, a.currency), a]));

  const rows = fresh.map(({ value: v }) => {
    const debtorId = debtorOf.get(v.debtor.externalId)!.id;
    const account = accountOf.get(pairKey(debtorId, v.currency));
    if (!account) throw new Error('open account not found after upsert');
    return { v, debtorId, account };
  });
  const inserted = await tx<{ id: string; external_id: string }[]>`
    insert into invoices (external_id, account_id, debtor_id, amount_minor, currency, due_date, issued_at, strategy_id, content_hash)
    select e, a, d, m::bigint, c, due::date, iss::date, st, h
    from unnest(${rows.map((r) => r.v.externalId)}::text[], ${rows.map((r) => r.account.id)}::uuid[],
                ${rows.map((r) => r.debtorId)}::uuid[], ${rows.map((r) => String(r.v.amountMinor))}::text[],
                ${rows.map((r) => r.v.currency)}::text[], ${rows.map((r) => r.v.dueDate)}::text[],
                ${rows.map((r) => r.v.issuedAt)}::text[], ${rows.map((r) => r.v.strategyId)}::text[],
                ${rows.map((r) => r.v.contentHash)}::text[]) as u(e, a, d, m, c, due, iss, st, h)
    on conflict (external_id) do nothing
    returning id, external_id`;
  const invoiceIdOf = new Map(inserted.map((r) => [r.external_id, r.id]));

  const result = new Map<string, { accountId: string; contentHash: string }>();
  // Invoice numbers a parallel writer stored meanwhile are judged against what it stored.
  const raced = rows.filter((r) => !invoiceIdOf.has(r.v.externalId));
  const racedStored = await storedInvoices(
    tx,
    raced.map((r) => r.v.externalId),
  );
  const lineOf = new Map(fresh.map((l) => [l.value.externalId, l]));
  for (const r of raced) {
    const s = racedStored.get(r.v.externalId);
    const l = lineOf.get(r.v.externalId)!;
    if (!s) {
      out.failed.push({ line: l.line, errors: [{ field: '(line)', message: 'could not be stored; import it again' }] });
      continue;
    }
    result.set(r.v.externalId, { accountId: s.account_id, contentHash: s.content_hash });
    if (s.content_hash === r.v.contentHash) {
      out.repeated += 1;
      out.accountIds.push(s.account_id);
    } else out.failed.push({ line: l.line, errors: conflictError(r.v.externalId) });
  }

  // One outbox row per account (per 500 invoices), in file order of the accounts' first lines.
  const byAccount = new Map<
    string,
    { account: (typeof rows)[number]['account']; debtorExt: string; first: NormalizedInvoice; invoices: object[] }
  >();
  for (const r of rows) {
    const invoiceId = invoiceIdOf.get(r.v.externalId);
    if (!invoiceId) continue;
    out.created += 1;
    out.accountIds.push(r.account.id);
    result.set(r.v.externalId, { accountId: r.account.id, contentHash: r.v.contentHash });
    let entry = byAccount.get(r.account.id);
    if (!entry)
      byAccount.set(
        r.account.id,
        (entry = { account: r.account, debtorExt: r.v.debtor.externalId, first: r.v, invoices: [] }),
      );
    entry.invoices.push({
      invoiceId,
      externalId: r.v.externalId,
      amountMinor: r.v.amountMinor,
      currency: r.v.currency,
      dueDate: r.v.dueDate,
    });
  }
  const workflowIds: string[] = [];
  const payloads: string[] = [];
  for (const { account, debtorExt, first, invoices } of byAccount.values()) {
    const debtor = debtorOf.get(debtorExt)!;
    const merged = debtorsByExt.get(debtorExt)!;
    const input: AccountWorkflowInput = {
      version: 1,
      accountId: account.id,
      currency: account.currency,
      debtor: {
        country: merged.country,
        timezone: merged.timezone,
        locale: merged.locale,
        channels: {
          email: debtor.email !== null && !off.has(`${debtor.id}/email`),
          whatsapp: debtor.phone !== null && !off.has(`${debtor.id}/whatsapp`),
        },
      },
      ...(first.strategyId ? { strategyId: first.strategyId } : {}),
    };
    for (let i = 0; i < invoices.length; i += MAX_INVOICES_PER_ROW) {
      const payload: OutboxPayload = { input, signalArg: { invoices: invoices.slice(i, i + MAX_INVOICES_PER_ROW) } };
      workflowIds.push(account.workflow_id);
      payloads.push(JSON.stringify(payload));
    }
  }
  if (workflowIds.length > 0) {
    const outbox = await tx<{ id: string }[]>`
      insert into workflow_outbox (workflow_id, task_queue, kind, signal_name, payload, next_attempt_at)
      select w, ${taskQueue}, 'signal_with_start', ${invoicesAddedSignal.name}, p::jsonb, now() + interval '10 seconds'
      from unnest(${workflowIds}::text[], ${payloads}::text[]) with ordinality as u(w, p, n)
      order by n
      returning id`;
    out.outboxIds = outbox.map((o) => Number(o.id));
  }
  // A debtor's credit pays their new invoices, oldest first (lib/reconcile/credits.ts, as line by line).
  const createdRows = rows.filter((r) => invoiceIdOf.has(r.v.externalId));
  const withCredit =
    createdRows.length === 0
      ? new Set<string>()
      : new Set(
          (
            await tx<{ debtor_id: string }[]>`
              select distinct debtor_id from debtor_credits where debtor_id = any(${[...new Set(createdRows.map((r) => r.debtorId))]}::uuid[])`
          ).map((r) => r.debtor_id),
        );
  if (withCredit.size > 0) {
    const accepted = createdRows
      .filter((r) => withCredit.has(r.debtorId))
      .sort((a, b) => a.v.dueDate.localeCompare(b.v.dueDate))
      .map((r) => ({
        invoiceId: invoiceIdOf.get(r.v.externalId)!,
        accountId: r.account.id,
        workflowId: r.account.workflow_id,
        debtorId: r.debtorId,
        currency: r.v.currency,
        amountMinor: r.v.amountMinor,
      }));
    out.outboxIds.push(...(await consumeDebtorCredit(postgresTag(tx), taskQueue, accepted)));
  }
  return result;
}
