// Shared by the API tests: an HTTP caller with a key, polling, and invoice bodies.
export interface Answer {
  status: number;
  type: string;
  body: Record<string, any>;
}

export function caller(baseUrl: string) {
  return async function call(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const raw = Buffer.isBuffer(body) || typeof body === 'string';
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: text ? (JSON.parse(text) as Record<string, any>) : {} };
  };
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function invoiceBody(externalId: string, debtorId: string, amount = '1500.00', extra: Record<string, unknown> = {}) {
  return {
    externalId,
    debtor: { externalId: debtorId, name: 'Ana Pérez', kind: 'person', email: 'ana@example.com', country: 'MX' },
    amount,
    currency: 'MXN',
    dueDate: '2026-03-05',
    ...extra,
  };
}
