// Shared by the API tests: an HTTP caller with a key, polling, and invoice bodies.
import { eventually, httpClient, type HttpAnswer } from '../support/http';

export { eventually };
export type Answer = HttpAnswer;

/** The API tests' argument order: the key before the body. */
export function caller(baseUrl: string) {
  const call = httpClient(baseUrl);
  return (
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => call(method, path, body, key, headers);
}

export function invoiceBody(
  externalId: string,
  debtorId: string,
  amount = '1500.00',
  extra: Record<string, unknown> = {},
) {
  return {
    externalId,
    debtor: { externalId: debtorId, name: 'Ana Pérez', kind: 'person', email: 'ana@example.com', country: 'MX' },
    amount,
    currency: 'MXN',
    dueDate: '2026-03-05',
    ...extra,
  };
}
