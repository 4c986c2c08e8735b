// A small HTTP client for tests against the real API, and a poller for eventually-consistent reads.

export interface HttpAnswer {
  status: number;
  type: string;
  body: Record<string, any>;
}

/** JSON bodies are sent as JSON; a Buffer or string body is sent as is (uploads), with the caller's headers. */
export function httpClient(baseUrl: string) {
  return async function call(
    method: string,
    path: string,
    body: unknown,
    key: string | null,
    headers: Record<string, string> = {},
  ): Promise<HttpAnswer> {
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
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, type, body: text ? parseBody(text, type) : {} };
  };
}

/** JSON answers are parsed (a malformed one fails the test); other answers (CSV, XLSX exports) come as `{text}`. */
function parseBody(text: string, type: string): Record<string, any> {
  if (type.includes('json')) return JSON.parse(text) as Record<string, any>;
  try {
    return JSON.parse(text) as Record<string, any>;
  } catch {
    return { text };
  }
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}
