import { defineConfig } from 'drizzle-kit';

// Only used by `npm run db:generate`; migrations are committed and applied by db/migrate.ts.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
});
