import { defineProject } from 'vitest/config';

/**
 * Workspace packages export their TypeScript source under the `@orcha/source` condition, so tests and
 * typechecks run against source while builds and the shipped server use `dist/`.
 */
const conditions = ['@orcha/source', 'module', 'node', 'development|production'];

export function packageProject(name: string, options: { testTimeout?: number } = {}) {
  return defineProject({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@orcha/source'] } },
    test: {
      name,
      environment: 'node',
      include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'test/**/*.test.ts', 'e2e/**/*.test.ts'],
      testTimeout: options.testTimeout ?? 20_000,
      hookTimeout: 60_000,
    },
  });
}
