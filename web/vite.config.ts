// The console's build: served by the API process at /console (api/console-static.ts), hashed assets under
// /console/assets/. `npm run build:web` generates the typed client first (scripts/openapi-dump.ts + openapi-typescript).
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: path.join(import.meta.dirname, 'dist'),
    emptyOutDir: true,
    // Budgets are checked by the browser tests (the agent queue ≤ 300 KB gzipped); this only hides the noise.
    chunkSizeWarningLimit: 1500,
    // CSP (script-src 'self'): no inline scripts, no eval.
    modulePreload: { polyfill: false },
  },
  server: {
    // `npx vite --config web/vite.config.ts` with the API on :3000.
    proxy: { '/v1': 'http://127.0.0.1:3000' },
  },
});
