// What every statement reader (camt.053/054, MT940, bank CSV) hands over: one movement on our bank account.

export interface FieldError {
  field: string;
  message: string;
}

export type StatementFormat = 'camt.053' | 'camt.054' | 'mt940' | 'csv';

export interface StatementLine {
  /** Where it sits in the file: the entry's position (XML, MT940) or the spreadsheet row (CSV). */
  line: number;
  /** The bank holding our account (BIC or name), as the statement says or as the upload named it. */
  bank: string;
  /** Our account (IBAN, CLABE or the bank's number). */
  account: string;
  currency: string;
  bookingDate: string;
  valueDate: string | null;
  /** Integer minor units; positive = money in (credit), negative = money out. */
  amountMinor: number;
  /** A reversal of an earlier movement (camt RvslInd, MT940 RC/RD, a returned transfer). */
  reversal: boolean;
  /** The bank's own reference of the movement (AcctSvcrRef, MT940 //bank reference, SPEI clave de rastreo). */
  bankReference: string | null;
  endToEndId: string | null;
  /** Free remittance text and structured references, as one searchable text. */
  remittance: string | null;
  counterpartyName: string | null;
  counterpartyTaxId: string | null;
  counterpartyAccount: string | null;
}

export type ParsedLine =
  { ok: true; value: StatementLine } | { ok: false; line: number; errors: FieldError[]; raw: unknown };

/** The upload's own knowledge, for formats that do not carry it (a CSV has no bank or account). */
export interface StatementDefaults {
  bank?: string;
  account?: string;
  currency?: string;
  /** CSV column mapping: field → the file's header text, as in portfolio imports. */
  mapping?: Record<string, string>;
}

/** The whole file cannot be read (not XML, no statement in it, no header row…): nothing is stored. */
export class StatementFileError extends Error {
  constructor(
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'StatementFileError';
  }
}

/**
 * The line's identity: bank, account, booking date, signed amount and the bank's reference. A statement
 * uploaded again (or a camt.054 notification followed by the day's camt.053) yields the same keys. Without a
 * bank reference, the n-th identical movement of the file is told apart by n.
 */
export function statementLineKey(line: StatementLine, occurrence: number): string {
  const reference = line.bankReference ?? line.endToEndId ?? `#${occurrence}`;
  return ['stmt', line.bank, line.account, line.bookingDate, String(line.amountMinor), reference]
    .map((part) => part.replace(/[\s|]+/g, '_'))
    .join('|');
}
