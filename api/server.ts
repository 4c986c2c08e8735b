// Listens on the configured port and closes gracefully: in-flight requests finish, the relay stops.
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from './app';

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export async function startApi(deps: AppDeps): Promise<RunningApi> {
  const app = await buildApp(deps);
  await app.listen({ host: deps.config.http.host, port: deps.config.http.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : deps.config.http.port;
  deps.outbox.start();
  return {
    app,
    url: `http://${deps.config.http.host === '0.0.0.0' ? '127.0.0.1' : deps.config.http.host}:${port}`,
    async close() {
      await app.close();
      await deps.outbox.stop();
    },
  };
}
