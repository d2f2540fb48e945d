import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest orders files project by project, by name, so the whole-system tests of `server` (the longest files)
 * would start last and leave one worker running alone at the end. They start first instead; everything else
 * keeps vitest's order.
 */
class WholeSystemFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => (file.project.name === 'server' ? 0 : 1);
    return (await super.sort(files)).sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || rank(a) - rank(b),
    );
  }
}

/** One run over every package and app: `pnpm test` uses this; `pnpm --filter <pkg> test` runs one project. */
export default defineConfig({
  test: {
    projects: ['packages/*', 'packages/store/vitest.postgres.config.ts', 'apps/*', 'test'],
    // Most files wait on real processes (tmux, sshd, git, agent CLIs), not on the CPU: run two at once even
    // on a 2-core machine, where vitest's default (cores − 1) would run them one by one.
    // VITEST_MAX_WORKERS overrides it.
    maxWorkers: 2,
    sequence: { sequencer: WholeSystemFirst },
  },
});
