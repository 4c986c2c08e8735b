// An invoice number as the statement matcher compares it (lib/reconcile/text.ts invoiceKey): letters and
// digits, no prefix before the digits ("FAC", "F", "No"), no leading zeros. The SQL twin feeds an expression
// index on invoices, so the numbers a remittance names are found among millions of open invoices at once.

export const INVOICE_KEY_PREFIXES = 'FACTURAS?|FACT|FAC|FCT|FT|FA|F|NO|NUM|NUMERO|NRO|NR|N|INV|INVOICE|FOLIO|DOC';

export const INVOICE_KEY_SQL = `regexp_replace(regexp_replace(regexp_replace(upper(external_id), '[^A-Z0-9]', '', 'g'), '^(${INVOICE_KEY_PREFIXES})(?=[0-9])', ''), '^0+(?=[0-9])', '')`;
