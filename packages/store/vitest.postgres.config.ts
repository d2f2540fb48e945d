import { defineProject, mergeConfig } from 'vitest/config';
import { packageProject } from '../../vitest.shared.ts';

/** The store suite again, on a real PostgreSQL server (`test/helpers.ts` picks the engine). */
export default mergeConfig(
  packageProject('store-postgres'),
  defineProject({
    test: {
      env: { ORCHA_STORE_ENGINE: 'postgres' },
      globalSetup: ['test/postgres-setup.ts'],
      setupFiles: ['test/postgres-each.ts'],
    },
  }),
);
