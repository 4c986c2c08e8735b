// Console sessions in tests: sign in over HTTP, keep the cookie, and call the API as a browser would (the
// cookie on every request, the CSRF token on writes). Requests may leave from another loopback address
// (127.0.0.2 …) so a test of the per-address login throttle counts only its own failures.
import { request } from 'node:http';
import { SESSION_COOKIE } from '../../lib/users/sessions';
import type { HttpAnswer } from './http';

export interface SessionAnswer extends HttpAnswer {
  /** Response headers, lower-cased; `set-cookie` as a list. */
  headers: Record<string, string | string[] | undefined>;
}

/** node:http rather than fetch: it can choose the source address and shows every Set-Cookie. */
export function browserClient(baseUrl: string, localAddress?: string) {
  return function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<SessionAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        `${baseUrl}${path}`,
        {
          method,
          headers: { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
          ...(localAddress ? { localAddress } : {}),
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type'] ?? ''),
              // Exports answer CSV or XLSX: kept as `{text}`, as the API tests' client does.
              body: !text ? {} : /json/.test(String(res.headers['content-type'])) ? JSON.parse(text) : { text },
              headers: res.headers,
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  };
}

export interface Session {
  cookie: string;
  csrfToken: string;
  user: Record<string, any>;
  /** A request with the session's cookie; writes carry its CSRF token unless `csrf: false`. */
  call(method: string, path: string, body?: unknown, opts?: { csrf?: boolean }): Promise<SessionAnswer>;
}

/** The `co_session=…` pair of a login answer's Set-Cookie. */
export function sessionCookieOf(headers: SessionAnswer['headers']): string | undefined {
  const list = headers['set-cookie'];
  const set = (Array.isArray(list) ? list : []).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return set?.split(';')[0];
}

export async function login(baseUrl: string, email: string, password: string, localAddress?: string): Promise<Session> {
  const call = browserClient(baseUrl, localAddress);
  const res = await call('POST', '/v1/session', { email, password });
  const cookie = sessionCookieOf(res.headers);
  if (res.status !== 200 || !cookie) throw new Error(`login as ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  const csrfToken = res.body.csrfToken as string;
  return {
    cookie,
    csrfToken,
    user: res.body.user as Record<string, any>,
    call: (method, path, body, opts = {}) =>
      call(method, path, body, {
        cookie,
        ...(method !== 'GET' && opts.csrf !== false ? { 'x-csrf-token': csrfToken } : {}),
      }),
  };
}
