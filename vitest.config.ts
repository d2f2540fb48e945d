import { defineConfig } from 'vitest/config';

/** One run over every package and app: `pnpm test` uses this; `pnpm --filter <pkg> test` runs one project. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/store/vitest.postgres.config.ts', 'apps/*', 'test'],
    // Most files wait on real processes (tmux, sshd, git, agent CLIs), not on the CPU: run two at once even
    // on a 2-core machine, where vitest's default (cores − 1) would run them one by one.
    // VITEST_MAX_WORKERS overrides it.
    maxWorkers: 2,
  },
});
