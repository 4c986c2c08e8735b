// Serves the console (web/dist, built by `npm run build:web`) at /console: hashed assets with a long cache,
// index.html (never cached) for every other path under /console so the single-page app's routes work on reload.
// The build has no inline scripts: the API's CSP (script-src 'self') holds for it unchanged.
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody } from './problem';

export const CONSOLE_DIST_DIR = path.resolve(import.meta.dirname, '../web/dist');

const LONG_CACHE = 'public, max-age=31536000, immutable';

export async function consoleRoutes(app: FastifyInstance, distDir = CONSOLE_DIST_DIR): Promise<void> {
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) {
    const notBuilt = (_req: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(503)
        .type('application/problem+json')
        .send(problemBody(503, 'Service Unavailable', 'The console is not built: run `npm run build:web`.'));
    app.get('/console', { schema: { hide: true } }, notBuilt);
    app.get('/console/*', { schema: { hide: true } }, notBuilt);
    return;
  }
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: distDir,
      prefix: '/console/',
      // One route per built file (found now); everything else under /console is the app's own route.
      wildcard: false,
      index: false,
      schemaHide: true,
      setHeaders(reply, file) {
        const inAssets = path.relative(path.join(distDir, 'assets'), file);
        reply.header('cache-control', inAssets.startsWith('..') || path.isAbsolute(inAssets) ? 'no-cache' : LONG_CACHE);
      },
    });
    const page = (req: FastifyRequest, reply: FastifyReply) => {
      const url = req.url.split('?')[0] ?? '';
      if (url.startsWith('/console/assets/')) {
        return reply
          .code(404)
          .type('application/problem+json')
          .send(problemBody(404, 'Not Found', `No console asset ${url}.`));
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    };
    scope.get('/console', { schema: { hide: true } }, page);
    scope.get('/console/*', { schema: { hide: true } }, page);
  });
}
