// Shared by the API tests: an HTTP caller with a key, polling, invoice bodies and waiting for an import job.
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

/** GET /v1/imports/{jobId} until the job has ended (completed or failed); its last answer. */
export function importFinished(baseUrl: string, key: string, jobId: string, timeoutMs = 30_000): Promise<Answer> {
  const call = httpClient(baseUrl);
  return eventually(
    () => call('GET', `/v1/imports/${jobId}`, undefined, key),
    (r) => r.body.status === 'completed' || r.body.status === 'failed',
    timeoutMs,
  );
}
