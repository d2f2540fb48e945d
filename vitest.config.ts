import { defineConfig } from 'vitest/config';

/** One run over every package and app: `pnpm test` uses this; `pnpm --filter <pkg> test` runs one project. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/store/vitest.postgres.config.ts', 'apps/*', 'test'],
  },
});
