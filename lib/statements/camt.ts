// ISO 20022 cash management: camt.053 (end-of-day statement) and camt.054 (debit/credit notification), any
// version (001.02 … 001.13): the namespace prefix is dropped and both the old and new party shapes are read.
// Each entry (Ntry) is one line, unless it batches several transactions (TxDtls) with their own amounts.
import { XMLParser } from 'fast-xml-parser';
import { xmlAmountMinor } from './amount';
import {
  StatementFileError,
  type FieldError,
  type ParsedLine,
  type StatementDefaults,
  type StatementLine,
} from './types';

type Node = Record<string, unknown>;

const ARRAYS = new Set(['Stmt', 'Ntfctn', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'Strd', 'Othr', 'Bal']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  // Amounts and references stay text: "000123" is a reference, "1234.50" is parsed digit by digit.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name) => ARRAYS.has(name),
});

const obj = (v: unknown): Node | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : undefined;
const arr = (v: unknown): Node[] => (Array.isArray(v) ? (v as unknown[]).map(obj).filter((n) => n !== undefined) : []);

/** A path's text: `text(n, 'Refs', 'EndToEndId')`; element text with attributes sits in '#text'. */
function text(node: unknown, ...path: string[]): string | null {
  let current: unknown = node;
  for (const step of path) {
    const o = obj(current);
    if (!o) return null;
    current = o[step];
    if (Array.isArray(current)) current = current[0];
  }
  if (typeof current === 'string') return current.trim() === '' ? null : current.trim();
  const o = obj(current);
  if (o && typeof o['#text'] === 'string') return o['#text'].trim() || null;
  return null;
}

function attr(node: unknown, name: string): string | null {
  const o = obj(node);
  const v = o?.[`@${name}`];
  return typeof v === 'string' ? v : null;
}

const dateOf = (node: unknown): string | null => {
  const d = text(node, 'Dt') ?? text(node, 'DtTm');
  return d ? d.slice(0, 10) : null;
};

function accountId(acct: unknown): string | null {
  return text(acct, 'Id', 'IBAN') ?? text(acct, 'Id', 'Othr', 'Id');
}

/** The other party of a transaction: the debtor of a credit, the creditor of a debit (v2 and v8+ shapes). */
function party(tx: Node | undefined, role: 'Dbtr' | 'Cdtr') {
  const related = obj(tx?.['RltdPties']);
  const p = obj(related?.[role]);
  const who = obj(p?.['Pty']) ?? p;
  const taxId =
    text(who, 'Id', 'OrgId', 'Othr', 'Id') ??
    text(who, 'Id', 'PrvtId', 'Othr', 'Id') ??
    text(who, 'Id', 'OrgId', 'AnyBIC');
  return {
    name: text(who, 'Nm'),
    taxId,
    account: accountId(related?.[`${role}Acct`]),
  };
}

function remittanceOf(entry: Node, tx: Node | undefined): string | null {
  const parts: string[] = [];
  const rmt = obj(tx?.['RmtInf']);
  for (const u of Array.isArray(rmt?.['Ustrd']) ? (rmt['Ustrd'] as unknown[]) : []) {
    if (typeof u === 'string' && u.trim()) parts.push(u.trim());
  }
  for (const s of arr(rmt?.['Strd'])) {
    const ref = text(s, 'CdtrRefInf', 'Ref');
    if (ref) parts.push(ref);
    for (const doc of Array.isArray(s['RfrdDocInf']) ? (s['RfrdDocInf'] as unknown[]) : [s['RfrdDocInf']]) {
      const nb = text(doc, 'Nb');
      if (nb) parts.push(nb);
    }
  }
  const extra = text(tx, 'AddtlTxInf') ?? text(entry, 'AddtlNtryInf');
  if (extra) parts.push(extra);
  return parts.length > 0 ? parts.join(' ') : null;
}

function readEntry(
  entry: Node,
  next: () => number,
  owner: { bank: string; account: string; currency: string | null },
): ParsedLine[] {
  const errors: FieldError[] = [];
  const entryCurrency = attr(entry['Amt'], 'Ccy') ?? owner.currency;
  const direction = text(entry, 'CdtDbtInd');
  const reversalMark = (text(entry, 'RvslInd') ?? '').toLowerCase() === 'true';
  const status = text(entry, 'Sts', 'Cd') ?? text(entry, 'Sts');
  const bookingDate = dateOf(entry['BookgDt']) ?? dateOf(entry['ValDt']);
  if (!entryCurrency) errors.push({ field: 'Amt.Ccy', message: 'is required' });
  if (direction !== 'CRDT' && direction !== 'DBIT')
    errors.push({ field: 'CdtDbtInd', message: 'must be CRDT or DBIT' });
  if (!bookingDate) errors.push({ field: 'BookgDt', message: 'is required' });
  if (status && !['BOOK', 'BOOKED'].includes(status.toUpperCase()))
    // Pending or informational entries are not money on the account yet.
    errors.push({ field: 'Sts', message: `is ${status}: only booked entries are reconciled` });
  const entryAmount = text(entry, 'Amt');
  if (errors.length > 0 || !entryCurrency || !bookingDate)
    return [{ ok: false, line: next(), errors, raw: { amount: entryAmount, direction, bookingDate } }];

  const txs = arr(entry['NtryDtls']).flatMap((d) => arr(d['TxDtls']));
  const ownAmount = (tx: Node) => text(tx, 'AmtDtls', 'TxAmt', 'Amt') ?? text(tx, 'Amt');
  const split = txs.length > 1 && txs.every((tx) => ownAmount(tx) !== null);
  const pieces: { tx: Node | undefined; amount: string | null }[] = split
    ? txs.map((tx) => ({ tx, amount: ownAmount(tx) }))
    : [{ tx: txs[0], amount: entryAmount }];

  return pieces.map(({ tx, amount }): ParsedLine => {
    const line = next();
    const minor = amount === null ? null : xmlAmountMinor(amount, entryCurrency);
    if (minor === null)
      return {
        ok: false,
        line,
        errors: [{ field: 'Amt', message: `"${amount ?? ''}" is not an amount` }],
        raw: { amount },
      };
    const returned = obj(tx?.['RtrInf']) !== undefined;
    // A credit reversed, or a returned transfer coming back as a debit, undoes an earlier credit.
    const reversal = reversalMark || (direction === 'DBIT' && returned);
    const credit = direction === 'CRDT' ? !reversalMark : reversalMark;
    const counterparty = party(tx, direction === 'CRDT' ? 'Dbtr' : 'Cdtr');
    const returnReason = text(tx, 'RtrInf', 'Rsn', 'Cd');
    const remittance = [remittanceOf(entry, tx), returnReason ? `return reason ${returnReason}` : null]
      .filter((p) => p)
      .join(' ');
    const value: StatementLine = {
      line,
      bank: owner.bank,
      account: owner.account,
      currency: entryCurrency,
      bookingDate,
      valueDate: dateOf(entry['ValDt']),
      amountMinor: credit ? minor : -minor,
      reversal,
      bankReference:
        (split ? text(tx, 'Refs', 'AcctSvcrRef') : null) ??
        text(entry, 'AcctSvcrRef') ??
        text(tx, 'Refs', 'AcctSvcrRef'),
      endToEndId: ((e) => (e && e !== 'NOTPROVIDED' ? e : null))(text(tx, 'Refs', 'EndToEndId')),
      remittance: remittance || null,
      counterpartyName: counterparty.name,
      counterpartyTaxId: counterparty.taxId,
      counterpartyAccount: counterparty.account,
    };
    return { ok: true, value };
  });
}

export function parseCamt(
  xml: string,
  defaults: StatementDefaults = {},
): { format: 'camt.053' | 'camt.054'; lines: ParsedLine[] } {
  let doc: Node;
  try {
    doc = parser.parse(xml, true) as Node;
  } catch (err) {
    throw new StatementFileError(`the file is not well-formed XML: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
  const root = obj(doc['Document']);
  const statement = obj(root?.['BkToCstmrStmt']);
  const notification = obj(root?.['BkToCstmrDbtCdtNtfctn']);
  const format = statement ? 'camt.053' : notification ? 'camt.054' : null;
  if (!format) throw new StatementFileError('the XML is not a camt.053 statement nor a camt.054 notification');
  const reports = statement ? arr(statement['Stmt']) : arr(notification?.['Ntfctn']);
  const lines: ParsedLine[] = [];
  let position = 0;
  const next = () => ++position;
  for (const report of reports) {
    const acct = obj(report['Acct']);
    const account = accountId(acct) ?? defaults.account;
    const bank =
      text(acct, 'Svcr', 'FinInstnId', 'BICFI') ??
      text(acct, 'Svcr', 'FinInstnId', 'BIC') ??
      text(acct, 'Svcr', 'FinInstnId', 'Nm') ??
      defaults.bank ??
      'unknown';
    if (!account) throw new StatementFileError('the statement names no account (Acct/Id) and none was given');
    const currency = text(acct, 'Ccy') ?? defaults.currency ?? null;
    for (const entry of arr(report['Ntry'])) {
      lines.push(...readEntry(entry, next, { bank, account, currency }));
    }
  }
  return { format, lines };
}
