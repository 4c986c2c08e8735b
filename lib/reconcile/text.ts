// Reading remittance text and names the way people type them: accents, case, spaces, dashes and invoice
// prefixes ("FAC", "F-", "No.", "Factura #") never matter. Pure.
import { distance } from 'fastest-levenshtein';
import { INVOICE_KEY_PREFIXES as PREFIXES, INVOICE_KEY_SQL } from '../../db/schema/invoice-key';
import { isTransferReference } from '../statements/check-digits';

const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');

/** Upper case letters and digits only: "fac-00123" → "FAC00123". */
export function compactKey(s: string): string {
  return stripAccents(s)
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

const INVOICE_PREFIX = new RegExp(`^(${PREFIXES})(?=[0-9])`);

/**
 * An invoice number as compared: letters and digits, without a prefix before its digits and without leading
 * zeros ("FAC-00123", "F 123", "No. 0123" → "123"; "A-2026-0981" → "A20260981"). Keys shorter than 3
 * characters or without a digit are no invoice numbers (null).
 */
export function invoiceKey(written: string): string | null {
  const key = compactKey(written)
    .replace(INVOICE_PREFIX, '')
    .replace(/^0+(?=[0-9])/, '');
  return key.length >= 3 && /[0-9]/.test(key) ? key : null;
}

export { INVOICE_KEY_SQL };

const WORD = /[\p{L}\p{N}]+(?:[-/.][\p{L}\p{N}]+)*/gu;

/**
 * Invoice number candidates in a remittance text: each word and each pair/triple of adjacent words
 * ("F 00124", "No. 5531", "FAC - 2026 - 771"), as invoice keys. Words without a digit are skipped
 * unless a following word carries one.
 */
export function invoiceCandidates(text: string | null): string[] {
  if (!text) return [];
  const words = [...stripAccents(text).matchAll(WORD)].map((m) => m[0]);
  const out = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    for (let n = 1; n <= 3 && i + n <= words.length; n++) {
      const group = words.slice(i, i + n);
      if (!/\d/.test(group[group.length - 1] ?? '')) continue;
      // A transfer reference is not an invoice number.
      const joined = group.join('');
      if (isTransferReference(compactKey(joined))) continue;
      const key = invoiceKey(joined);
      if (key) out.add(key);
    }
  }
  return [...out];
}

/** Valid transfer references (10 digits, Luhn) in a text, also when typed with spaces or dashes. */
export function transferReferenceCandidates(text: string | null): string[] {
  if (!text) return [];
  const out = new Set<string>();
  for (const m of text.matchAll(/\d[\d\s-]{8,16}\d/g)) {
    const digits = m[0].replace(/[\s-]/g, '');
    for (let i = 0; i + 10 <= digits.length; i++) {
      const ten = digits.slice(i, i + 10);
      if (isTransferReference(ten) && (digits.length === 10 || i === 0 || i + 10 === digits.length)) out.add(ten);
    }
  }
  return [...out];
}

const LEGAL_WORDS = new Set([
  'SA',
  'DE',
  'CV',
  'RL',
  'SRL',
  'SAS',
  'SC',
  'SAPI',
  'SAB',
  'LTDA',
  'SPA',
  'EIRL',
  'CIA',
  'Y',
  'E',
  'LA',
  'EL',
  'LOS',
  'LAS',
  'DEL',
  'INC',
  'LLC',
  'CO',
  'SOCIEDAD',
  'ANONIMA',
  'VARIABLE',
  'CAPITAL',
]);

/** "Ferretería López e Hijos, S.A. de C.V." → "FERRETERIA HIJOS LOPEZ": accents, case, legal forms and order gone. */
export function nameKey(name: string): string {
  return stripAccents(name)
    .toUpperCase()
    .replace(/\b([A-Z])\.(?=[A-Z]\.)/g, '$1')
    .replace(/[^A-Z0-9]+/g, ' ')
    .split(' ')
    .filter((w) => w !== '' && !LEGAL_WORDS.has(w))
    .sort()
    .join(' ');
}

export const nameTokens = (key: string) => key.split(' ').filter((w) => w.length >= 3);

/** 0..1: 1 - Levenshtein distance over the longer name key. */
export function nameSimilarity(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  if (a === b) return 1;
  return 1 - distance(a, b) / Math.max(a.length, b.length);
}

/** RFC/RUT/NIT as compared: letters and digits, upper case ("flh-980312-ku9" = "FLH980312KU9"). */
export const taxIdKey = (s: string) => compactKey(s);
