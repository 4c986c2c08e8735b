// Sits between the worker and the Resend stand-in. Armed, it forwards the next email to Resend (so
// the email exists there) and then never answers: the send is in flight when the test kills the worker.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HoldingProxy {
  url: string;
  /** Lets `skip` emails through, then holds the next; resolves with its idempotency key once Resend has accepted it. */
  holdEmail(skip?: number): Promise<string>;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startHoldingProxy(upstream: string): Promise<HoldingProxy> {
  let armed: ((key: string) => void) | null = null;
  let toSkip = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const raw = await body(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length'),
      ) as Record<string, string>;
      const answer = await fetch(`${upstream}${req.url ?? '/'}`, {
        method: req.method,
        headers,
        ...(raw.length > 0 ? { body: raw } : {}),
      });
      const text = await answer.text();
      const hold = armed;
      if (hold && req.method === 'POST' && req.url === '/emails' && answer.ok && toSkip-- <= 0) {
        armed = null;
        hold(String(req.headers['idempotency-key']));
        return; // never answered; close() drops the connection
      }
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
      res.end(text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    holdEmail: (skip = 0) =>
      new Promise<string>((resolve) => {
        toSkip = skip;
        armed = resolve;
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
