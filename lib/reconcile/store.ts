// Gathers from PostgreSQL what a chunk of statement lines may concern, so the pure matcher decides on it:
// the owners of the transfer references they carry, the open invoices they name (expression index on the
// invoice key), debtors by tax id, and then the open accounts, invoices and promises of every candidate.
// Debtor names are compared in memory against a name index loaded once per statement.
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { INVOICE_KEY_SQL } from '../../db/schema/invoice-key';
import {
  buildIndex,
  buildNameIndex,
  candidatesFor,
  decide,
  openAmounts,
  type Candidate,
  type Decision,
  type MatchLine,
  type NameIndex,
  type OpenPromise,
  type ReconcileData,
} from './match';
import { compactKey, invoiceCandidates, transferReferenceCandidates } from './text';

/**
 * A list of parameters for `in (…)`: PostgreSQL turns a literal list into one index scan per value
 * (`= any(subquery)` would be a join the planner may run as a scan of the whole table).
 */
const list = (values: readonly string[], cast = '') =>
  sql.join(
    values.map((v) => sql`${v}${sql.raw(cast)}`),
    sql`, `,
  );

/** Debtors with an open account in the currency, by name (loaded once per statement and currency). */
export async function loadNameIndex(db: DbOrTx, currencies: readonly string[]): Promise<NameIndex> {
  const rows = await db.execute<{ id: string; name: string }>(sql`
    select d.id, d.name from debtors d
    where exists (select 1 from accounts a where a.debtor_id = d.id and a.closed_at is null
                  and a.currency in (${list(currencies)}))`);
  return buildNameIndex(rows);
}

export async function loadReconcileData(
  db: DbOrTx,
  lines: readonly MatchLine[],
  names: NameIndex,
): Promise<ReconcileData> {
  const credits = lines.filter((l) => l.amountMinor > 0);
  const refs = [...new Set(credits.flatMap((l) => transferReferenceCandidates(l.remittance)))];
  const keys = [...new Set(credits.flatMap((l) => invoiceCandidates(l.remittance)))];
  const taxIds = [
    ...new Set(
      credits.flatMap((l) =>
        l.counterpartyTaxId ? [l.counterpartyTaxId.trim(), compactKey(l.counterpartyTaxId)] : [],
      ),
    ),
  ];
  const amounts = [...new Set(credits.map((l) => String(l.amountMinor)))];

  const [references, named, byTax, promised] = await Promise.all([
    refs.length === 0
      ? []
      : db.execute<{ reference: string; debtor_id: string; currency: string }>(
          sql`select reference, debtor_id, currency from transfer_references where reference in (${list(refs)})`,
        ),
    keys.length === 0
      ? []
      : db.execute<{ debtor_id: string }>(
          sql`select distinct debtor_id from invoices where ${sql.raw(INVOICE_KEY_SQL)} in (${list(keys)})`,
        ),
    taxIds.length === 0
      ? []
      : db.execute<{ id: string }>(sql`select id from debtors where external_id in (${list(taxIds)})`),
    amounts.length === 0
      ? []
      : db.execute<{ account_id: string }>(
          sql`select distinct account_id from account_ledger
              where type = 'promise_accepted' and amount_minor in (${list(amounts, '::bigint')})`,
        ),
  ]);

  const debtorIds = new Set<string>([
    ...references.map((r) => r.debtor_id),
    ...named.map((r) => r.debtor_id),
    ...byTax.map((r) => r.id),
  ]);
  for (const l of credits) if (l.counterpartyName) for (const n of names(l.counterpartyName)) debtorIds.add(n.debtorId);
  const promisedAccounts = promised.map((r) => r.account_id);
  if (debtorIds.size === 0 && promisedAccounts.length === 0)
    return {
      debtors: [],
      accounts: [],
      invoices: [],
      promises: [],
      references: references.map((r) => ({ reference: r.reference, debtorId: r.debtor_id, currency: r.currency })),
    };

  const ids = [...debtorIds];
  const accountRows = await db.execute<{ id: string; debtor_id: string; currency: string; balance_minor: string }>(sql`
    select id, debtor_id, currency, balance_minor from accounts
    where closed_at is null
      and (${ids.length > 0 ? sql`debtor_id in (${list(ids, '::uuid')})` : sql`false`}
           or ${promisedAccounts.length > 0 ? sql`id in (${list(promisedAccounts, '::uuid')})` : sql`false`})`);
  const accountIds = accountRows.map((a) => a.id);
  const uuidArray = accountIds.length > 0 ? list(accountIds, '::uuid') : sql`null::uuid`;
  const [invoiceRows, debtorRows, promiseRows] = await Promise.all([
    db.execute<{
      id: string;
      external_id: string;
      account_id: string;
      debtor_id: string;
      currency: string;
      due_date: string;
      amount_minor: string;
    }>(
      sql`select id, external_id, account_id, debtor_id, currency, due_date::text, amount_minor from invoices where account_id in (${uuidArray})`,
    ),
    db.execute<{ id: string; name: string; external_id: string; tax_id: string | null }>(
      sql`select d.id, d.name, d.external_id, d.attributes->>'taxId' as tax_id from debtors d
          where d.id in (select debtor_id from accounts where id in (${uuidArray}))`,
    ),
    // The latest promise event of each account: an accepted promise is open until kept or broken.
    db.execute<{
      account_id: string;
      type: string;
      amount_minor: string;
      due_date: string | null;
      currency: string;
    }>(sql`
      select distinct on (account_id) account_id, type, amount_minor, entry->>'dueDate' as due_date, currency
      from account_ledger
      where account_id in (${uuidArray}) and type in ('promise_accepted', 'promise_kept', 'promise_broken')
      order by account_id, seq desc`),
  ]);

  const accounts = accountRows.map((a) => ({
    id: a.id,
    debtorId: a.debtor_id,
    currency: a.currency,
    balanceMinor: Number(a.balance_minor),
  }));
  const byAccount = new Map<string, InvoiceRow[]>();
  for (const inv of invoiceRows) {
    const list = byAccount.get(inv.account_id) ?? [];
    list.push(inv);
    byAccount.set(inv.account_id, list);
  }
  const invoices = accounts.flatMap((a) =>
    openAmounts(
      (byAccount.get(a.id) ?? []).map((i) => ({ ...i, amountMinor: Number(i.amount_minor), dueDate: i.due_date })),
      a.balanceMinor,
    ).map((i) => ({
      id: i.id,
      number: i.external_id,
      accountId: i.account_id,
      debtorId: i.debtor_id,
      currency: i.currency,
      dueDate: i.dueDate,
      openMinor: i.openMinor,
    })),
  );
  const debtorOf = new Map(accounts.map((a) => [a.id, a.debtorId]));
  const promises: OpenPromise[] = promiseRows
    .filter((p) => p.type === 'promise_accepted' && p.due_date)
    .map((p) => ({
      accountId: p.account_id,
      debtorId: debtorOf.get(p.account_id) ?? '',
      currency: p.currency,
      amountMinor: Number(p.amount_minor),
      dueDate: p.due_date ?? '',
    }));
  return {
    debtors: debtorRows.map((d) => ({
      id: d.id,
      name: d.name,
      taxIds: [d.external_id, d.tax_id ?? ''].filter((t) => t),
    })),
    accounts,
    invoices,
    promises,
    references: references.map((r) => ({ reference: r.reference, debtorId: r.debtor_id, currency: r.currency })),
  };
}

interface InvoiceRow {
  id: string;
  external_id: string;
  account_id: string;
  debtor_id: string;
  currency: string;
  due_date: string;
  amount_minor: string;
}

export interface LineDecision {
  candidates: Candidate[];
  decision: Decision;
  data: ReconcileData;
}

/** Candidates and the decision for each line, in order; one round of queries for the whole chunk. */
export async function matchLines(
  db: DbOrTx,
  lines: readonly MatchLine[],
  names: NameIndex,
  threshold: number,
): Promise<{ decisions: { candidates: Candidate[]; decision: Decision }[]; data: ReconcileData }> {
  const data = await loadReconcileData(db, lines, names);
  const index = buildIndex(data, names);
  const decisions = lines.map((line) => {
    const candidates = candidatesFor(line, index);
    return { candidates, decision: decide(candidates, threshold) };
  });
  return { decisions, data };
}
