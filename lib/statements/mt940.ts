// SWIFT MT940 customer statements, read with mt940js (tags, 86 structures, balance checks). Amounts are
// taken again from the :61: text, digit by digit: the library's numbers are floats.
import mt940js from 'mt940js';
import { xmlAmountMinor } from './amount';
import { StatementFileError, type ParsedLine, type StatementDefaults, type StatementLine } from './types';

/** :61: date, entry date, [R]D/C mark, funds code, amount — the same layout mt940js matches. */
const LINE_61 = /^(\d{2})(\d{2})(\d{2})(\d{4})?(R?[DC])([A-Z])?([0-9,]{1,16})/;

const isoDate = (d: Date) => d.toISOString().slice(0, 10);

function nameFrom(details: Record<string, string> | undefined): string | null {
  if (!details) return null;
  const name =
    details['NAME'] ?? details['ORDP'] ?? details['BENM'] ?? [details['32'], details['33']].filter((p) => p).join('');
  return name ? name.trim() : null;
}

export function looksLikeMt940(text: string): boolean {
  return /(^|\n)\s*:20:/.test(text) && /(^|\n):61:/.test(text);
}

export function parseMt940(text: string, defaults: StatementDefaults = {}): { format: 'mt940'; lines: ParsedLine[] } {
  let statements: ReturnType<InstanceType<typeof mt940js.Parser>['parse']>;
  try {
    statements = new mt940js.Parser().parse(text.replace(/\r\n?/g, '\n'), true);
  } catch (err) {
    throw new StatementFileError(`the MT940 statement cannot be read: ${(err as Error).message}`);
  }
  if (statements.length === 0) throw new StatementFileError('the file holds no MT940 statement');
  const lines: ParsedLine[] = [];
  let position = 0;
  for (const statement of statements) {
    // :25: is "BANKCODE/ACCOUNT" at many banks, the account alone at others.
    const [first, second] = statement.accountIdentification.split('/');
    const bank = second ? (first ?? '') : (defaults.bank ?? 'unknown');
    const account = second ?? first ?? defaults.account ?? '';
    const raw61 = (statement.tags ?? []).filter((t) => String(t.id) === '61').map((t) => t.data);
    statement.transactions.forEach((tx, i) => {
      position += 1;
      const match = LINE_61.exec(raw61[i] ?? '');
      const minor = match ? xmlAmountMinor((match[7] ?? '').replace(',', '.'), statement.currency) : null;
      if (!match || minor === null) {
        lines.push({
          ok: false,
          line: position,
          errors: [{ field: ':61:', message: 'amount cannot be read' }],
          raw: raw61[i] ?? null,
        });
        return;
      }
      const mark = match[5] ?? 'C';
      const reversal = mark.startsWith('R');
      // RC reverses a credit (money out), RD reverses a debit (money back in).
      const credit = mark.endsWith('C') !== reversal;
      const reference = tx.reference && tx.reference !== 'NONREF' ? tx.reference.trim() : null;
      const value: StatementLine = {
        line: position,
        bank,
        account,
        currency: statement.currency,
        bookingDate: tx.entryDate instanceof Date ? isoDate(tx.entryDate) : isoDate(tx.date),
        valueDate: isoDate(tx.date),
        amountMinor: credit ? minor : -minor,
        reversal,
        bankReference: tx.bankReference?.trim() || reference,
        endToEndId: tx.structuredDetails?.['EREF'] ?? null,
        remittance:
          [tx.details, reference, tx.extraDetails]
            .filter((p) => p && p.trim())
            .join(' ')
            .replace(/\s+/g, ' ') || null,
        counterpartyName: nameFrom(tx.structuredDetails),
        counterpartyTaxId: null,
        counterpartyAccount: tx.structuredDetails?.['IBAN'] ?? tx.structuredDetails?.['31'] ?? null,
      };
      lines.push({ ok: true, value });
    });
  }
  return { format: 'mt940', lines };
}
