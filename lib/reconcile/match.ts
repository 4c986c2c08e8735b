// Who paid, for which invoices: candidates for one bank line, each with a score (0..1) and its reasons,
// and how the money splits across the debtor's accounts and invoices. Pure: the caller gathers the open
// invoices, accounts, promises and references the line may concern into a ReconcileIndex.
import { currencyDigits, formatMinor } from '../../strategies/core/money';
import {
  invoiceKey,
  invoiceCandidates,
  nameKey,
  nameSimilarity,
  nameTokens,
  taxIdKey,
  transferReferenceCandidates,
} from './text';

export interface MatchLine {
  amountMinor: number;
  currency: string;
  bookingDate: string;
  remittance: string | null;
  counterpartyName: string | null;
  counterpartyTaxId: string | null;
}

export interface OpenInvoice {
  id: string;
  number: string;
  accountId: string;
  debtorId: string;
  currency: string;
  dueDate: string;
  /** What is still owed on it (the account's payments cover its oldest invoices first). */
  openMinor: number;
}

export interface OpenAccount {
  id: string;
  debtorId: string;
  currency: string;
  balanceMinor: number;
}

export interface DebtorRecord {
  id: string;
  name: string;
  /** The debtor's tax id (RFC, RUT…), often its external id. */
  taxIds: string[];
}

export interface OpenPromise {
  accountId: string;
  debtorId: string;
  currency: string;
  amountMinor: number;
  dueDate: string;
}

export interface ReconcileData {
  debtors: DebtorRecord[];
  accounts: OpenAccount[];
  invoices: OpenInvoice[];
  promises: OpenPromise[];
  references: { reference: string; debtorId: string; currency: string }[];
}

export interface Candidate {
  debtorId: string;
  score: number;
  reasons: string[];
  /** Open invoices the remittance names (those of this debtor). */
  invoiceIds: string[];
}

/** Evidence weights: combined as independent signals, 1 - Π(1 - w). */
export const WEIGHTS = {
  transferReference: 0.9,
  invoiceNumber: 0.75,
  invoicesAmountExact: 0.9,
  invoicesAmountPartial: 0.4,
  taxId: 0.8,
  nameMax: 0.5,
  amountEqualsBalance: 0.8,
  amountEqualsInvoice: 0.6,
  promise: 0.75,
  promiseOnly: 0.5,
} as const;

/** A name this similar or more is a candidate. */
const NAME_MIN_SIMILARITY = 0.82;
/** Name words shared by more debtors than this say nothing (MARIA, COMERCIAL…). */
const NAME_TOKEN_MAX_DEBTORS = 200;
/** A promise counts when the money arrives this many days around its due date. */
const PROMISE_WINDOW_DAYS = 7;
/** The runner-up must trail the best by this much for the best to be applied unasked. */
export const AMBIGUITY_MARGIN = 0.1;

const days = (a: string, b: string) =>
  Math.abs(Date.parse(`${a}T00:00:00Z`) - Date.parse(`${b}T00:00:00Z`)) / 86_400_000;

export interface ReconcileIndex {
  referenceOwner(reference: string): { debtorId: string; currency: string } | undefined;
  invoicesByKey(key: string): readonly OpenInvoice[];
  debtorsByTaxId(key: string): readonly string[];
  debtorsByName(name: string): { debtorId: string; similarity: number }[];
  invoicesOf(debtorId: string, currency: string): readonly OpenInvoice[];
  accountsOf(debtorId: string, currency: string): readonly OpenAccount[];
  promisesOf(debtorId: string, currency: string): readonly OpenPromise[];
  promisesByAmount(amountMinor: number, currency: string): readonly OpenPromise[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export type NameIndex = (name: string) => { debtorId: string; similarity: number }[];

/** Block keys of a name: its words, and each pair of its words (a pair is rare even when both words are common). */
function nameBlocks(key: string): string[] {
  const words = [...new Set(nameTokens(key))];
  const pairs: string[] = [];
  for (let i = 0; i < words.length; i++)
    for (let j = i + 1; j < words.length; j++) pairs.push(`${words[i]}+${words[j]}`);
  return [...words, ...pairs];
}

/** Debtors by name: blocked on rare words and word pairs, then compared whole (Levenshtein). */
export function buildNameIndex(debtors: readonly { id: string; name: string }[]): NameIndex {
  const byBlock = new Map<string, string[]>();
  const keys = new Map<string, string>();
  for (const d of debtors) {
    const key = nameKey(d.name);
    keys.set(d.id, key);
    for (const block of nameBlocks(key)) push(byBlock, block, d.id);
  }
  return (name) => {
    const key = nameKey(name);
    const seen = new Set<string>();
    const out: { debtorId: string; similarity: number }[] = [];
    for (const block of nameBlocks(key)) {
      const ids = byBlock.get(block);
      if (!ids || ids.length > NAME_TOKEN_MAX_DEBTORS) continue;
      for (const id of ids) {
        if (seen.has(id)) continue;
        seen.add(id);
        const similarity = nameSimilarity(key, keys.get(id) ?? '');
        if (similarity >= NAME_MIN_SIMILARITY) out.push({ debtorId: id, similarity });
      }
    }
    return out;
  };
}

/** `names`: a name index over more debtors than `data` holds (built once per statement). */
export function buildIndex(data: ReconcileData, names?: NameIndex): ReconcileIndex {
  const refs = new Map(data.references.map((r) => [r.reference, r]));
  const byKey = new Map<string, OpenInvoice[]>();
  const byDebtor = new Map<string, OpenInvoice[]>();
  for (const inv of data.invoices) {
    if (inv.openMinor <= 0) continue;
    const key = invoiceKey(inv.number);
    if (key) push(byKey, key, inv);
    push(byDebtor, `${inv.debtorId}|${inv.currency}`, inv);
  }
  for (const list of byDebtor.values())
    list.sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.number.localeCompare(b.number));
  const accounts = new Map<string, OpenAccount[]>();
  for (const a of data.accounts) push(accounts, `${a.debtorId}|${a.currency}`, a);
  const byTax = new Map<string, string[]>();
  for (const d of data.debtors) for (const t of d.taxIds) if (t) push(byTax, taxIdKey(t), d.id);
  const byName = names ?? buildNameIndex(data.debtors);
  const promises = new Map<string, OpenPromise[]>();
  const promisesByAmount = new Map<string, OpenPromise[]>();
  for (const p of data.promises) {
    push(promises, `${p.debtorId}|${p.currency}`, p);
    push(promisesByAmount, `${p.amountMinor}|${p.currency}`, p);
  }
  return {
    referenceOwner: (r) => refs.get(r),
    invoicesByKey: (k) => byKey.get(k) ?? [],
    debtorsByTaxId: (k) => [...new Set(byTax.get(k) ?? [])],
    debtorsByName: byName,
    invoicesOf: (d, c) => byDebtor.get(`${d}|${c}`) ?? [],
    accountsOf: (d, c) => accounts.get(`${d}|${c}`) ?? [],
    promisesOf: (d, c) => promises.get(`${d}|${c}`) ?? [],
    promisesByAmount: (a, c) => promisesByAmount.get(`${a}|${c}`) ?? [],
  };
}

/** Open amounts of an account's invoices: what it has paid covers the oldest first. */
export function openAmounts<T extends { amountMinor: number; dueDate: string }>(
  invoices: readonly T[],
  balanceMinor: number,
): (T & { openMinor: number })[] {
  const sorted = [...invoices].sort((a, b) => a.dueDate.localeCompare(b.dueDate));
  let paid = Math.max(0, sorted.reduce((s, i) => s + i.amountMinor, 0) - Math.max(0, balanceMinor));
  return sorted.map((inv) => {
    const covered = Math.min(paid, inv.amountMinor);
    paid -= covered;
    return { ...inv, openMinor: inv.amountMinor - covered };
  });
}

/** Every debtor the line may be from, best first. Only money in (amount > 0) has candidates. */
export function candidatesFor(line: MatchLine, index: ReconcileIndex): Candidate[] {
  if (line.amountMinor <= 0) return [];
  const evidence = new Map<string, { weights: number[]; reasons: string[]; invoiceIds: Set<string> }>();
  const add = (debtorId: string, weight: number, reason: string) => {
    let e = evidence.get(debtorId);
    if (!e) evidence.set(debtorId, (e = { weights: [], reasons: [], invoiceIds: new Set() }));
    e.weights.push(weight);
    e.reasons.push(reason);
    return e;
  };

  for (const ref of transferReferenceCandidates(line.remittance)) {
    const owner = index.referenceOwner(ref);
    if (owner && owner.currency === line.currency)
      add(owner.debtorId, WEIGHTS.transferReference, `transfer reference ${ref}`);
  }

  const named = new Map<string, OpenInvoice[]>();
  for (const key of invoiceCandidates(line.remittance)) {
    for (const inv of index.invoicesByKey(key)) {
      if (inv.currency !== line.currency) continue;
      const list = named.get(inv.debtorId) ?? [];
      if (!list.some((i) => i.id === inv.id)) list.push(inv);
      named.set(inv.debtorId, list);
    }
  }
  for (const [debtorId, invoices] of named) {
    const e = add(
      debtorId,
      WEIGHTS.invoiceNumber,
      `invoice ${invoices.map((i) => i.number).join(', ')} in the remittance`,
    );
    for (const i of invoices) e.invoiceIds.add(i.id);
    const open = invoices.reduce((s, i) => s + i.openMinor, 0);
    if (open === line.amountMinor) {
      e.weights.push(WEIGHTS.invoicesAmountExact);
      e.reasons.push('amount equals what the named invoices owe');
    } else if (line.amountMinor < open) {
      e.weights.push(WEIGHTS.invoicesAmountPartial);
      e.reasons.push(
        `partial payment of the named invoices (${formatMinor(open, currencyDigits(line.currency))} open)`,
      );
    }
  }

  if (line.counterpartyTaxId) {
    for (const debtorId of index.debtorsByTaxId(taxIdKey(line.counterpartyTaxId)))
      add(debtorId, WEIGHTS.taxId, 'payer tax id');
  }

  if (line.counterpartyName) {
    for (const { debtorId, similarity } of index.debtorsByName(line.counterpartyName))
      add(debtorId, WEIGHTS.nameMax * similarity, `payer name ${Math.round(similarity * 100)}% similar`);
  }

  // The amount confirms a debtor found otherwise: its balance, one open invoice, an open promise.
  for (const [debtorId, e] of evidence) {
    const balance = index.accountsOf(debtorId, line.currency).reduce((s, a) => s + a.balanceMinor, 0);
    if (balance === line.amountMinor) {
      e.weights.push(WEIGHTS.amountEqualsBalance);
      e.reasons.push('amount equals the balance');
    } else if (!named.has(debtorId)) {
      const invoice = index.invoicesOf(debtorId, line.currency).find((i) => i.openMinor === line.amountMinor);
      if (invoice) {
        e.weights.push(WEIGHTS.amountEqualsInvoice);
        e.reasons.push(`amount equals invoice ${invoice.number}`);
        e.invoiceIds.add(invoice.id);
      }
    }
    const promise = index
      .promisesOf(debtorId, line.currency)
      .find((p) => p.amountMinor === line.amountMinor && days(p.dueDate, line.bookingDate) <= PROMISE_WINDOW_DAYS);
    if (promise) {
      e.weights.push(WEIGHTS.promise);
      e.reasons.push(`amount of the promise due ${promise.dueDate}`);
    }
  }

  // Nothing else: an open promise of exactly this amount around this date.
  if (evidence.size === 0) {
    const promises = index
      .promisesByAmount(line.amountMinor, line.currency)
      .filter((p) => days(p.dueDate, line.bookingDate) <= PROMISE_WINDOW_DAYS);
    for (const p of promises) add(p.debtorId, WEIGHTS.promiseOnly, `amount and date of the promise due ${p.dueDate}`);
  }

  return [...evidence]
    .map(([debtorId, e]) => ({
      debtorId,
      score: Math.round((1 - e.weights.reduce((p, w) => p * (1 - w), 1)) * 1000) / 1000,
      reasons: e.reasons,
      invoiceIds: [...e.invoiceIds],
    }))
    .sort((a, b) => b.score - a.score || a.debtorId.localeCompare(b.debtorId));
}

export type Decision =
  { kind: 'apply'; candidate: Candidate } | { kind: 'queue'; reason: string; candidates: Candidate[] };

/** Applied unasked when the best candidate reaches the threshold and no other debtor comes close. */
export function decide(candidates: readonly Candidate[], threshold: number): Decision {
  const [best, second] = candidates;
  if (!best) return { kind: 'queue', reason: 'no candidate', candidates: [] };
  if (best.score < threshold)
    return { kind: 'queue', reason: `best score ${best.score} below ${threshold}`, candidates: [...candidates] };
  if (second && second.score > best.score - AMBIGUITY_MARGIN)
    return { kind: 'queue', reason: 'ambiguous: two debtors score alike', candidates: [...candidates] };
  return { kind: 'apply', candidate: best };
}

export interface Allocation {
  accountId: string;
  amountMinor: number;
  invoiceIds: string[];
}

/**
 * Splits a payment over a debtor's open invoices: the named ones first (oldest first among them), then the
 * oldest of the rest; by account (a payment is booked per account). What exceeds every balance is credit.
 */
export function allocate(
  amountMinor: number,
  invoices: readonly OpenInvoice[],
  accounts: readonly OpenAccount[],
  namedInvoiceIds: readonly string[] = [],
): { allocations: Allocation[]; creditMinor: number } {
  const named = new Set(namedInvoiceIds);
  const order = [...invoices]
    .filter((i) => i.openMinor > 0)
    .sort(
      (a, b) =>
        Number(named.has(b.id)) - Number(named.has(a.id)) ||
        a.dueDate.localeCompare(b.dueDate) ||
        a.number.localeCompare(b.number),
    );
  // An account never takes more than its balance, whatever its invoices say.
  const room = new Map(accounts.map((a) => [a.id, Math.max(0, a.balanceMinor)]));
  const byAccount = new Map<string, Allocation>();
  let left = amountMinor;
  const take = (accountId: string, amount: number, invoiceId?: string) => {
    if (amount <= 0) return;
    const a = byAccount.get(accountId) ?? { accountId, amountMinor: 0, invoiceIds: [] };
    a.amountMinor += amount;
    if (invoiceId) a.invoiceIds.push(invoiceId);
    byAccount.set(accountId, a);
    room.set(accountId, (room.get(accountId) ?? 0) - amount);
    left -= amount;
  };
  for (const inv of order) {
    if (left <= 0) break;
    take(inv.accountId, Math.min(left, inv.openMinor, room.get(inv.accountId) ?? 0), inv.id);
  }
  // Balances beyond the invoices we know of (fees, adjustments) take the rest before it becomes credit.
  for (const a of accounts) {
    if (left <= 0) break;
    take(a.id, Math.min(left, room.get(a.id) ?? 0));
  }
  return { allocations: [...byAccount.values()], creditMinor: left };
}
