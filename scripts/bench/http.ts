// A lean JSON-over-HTTP client for the bench (node:http with keep-alive): its own cost per request
// stays small and steady, so that latencies measure the server, not the client.
import http from 'node:http';

export interface JsonAnswer {
  status: number;
  body: unknown;
}

export function jsonClient(baseUrl: string, apiKey: string, maxSockets: number, timeoutMs = 600_000) {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  const auth = `Bearer ${apiKey}`;
  function post(path: string, payload: string, method = 'POST'): Promise<JsonAnswer> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method,
          agent,
          headers: {
            authorization: auth,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null });
            } catch {
              resolve({ status: res.statusCode ?? 0, body: text });
            }
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
  const put = (path: string, payload: string) => post(path, payload, 'PUT');
  return { post, put, close: () => agent.destroy() };
}
