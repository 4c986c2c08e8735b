// The body of `POST /v1/invoices` (CONTRACT §2), which every parsed portfolio line becomes.

export type DebtorKind = 'person' | 'company';

export interface DebtorInput {
  externalId: string;
  name: string;
  kind: DebtorKind;
  email?: string;
  /** E.164, e.g. "+56912345678". */
  phone?: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** IANA zone, e.g. "America/Santiago". */
  timezone?: string;
  /** BCP 47 tag, e.g. "es-CL". */
  locale?: string;
}

export interface InvoiceInput {
  externalId: string;
  debtor: DebtorInput;
  /** Decimal string with a dot and exactly the currency's minor digits: "1234.56", or "1234" for CLP. */
  amount: string;
  /** ISO 4217. */
  currency: string;
  /** YYYY-MM-DD. */
  dueDate: string;
  /** YYYY-MM-DD: portfolio files carry the issue date, not an instant. */
  issuedAt?: string;
  strategyId?: string;
}

/** A field error named by its JSON path in InvoiceInput (`amount`, `debtor.phone`, …). */
export interface FieldError {
  field: string;
  message: string;
}
