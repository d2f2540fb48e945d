import { mergeConfig } from 'vitest/config';
import { packageProject } from '../../vitest.shared.ts';

// The e2e files each run a real orcha server and a chromium: one file at a time on a small machine, after
// every other project (a later group), so their one-worker limit does not hold the rest of the suite to one.
export default mergeConfig(packageProject('web', { testTimeout: 60_000 }), {
  test: {
    fileParallelism: false,
    sequence: { groupOrder: 1 },
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
