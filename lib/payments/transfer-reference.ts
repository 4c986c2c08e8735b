// The reference a debtor writes on a bank transfer, so the statement reconciliation knows whose money it is.
// One per debtor and currency, created on first ask and the same ever after.
import { randomInt } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { transferReferences } from '../../db/schema';
import { isTransferReference, luhnCheckDigit } from '../statements/check-digits';

/** The bank account debtors transfer to (config TRANSFER_CLABE, TRANSFER_BANK_NAME). */
export interface TransferBankAccount {
  clabe?: string;
  bankName?: string;
}

export interface TransferReference {
  reference: string;
  clabe: string | null;
  bankName: string | null;
}

/** Nine random digits (the first not 0) and their Luhn digit: short to type, a typo is caught, no id shows through. */
export function newTransferReference(): string {
  const body = String(randomInt(100_000_000, 1_000_000_000));
  return `${body}${luhnCheckDigit(body)}`;
}

/**
 * The debtor's reference for this currency; concurrent first calls agree (the unique (debtor, currency)
 * index decides), and a reference already taken by another debtor is drawn again.
 * `bank` is the app's config.transfer (TRANSFER_CLABE / TRANSFER_BANK_NAME); without it clabe and bankName are null.
 */
export async function transferReferenceFor(
  db: DbOrTx,
  debtorId: string,
  currency: string,
  bank: TransferBankAccount = {},
): Promise<TransferReference> {
  const answer = (reference: string): TransferReference => ({
    reference,
    clabe: bank.clabe ?? null,
    bankName: bank.bankName ?? null,
  });
  for (let attempt = 0; attempt < 8; attempt++) {
    const existing = await db
      .select({ reference: transferReferences.reference })
      .from(transferReferences)
      .where(and(eq(transferReferences.debtorId, debtorId), eq(transferReferences.currency, currency)));
    if (existing[0]) return answer(existing[0].reference);
    await db
      .insert(transferReferences)
      .values({ reference: newTransferReference(), debtorId, currency })
      .onConflictDoNothing();
  }
  // 900 million references: eight draws all taken means something else is wrong.
  throw new Error('could not allocate a transfer reference');
}

/** Whose reference this is; null for a malformed reference or one never given out. */
export async function findTransferReference(
  db: DbOrTx,
  reference: string,
): Promise<{ reference: string; debtorId: string; currency: string } | null> {
  const cleaned = reference.replace(/[\s-]/g, '');
  if (!isTransferReference(cleaned)) return null;
  const rows = await db
    .select({
      reference: transferReferences.reference,
      debtorId: transferReferences.debtorId,
      currency: transferReferences.currency,
    })
    .from(transferReferences)
    .where(eq(transferReferences.reference, cleaned));
  return rows[0] ?? null;
}
